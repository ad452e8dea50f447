"""The real `bridgebot` process against the fake Bot API served over HTTP on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.fake_http import FakeBotApiServer
from tests.helpers.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
def server(fake: FakeTelegram) -> Iterator[FakeBotApiServer]:
    with FakeBotApiServer(fake) as running:
        yield running


@pytest.fixture
def bot_env(tmp_path: Path, fake: FakeTelegram, server: FakeBotApiServer) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "BRIDGEBOT_", "DATABASE_URL"))
    }
    env.update(
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=server.base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bridgebot.db'}",
        BRIDGEBOT_SECRET="e2e-secret-0123456789abcdef",
        BRIDGEBOT_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


def bridgebot(
    env: dict[str, str], *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def spawn(env: dict[str, str], *args: str, log_path: Path) -> subprocess.Popen[bytes]:
    log = log_path.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
