"""The playground's web server: the page, its static files and a small JSON API (Tornado, which
python-telegram-bot's webhooks extra already installs).

    GET  /                    the page (plain HTML/JS, no build step)
    GET  /api/state?since=N   everything the page shows; with since=N it waits (up to 20 s) for a
                              version after N, so the page learns of reminders as they go out
    POST /api/act             one step, as JSON: {"who": "Ani", "say": "/help", "chat": "private"},
                              {"who", "press": "button text", "chat", "message": id},
                              {"who", "open": "invite" | link}, {"who", "new_group": "title"},
                              {"advance": "1h"}, {"add_person": true, "name", "role", "language",
                              "zone", "side"}; answers {"ok": true, "state": ...} once the bot is done
    GET  /api/scenario        the scenario so far (TOML: program file, cast, steps), to save
    POST /api/scenario        load a scenario (TOML body): a fresh database, the steps replayed
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from pathlib import Path
from typing import Any

import tornado.web

from bot.playground.engine import Playground, PlaygroundError, Scenario

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
LONG_POLL_SECONDS = 20.0


class Host:
    """Holds the current playground; loading a scenario replaces it."""

    def __init__(self, playground: Playground) -> None:
        self.playground = playground
        self.changed = asyncio.Event()
        playground.on_change = self._wake
        self.swap_lock = asyncio.Lock()

    def _wake(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()

    async def load(self, text: str) -> None:
        scenario = Scenario.parse(text)
        async with self.swap_lock:
            old = self.playground
            await old.stop()
            fresh = Playground(old.folder, scenario)
            fresh.on_change = self._wake
            try:
                await fresh.start()
            except Exception:
                await fresh.stop()
                # Put the previous scenario back, so the page keeps working.
                restored = Playground(old.folder, old.scenario)
                restored.on_change = self._wake
                await restored.start()
                for step in old.steps:
                    await restored.act(step)
                self.playground = restored
                raise
            self.playground = fresh
            self._wake()


class _Handler(tornado.web.RequestHandler):
    def initialize(self, host: Host) -> None:
        self.host = host

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        # The page talks only to this server.
        self.set_header(
            "Content-Security-Policy",
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
        )

    def check_xsrf_cookie(self) -> None:
        """JSON posts from the page; a cross-site form cannot send this content type."""

    def send_json(self, body: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(body, ensure_ascii=False))

    def json_body(self) -> dict[str, Any]:
        if not self.request.headers.get("Content-Type", "").startswith("application/json"):
            raise tornado.web.HTTPError(415, "send application/json")
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            raise tornado.web.HTTPError(400, "the body is not JSON") from None
        if not isinstance(body, dict):
            raise tornado.web.HTTPError(400, "send a JSON object")
        return body


class PageHandler(_Handler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish((STATIC / "index.html").read_bytes())


class StateHandler(_Handler):
    async def get(self) -> None:
        since = self.get_query_argument("since", None)
        if since is not None:
            with contextlib.suppress(ValueError):
                if int(since) >= self.host.playground.version:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.host.changed.wait(), LONG_POLL_SECONDS)
        try:
            state = self.host.playground.state()
        except Exception:  # the playground is being replaced or stopped; the page asks again
            log.debug("state unavailable", exc_info=True)
            self.send_json({"ok": False, "error": "the playground is restarting"}, status=503)
            return
        self.send_json(state)


class ActHandler(_Handler):
    async def post(self) -> None:
        step = self.json_body()
        try:
            await self.host.playground.act(step)
        except (PlaygroundError, KeyError, ValueError, AssertionError, TypeError) as error:
            text = str(error) if not isinstance(error, KeyError) else f"missing {error}"
            self.send_json({"ok": False, "error": text}, status=400)
            return
        self.send_json({"ok": True, "state": self.host.playground.state()})


class ScenarioHandler(_Handler):
    def get(self) -> None:
        self.set_header("Content-Type", "application/toml; charset=utf-8")
        self.set_header("Content-Disposition", 'attachment; filename="scenario.toml"')
        self.finish(self.host.playground.scenario_text())

    async def post(self) -> None:
        try:
            await self.host.load(self.request.body.decode("utf-8"))
        except (PlaygroundError, UnicodeDecodeError) as error:
            self.send_json({"ok": False, "error": str(error)}, status=400)
            return
        self.send_json({"ok": True, "state": self.host.playground.state()})


def make_app(host: Host) -> tornado.web.Application:
    args = {"host": host}
    return tornado.web.Application(
        [
            (r"/", PageHandler, args),
            (r"/api/state", StateHandler, args),
            (r"/api/act", ActHandler, args),
            (r"/api/scenario", ScenarioHandler, args),
            (r"/static/(.*)", tornado.web.StaticFileHandler, {"path": str(STATIC)}),
        ],
        compress_response=False,
    )


async def serve(playground: Playground, host: str, port: int) -> tuple[Any, int, Host]:
    """Start the playground and listen; returns (http server, bound port, host)."""
    await playground.start()
    holder = Host(playground)
    server = make_app(holder).listen(port, address=host)
    bound = next(iter(server._sockets.values())).getsockname()[1]
    return server, bound, holder
