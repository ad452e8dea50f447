"""Running the application: long polling or webhook, with the HTTP listener beside it.

PTB's ``run_polling``/``run_webhook`` own the event loop and, for webhooks, their own server. To
serve /healthz, /readyz and /metrics in both modes, and the webhook route on the same server (PTB's
custom-webhook pattern), the bot runs the same steps itself: initialize, post_init, start the
listener, start polling or set the webhook, start the application, wait for SIGINT/SIGTERM, then
stop everything in reverse and run post_shutdown.

The listener's sockets are bound before anything else starts (``bind``), so a port already taken
is one clear line and exit status 2, not a traceback after the bot has started.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Sequence
from dataclasses import dataclass

from telegram.ext import Application

from bot.ops.http import WebhookRoute, make_app
from bot.ops.watch import heartbeat

log = logging.getLogger(__name__)


class ListenError(Exception):
    """The listener cannot take its address; the message says which and why."""


def bind(address: str, port: int) -> list[socket.socket]:
    from tornado.netutil import bind_sockets

    try:
        return bind_sockets(port, address=address or None, reuse_port=False)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ListenError(f"cannot listen on {address}:{port}: {reason}") from None


@dataclass(frozen=True)
class Webhook:
    url: str
    path: str
    secret_token: str
    max_connections: int = 40


@dataclass
class Listener:
    sockets: list[socket.socket]
    with_webhook: bool  # this listener also serves the webhook route


def _polling_failed(error: Exception) -> None:
    # One line per failed poll (PTB's default logs a traceback); polling retries with a backoff.
    log.warning("polling Telegram failed (%s: %s); retrying", type(error).__name__, error)


async def serve(
    application: Application,
    *,
    allowed_updates: Sequence[str],
    webhook: Webhook | None = None,
    listeners: Sequence[Listener] = (),
) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    servers = []
    beat: asyncio.Task | None = None
    runtime = application.bot_data["runtime"]
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if stop.is_set():  # told to stop while starting: do not start polling at all
            log.info("stopped while starting")
            return
        from tornado.httpserver import HTTPServer

        route = WebhookRoute(webhook.path, webhook.secret_token) if webhook else None
        for listener in listeners:
            server = HTTPServer(make_app(application, route if listener.with_webhook else None))
            server.add_sockets(listener.sockets)
            servers.append(server)
        if webhook is not None:
            await application.bot.set_webhook(
                url=webhook.url,
                secret_token=webhook.secret_token,
                allowed_updates=list(allowed_updates),
                max_connections=webhook.max_connections,
            )
        else:
            await application.updater.start_polling(
                allowed_updates=list(allowed_updates), error_callback=_polling_failed
            )
        await application.start()
        beat = asyncio.create_task(heartbeat(application, runtime.settings.ready_bot_api_seconds))
        where = ", ".join(
            f"{s.getsockname()[0]}:{s.getsockname()[1]}"
            for lst in listeners
            for s in lst.sockets[:1]
        )
        log.info(
            "bridgebot is running (%s%s)",
            "webhook" if webhook else "long polling",
            f"; HTTP on {where}" if where else "",
        )
        await stop.wait()
        log.info("stopping")
    finally:
        if beat is not None:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat
        for server in servers:
            server.stop()
            await server.close_all_connections()
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        for listener in listeners:
            for sock in listener.sockets:
                sock.close()
