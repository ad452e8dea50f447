"""build_application(): the ONLY place handlers are registered.

Handler groups run in order and each group lets at most one handler act on an update. A handler
that must stop later groups (a filter that deleted a message) raises ApplicationHandlerStop.
"""

from __future__ import annotations

import logging
import warnings

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
    TypeHandler,
)
from telegram.request import BaseRequest, HTTPXRequest
from telegram.warnings import PTBUserWarning

from bot import events, i18n
from bot.bot_api import BridgeBot
from bot.config import Settings
from bot.context import RUNTIME_KEY, BridgeContext, runtime_of
from bot.dispatch_index import index_commands
from bot.features.enrolment import handlers as enrol
from bot.features.fairness import handlers as fairness_handlers
from bot.features.feedback import handlers as feedback
from bot.features.feedback import jobs as feedback_jobs
from bot.features.groups import handlers as groups
from bot.features.moderation import handlers as moderation
from bot.features.moderation.bursts import start as start_burst_reports
from bot.features.pairs import handlers as pairs
from bot.features.profile import handlers as profile
from bot.features.programs import handlers as organizer
from bot.features.rounds import handlers as rounds_handlers
from bot.features.rounds import jobs as rounds_jobs
from bot.features.sessions import counting
from bot.features.sessions import handlers as sessions
from bot.handler_groups import GROUP_COMMANDS, GROUP_LOCALE
from bot.handlers import routing
from bot.handlers.common import apply_reader_locale
from bot.handlers.errors import on_error
from bot.handlers.menus import publish_default_menus
from bot.jobs import schedule_all
from bot.ops.observe import BridgeApplication, instrument_handlers
from bot.ops.watch import watch_jobs
from bot.rate_limits import SendRateLimiter
from bot.runtime import Runtime, create_runtime
from bot.update_order import ChatOrderedUpdateProcessor

log = logging.getLogger(__name__)

# Our conversations deliberately track one conversation per person (per_message=False) and check
# every button by its signature; PTB's reminder that buttons are then not tracked per message is noise.
warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)

AREA_MODULES = (
    groups,
    moderation,
    sessions,
    feedback,
    fairness_handlers,
    rounds_handlers,
    pairs,
)

ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.CHAT_MEMBER,
    Update.MY_CHAT_MEMBER,
    Update.CHAT_JOIN_REQUEST,
    Update.MESSAGE_REACTION,
]


async def _post_init(application: Application) -> None:
    i18n.load_all()
    runtime = runtime_of(application)
    runtime.bot_username = application.bot.username
    watch_jobs(application)
    await schedule_all(application)
    start_burst_reports(application)
    from bot.handlers import moderation_sync

    moderation_sync.start(application)  # rules changed by other processes (PostgreSQL)
    try:
        await publish_default_menus(application.bot)
    except Exception:  # a menu is a convenience; the bot must start without it
        log.warning("could not publish command menus", exc_info=True)


async def _post_shutdown(application: Application) -> None:
    from bot.handlers import moderation_sync

    await moderation_sync.stop(application)
    await counting.flush(application)  # who-was-heard tallies still in memory
    await runtime_of(application).engine.dispose()


def wire_events() -> None:
    """Who hears which event, in one place (bot/events.py; subscribing twice is a no-op). The order
    is the order subscribers are awaited in: a closing session's survey invitations first, then the
    round it may have stopped."""
    events.on_session_closed(feedback_jobs.on_closed)
    events.on_session_closed(rounds_jobs.on_closed)
    events.on_agenda_item_reached(rounds_jobs.on_agenda_item)


def build_application(
    settings: Settings,
    runtime: Runtime | None = None,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limit: bool = True,
) -> Application:
    defaults = Defaults(parse_mode=None, link_preview_options=None, disable_notification=False)
    # Requests sized as ApplicationBuilder sizes its own: many concurrent calls, one long poll.
    bot = BridgeBot(
        token=settings.require_token(),
        base_url=(settings.api_base_url or "https://api.telegram.org/bot").rstrip("/"),
        base_file_url=(settings.api_file_url or "https://api.telegram.org/file/bot").rstrip("/"),
        defaults=defaults,
        request=request or HTTPXRequest(connection_pool_size=256),
        get_updates_request=get_updates_request or HTTPXRequest(connection_pool_size=1),
        # Paces sends to Telegram's limits (fairly between chats) and waits out a 429 instead of
        # dropping the message; moderation calls are never held back (bot/rate_limits.py).
        rate_limiter=SendRateLimiter(max_retries=5) if rate_limit else None,
    )
    builder = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(ContextTypes(context=BridgeContext))
        # Chats are handled side by side, each chat's updates in order (bot/update_order.py).
        .concurrent_updates(ChatOrderedUpdateProcessor())
        # Counts, times and describes every update (metrics and log fields, bot/ops/observe.py).
        .application_class(BridgeApplication)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    application = builder.build()
    wire_events()
    runtime = runtime or create_runtime(settings)
    application.bot_data[RUNTIME_KEY] = runtime
    bot._on_answer = runtime.metrics.bot_api_answered
    if isinstance(bot.rate_limiter, SendRateLimiter):
        bot.rate_limiter.observer = runtime.metrics.retry_after

    application.add_handler(TypeHandler(Update, apply_reader_locale), group=GROUP_LOCALE)
    for area in AREA_MODULES:
        for group, handler in area.build_handlers():
            application.add_handler(handler, group=group)
    # The catch-all routers go last so that every area's commands are matched before them.
    for module in (organizer, enrol, profile, routing):
        application.add_handlers(module.build_handlers(), group=GROUP_COMMANDS)
    application.add_error_handler(on_error)
    # Commands looked up by name instead of offered to each handler in turn (same winner).
    index_commands(application)
    instrument_handlers(application, skip_groups=(GROUP_LOCALE,))
    return application


__all__ = ["ALLOWED_UPDATES", "ParseMode", "build_application", "create_runtime"]
