"""The bot's HTTP listener: /healthz, /readyz, /metrics, and in webhook mode the webhook route.

One Tornado server (the library PTB itself serves webhooks with) in the bot's event loop, as in
PTB's custom-webhook example: the webhook route checks Telegram's secret token and puts the update
on the application's queue. Nothing served here shows the webhook secret, the token or any other
secret: /readyz names only which check failed, /metrics holds counts.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import tornado.web
from prometheus_client import CONTENT_TYPE_LATEST
from telegram import Update
from telegram.ext import Application

from bot.ops.watch import readiness

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class WebhookRoute:
    path: str  # without the leading slash, e.g. "telegram"
    secret_token: str


class _Base(tornado.web.RequestHandler):
    def initialize(self, bot_application: Application) -> None:
        self.application_ = bot_application

    def _json(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body, ensure_ascii=False))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # Tornado's default page would show the exception in debug mode; never any detail here.
        self._json(status_code, {"error": HTTPStatus(status_code).phrase})


class Healthz(_Base):
    def get(self) -> None:
        runtime = self.application_.bot_data["runtime"]
        self._json(
            200, {"alive": True, "uptime_seconds": round(time.time() - runtime.metrics.started_at)}
        )


class Readyz(_Base):
    async def get(self) -> None:
        state = await readiness(self.application_)
        self._json(200 if state.ready else 503, state.as_json())


class MetricsHandler(_Base):
    async def get(self) -> None:
        runtime = self.application_.bot_data["runtime"]
        await refresh_database_gauges(self.application_)
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(runtime.metrics.exposition())


class Webhook(_Base):
    def initialize(self, bot_application: Application, secret_token: str) -> None:  # type: ignore[override]
        super().initialize(bot_application)
        self.secret_token = secret_token

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret_token.encode()):
            log.warning("webhook request without the right secret token refused")
            self._json(403, {"error": "Forbidden"})
            return
        try:
            data = json.loads(self.request.body)
            update = Update.de_json(data, self.application_.bot)
        except Exception:
            log.warning("webhook request with an unreadable update refused")
            self._json(400, {"error": "Bad Request"})
            return
        if update is not None:
            self.application_.bot_data["runtime"].metrics.bot_api_answered()
            await self.application_.update_queue.put(update)
        self.set_status(200)
        self.finish()


def make_app(
    application: Application, webhook: WebhookRoute | None = None
) -> tornado.web.Application:
    routes: list[Any] = [
        (r"/healthz", Healthz, {"bot_application": application}),
        (r"/readyz", Readyz, {"bot_application": application}),
        (r"/metrics", MetricsHandler, {"bot_application": application}),
    ]
    if webhook is not None:
        routes.append(
            (
                rf"/{webhook.path.strip('/')}/?",
                Webhook,
                {"bot_application": application, "secret_token": webhook.secret_token},
            )
        )
    return tornado.web.Application(routes, compress_response=False)


OPEN_SESSIONS_GAUGE = "bridgebot_open_sessions"


async def refresh_database_gauges(application: Application) -> None:
    """Values read from the database when scraped: sessions open right now."""
    from sqlalchemy import func, select

    from bot.db.models import DialogueSession

    runtime = application.bot_data["runtime"]
    try:
        async with runtime.db() as db:
            count = await db.scalar(
                select(func.count())
                .select_from(DialogueSession)
                .where(DialogueSession.status == "open")
            )
    except Exception as exc:
        log.warning("cannot count open sessions for /metrics: %s", exc)
        return
    runtime.metrics.open_sessions.set(count or 0)
