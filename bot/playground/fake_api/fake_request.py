"""python-telegram-bot's transport replaced by the in-memory fake Bot API.

Build the Application with `.request(FakeRequest(fake)).get_updates_request(FakeRequest(fake))`:
every Bot API call the bot makes is answered by `FakeTelegram` in the real JSON envelope and HTTP
status, so PTB raises its real exceptions (BadRequest, Forbidden, RetryAfter, ChatMigrated, ...).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any
from urllib.parse import unquote, urlsplit

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from .fake_telegram import FakeTelegram, UploadedFile
from .faults import NoAnswer


def split_bot_api_path(path: str) -> tuple[str, str, str] | None:
    """`/bot<token>/<method>` -> ("api", token, method); `/file/bot<token>/<path>` -> ("file", ...).

    Works whatever prefix a self-hosted base URL adds in front. The path is percent-decoded
    first (PTB quotes file paths, turning the token's ':' into '%3A').
    """
    path = unquote(path)
    marker_file, marker_api = "/file/bot", "/bot"
    if marker_file in path:
        rest = path.split(marker_file, 1)[1]
        token, _, file_path = rest.partition("/")
        return ("file", token, file_path) if file_path else None
    if marker_api in path:
        rest = path.rsplit(marker_api, 1)[1]
        token, _, method = rest.partition("/")
        return ("api", token, method) if method and "/" not in method else None
    return None


def uploads_from(request_data: RequestData | None) -> dict[str, UploadedFile]:
    """The multipart part of a request, as plain bytes (file handles are read here)."""
    if request_data is None or not request_data.contains_files:
        return {}
    uploads = {}
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        raw = content if isinstance(content, bytes) else content.read()
        uploads[name] = UploadedFile(filename=filename, content=raw, mime_type=mime_type)
    return uploads


def not_found() -> tuple[int, bytes]:
    return 404, json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}).encode()


class FakeRequest(BaseRequest):
    """A PTB `BaseRequest` that talks to a `FakeTelegram` instead of the network."""

    __slots__ = ("_read_timeout", "fake")

    def __init__(self, fake: FakeTelegram, *, read_timeout: float = 5.0):
        self.fake = fake
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        # Timeouts mean nothing in memory; typed loosely to avoid PTB's private DefaultValue.
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        # Yield once, as a real network round trip would, so concurrent tasks interleave.
        await asyncio.sleep(0)
        route = split_bot_api_path(urlsplit(url).path)
        if route is None:
            return not_found()
        kind, token, target = route
        if kind == "file":
            if token != self.fake.token:
                return not_found()
            content = self.fake.file_content(target)
            return (200, content) if content is not None else not_found()
        # Send exactly what would go over the wire: strings in form fields, files in multipart.
        form: dict[str, Any] = request_data.json_parameters if request_data else {}
        uploads = uploads_from(request_data)
        if target.lower() == "getupdates":
            await self._long_poll(form)
        try:
            status, envelope = self.fake.handle_wire(target, form, uploads, token=token)
        except NoAnswer as no_answer:
            # What PTB's HTTPXRequest raises when the read timeout passes (injected fault).
            raise TimedOut("Timed out (injected)") from no_answer
        return status, json.dumps(envelope).encode("utf-8")

    async def _long_poll(self, form: dict[str, Any]) -> None:
        """Hold getUpdates until an update is there or its `timeout` passes, without blocking."""
        try:
            timeout = float(form.get("timeout") or 0)
        except ValueError:
            timeout = 0.0
        if timeout <= 0 or self.fake.updates_ready(form):
            return
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()

        def listener() -> None:
            # Called from whichever thread queued the update.
            loop.call_soon_threadsafe(wake.set)

        self.fake.add_update_listener(listener)
        try:
            deadline = loop.time() + timeout
            while not self.fake.updates_ready(form):
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return
                wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), remaining)
        finally:
            self.fake.remove_update_listener(listener)
