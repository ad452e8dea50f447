"""A playground served on 127.0.0.1 (any free port) in the test's event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.playground.engine import Playground, Scenario, ready_scenario
from bot.playground.server import serve


@pytest.fixture
async def served(tmp_path) -> AsyncIterator[tuple[str, object]]:
    playground = Playground(tmp_path / "play", Scenario.parse(ready_scenario()))
    server, port, host = await serve(playground, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{port}", host
    finally:
        server.stop()
        await host.playground.stop()


@pytest.fixture
async def client(served) -> AsyncIterator[httpx.AsyncClient]:
    url, _host = served
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield http


def private(state: dict, name: str) -> dict:
    return next(c for c in state["chats"] if c["type"] == "private" and c.get("person") == name)


def group(state: dict, title: str) -> dict:
    return next(c for c in state["chats"] if c["label"] == title)
