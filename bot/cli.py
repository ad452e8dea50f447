"""The `bridgebot` command line: run the bot, migrate the database, script programs and invites.

Operator errors (missing token, unreachable database, a rejected token, a bad argument) end with one
line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.clitools.database import CliError
from bot.clitools.database import check_database as _check_database
from bot.clitools.database import first_line as _first_line
from bot.clitools.database import in_db as _in_db
from bot.clitools.database import now as _now
from bot.clitools.database import upgrade as _upgrade
from bot.clitools.numbers import id_arg, number_arg
from bot.config import ConfigError, OperatorError, Settings, load_settings
from bot.domain.errors import BridgeError
from bot.i18n import N_, _, ngettext, use_locale

EXIT_USAGE = 2


def _fail(message: str) -> int:
    print(f"bridgebot: {message}", file=sys.stderr)
    return EXIT_USAGE


def _domain_message(settings: Settings, error: BridgeError) -> str:
    from bot.handlers.errors import error_text

    with use_locale(settings.default_locale):
        return error_text(error)


# ---- database ----------------------------------------------------------------------------------------


async def _is_at_head(settings: Settings) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from bot.db.engine import create_engine
    from bot.db.migrate import alembic_config

    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            current = await conn.run_sync(
                lambda c: set(MigrationContext.configure(c).get_current_heads())
            )
    finally:
        await engine.dispose()
    return current == heads


def cmd_db(settings: Settings, args: argparse.Namespace) -> int:
    if args.db_command == "upgrade":
        _upgrade(settings)
        print("database is up to date")
    elif args.db_command == "downgrade":
        from alembic import command

        from bot.db.migrate import alembic_config

        asyncio.run(_check_database(settings))
        command.downgrade(alembic_config(settings.database_url), args.revision)
        print(f"database downgraded to {args.revision}")
    elif args.db_command == "current":
        asyncio.run(_check_database(settings))
        print(
            "up to date"
            if asyncio.run(_is_at_head(settings))
            else "behind: run `bridgebot db upgrade`"
        )
    return 0


# ---- run -----------------------------------------------------------------------------------------------


def _webhook_secret(settings: Settings, secret: bytes) -> str:
    if settings.webhook_secret:
        return settings.webhook_secret
    return hmac.new(secret, b"telegram-webhook", hashlib.sha256).hexdigest()


def _http_listen(settings: Settings, args: argparse.Namespace) -> tuple[str, int] | None:
    from bot.config import parse_listen

    if args.http_listen:
        return parse_listen("--http-listen", args.http_listen)
    if args.http_port:
        return (settings.http_listen[0] if settings.http_listen else "127.0.0.1", args.http_port)
    return settings.http_listen


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.db import instance

    settings.require_token()
    if not settings.is_sqlite:
        asyncio.run(_check_database(settings))
        _require_head(settings)
    # Ask Telegram who we are before starting: a rejected token or an unreachable Bot API becomes one
    # clear line here instead of a retry loop's traceback inside python-telegram-bot.
    asyncio.run(_bot_username(settings, ask_telegram=True))
    # One active instance per database: a second one refuses (SQLite) or waits as the standby
    # (PostgreSQL) until the active one is gone (bot/db/instance.py).
    # A standby has everything ready (handlers built, modules loaded) before it waits, so taking
    # over costs little more than the first poll.
    application = None if settings.is_sqlite else _build(settings)
    try:
        lock = instance.take(
            settings, poll=settings.standby_poll_seconds, heartbeat=settings.lock_heartbeat_seconds
        )
    except instance.StandbyStopped:
        logging.getLogger("bot.db.instance").warning("standby: stopped before taking over")
        return 0
    try:
        return _run_active(settings, args, lock, application)
    finally:
        if lock is not None:
            lock.release()


def _bind_listeners(settings: Settings, args: argparse.Namespace) -> list[Any]:
    """The HTTP listeners' sockets, bound before anything starts: a port already taken is one line.
    Bound once this instance is the active one, so a standby on the same machine can take over."""
    from bot.ops.serve import Listener, ListenError, bind

    listeners: list[Listener] = []
    http = _http_listen(settings, args)
    try:
        if args.webhook_url:
            listeners.append(Listener(bind(args.listen, args.port), with_webhook=True))
        if http is not None and not (args.webhook_url and http == (args.listen, args.port)):
            listeners.append(Listener(bind(*http), with_webhook=False))
    except ListenError as exc:
        for listener in listeners:
            for sock in listener.sockets:
                sock.close()
        raise CliError(str(exc)) from None
    return listeners


def _require_head(settings: Settings) -> None:
    if not asyncio.run(_is_at_head(settings)):
        raise CliError("the database schema is not up to date: run `bridgebot db upgrade` first")


def _build(settings: Settings) -> Any:
    from bot.app import build_application

    return build_application(settings)


def _run_active(settings: Settings, args: argparse.Namespace, lock: Any, application: Any) -> int:
    from bot.app import ALLOWED_UPDATES
    from bot.context import runtime_of
    from bot.db import instance
    from bot.ops import logs
    from bot.ops.serve import Webhook, serve

    listeners = _bind_listeners(settings, args)
    if settings.is_sqlite:
        _upgrade(settings)
    else:
        _require_head(settings)  # again: the active one may have been upgraded meanwhile
    asyncio.run(_release_orphaned_claims(settings))
    if application is None:
        application = _build(settings)
    webhook = None
    if args.webhook_url:
        webhook = Webhook(
            url=args.webhook_url,
            path=args.url_path,
            secret_token=_webhook_secret(settings, runtime_of(application).secret),
        )
    logs.add_secrets([runtime_of(application).secret, webhook.secret_token if webhook else None])
    try:
        # Polling or webhook, with the HTTP listener beside it (bot/ops/serve.py).
        asyncio.run(
            serve(
                application, allowed_updates=ALLOWED_UPDATES, webhook=webhook, listeners=listeners
            )
        )
        if isinstance(lock, instance.PostgresLock) and lock.lost.is_set():
            raise OperatorError(
                "stopped: this instance lost its lock on the database (see the log)",
                instance.EXIT_LOST_LOCK,
            )
    except InvalidToken:
        raise CliError(
            "Telegram rejected TELEGRAM_BOT_TOKEN: check the token from @BotFather"
        ) from None
    except NetworkError as exc:
        where = settings.api_base_url or "api.telegram.org"
        raise CliError(
            f"cannot reach the Telegram Bot API at {where}: {_first_line(exc)}"
        ) from None
    except TelegramError as exc:
        raise CliError(f"Telegram refused to start the bot: {_first_line(exc)}") from None
    except (SQLAlchemyError, OSError) as exc:
        raise CliError(f"the database failed while starting: {_first_line(exc)}") from None
    return 0


async def _release_orphaned_claims(settings: Settings) -> None:
    from datetime import timedelta

    from bot.db import instance
    from bot.db.engine import create_engine

    engine = create_engine(settings.database_url)
    try:
        now = _now() + timedelta(seconds=settings.clock_offset_seconds)
        released = await instance.release_orphaned_claims(
            engine, now, timedelta(seconds=settings.delivery_lease_seconds)
        )
    finally:
        await engine.dispose()
    if released:
        logging.getLogger("bot.db.instance").warning(
            "%d deliveries were claimed by an instance that is gone: sending them now", released
        )


# ---- organizer scripting -----------------------------------------------------------------------------


def cmd_program(settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.programs import ProgramDraft
    from bot.features.programs import service as programs

    if args.program_command == "create":
        draft = ProgramDraft(
            name=args.name,
            sides=tuple(args.side),
            languages=tuple(args.language or [settings.default_locale]),
            timezone=args.timezone,
        )

        async def create(db: Any) -> Any:
            program = await programs.create(db, draft, creator_id=None, now=_now())
            if args.show_member_names:
                await programs.set_show_member_names(db, program.id, True)
            for organizer in args.organizer or []:
                await programs.grant_organizer(
                    db, program.id, organizer, granted_by=None, now=_now()
                )
            return program

        program = _in_db(settings, create)
        print(f"{program.id}\t{program.name}\tsides: {', '.join(s.name for s in program.sides)}")
    elif args.program_command == "apply":
        return cmd_program_apply(settings, args)
    elif args.program_command == "list":

        async def listing(db: Any) -> Any:
            return await programs.list_for(db, 0, is_admin=True)

        for summary in _in_db(settings, listing):
            counts = ", ".join(f"{k}={v}" for k, v in summary.enrolled_by_side.items())
            print(f"{summary.program.id}\t{summary.program.name}\t{counts}")
    return 0


# ---- program apply FILE ------------------------------------------------------------------------------

# Sentences for the program file's own problem codes; other codes use the bot's error texts.
PROGRAM_FILE_MESSAGES: dict[str, str] = {
    "file_syntax": N_("This is not valid TOML: {detail}."),
    "file_missing": N_("This is required."),
    "file_wrong_type": N_("This must be a {expected}."),
    "file_unknown_key": N_("{key} is not a setting of program files."),
    "file_not_program_language": N_("{language} is not one of the program's languages."),
    "file_unsupported_language": N_("The language {language} is not supported."),
    "file_bad_user_id": N_("{value} is not a Telegram user id."),
    "file_duplicate": N_("{value} is listed twice."),
    "file_bad_choice": N_("{value} is not one of: {choices}."),
    "file_term_too_long": N_("The term {term} is longer than {limit} characters."),
    "file_untranslated": N_("This item has no wording in {language}, a language of the program."),
    "file_needs_year": N_("Write the date with its year, e.g. 2026-03-10 19:00 (not {text})."),
    "file_offset_in_start": N_(
        "Write a local time without a UTC offset; the zone comes from zone or the program."
    ),
    "file_unknown_survey": N_("There is no survey {kind}; the surveys are: {choices}."),
    "file_unknown_group": N_(
        "The program has no dialogue group {group}. Form the groups first and use a name or code "
        "from /groups."
    ),
    "file_sessions_overlap": N_("This overlaps with the sessions of {other} in the same group."),
}
# What a value of the program file should have been (the ``expected`` of file_wrong_type).
# Translators: the kind of value a setting of the program file should have, after
# 'should be a' in an error message (keep [[sessions]] as it is).
EXPECTED_KINDS: dict[str, str] = {
    "table": N_("table"),
    "text": N_("text"),
    "number": N_("number"),
    "true or false": N_("true or false"),
    "list of texts": N_("list of texts"),
    "list of numbers": N_("list of numbers"),
    "text or list of texts": N_("text or list of texts"),
    "list of items": N_("list of items"),
    "list of sessions ([[sessions]])": N_("list of sessions ([[sessions]])"),
    "date and time": N_("date and time"),
    "date": N_("date"),
    "group name or code": N_("group name or code"),
    "list of agenda items": N_("list of agenda items"),
    "list of goals ([[goals]])": N_("list of goals ([[goals]])"),
}
# How each report line reads (see bot.services.program_file.Detail).
PROGRAM_FILE_DETAILS: dict[str, str] = {
    "set": N_("{field}: {old} → {new}"),
    "added": N_("{field}: + {value}"),
    "kept": N_("{field}: {value} kept (not in the file; a program file never deletes)"),
    "not_changed": N_("{field} differs from the file and is left as it is"),
}
# Translators: what applying a program file did to one section (one word, lower
# case): 'conduct: unchanged'.
PROGRAM_FILE_STATUSES: dict[str, str] = {
    "created": N_("created"),
    "updated": N_("updated"),
    "unchanged": N_("unchanged"),
}


def _problem_line(problem: Any) -> str:
    from bot.handlers.errors import error_text

    error = problem.error
    template = PROGRAM_FILE_MESSAGES.get(error.code)
    params = dict(error.params)
    kind = EXPECTED_KINDS.get(str(params.get("expected")))
    if kind is not None:
        params["expected"] = _(kind)
    text = _(template, **params) if template else error_text(error)
    return f"{problem.location}: {text}"


def _detail_line(code: str, params: dict[str, Any]) -> str:
    if code == "sessions_new":
        return ngettext(
            "{n} new session, at {first}",
            "{n} new sessions, the first at {first}",
            params["count"],
            first=params["first"],
        )
    if code == "sessions_matched":
        return ngettext("{n} session already there", "{n} sessions already there", params["count"])
    return _(PROGRAM_FILE_DETAILS[code], **params)


def _report_lines(report: Any) -> list[str]:
    if report.dry_run:
        head = _("Dry run for {program}: nothing was written.", program=report.program)
    elif not report.changed:
        head = _("{program} is already as the file says; nothing changed.", program=report.program)
    elif report.program_created:
        head = _("{program} was created from the file.", program=report.program)
    else:
        head = _("{program} was updated from the file.", program=report.program)
    lines = [head]
    for section in report.sections:
        lines.append(f"{section.section}: {_(PROGRAM_FILE_STATUSES[section.status])}")
        for detail in section.details:
            params = {
                k: v.isoformat() if isinstance(v, datetime) else v for k, v in detail.params.items()
            }
            lines.append("  " + _detail_line(detail.code, params))
    return lines


def cmd_program_apply(settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.program_file import ProgramFileInvalid
    from bot.features.programs import program_file

    try:
        with open(args.file, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {args.file}: {_first_line(exc)}") from None

    async def work(db: Any) -> Any:
        return await program_file.apply(db, text, now=_now(), dry_run=args.dry_run)

    try:
        report = _in_db(settings, work)
    except ProgramFileInvalid as invalid:
        with use_locale(settings.default_locale):
            for problem in invalid.problems:
                print(f"{args.file}: {_problem_line(problem)}", file=sys.stderr)
        return EXIT_USAGE
    with use_locale(settings.default_locale):
        print("\n".join(_report_lines(report)))
    return 0


async def _bot_username(settings: Settings, *, ask_telegram: bool = False) -> str:
    import os

    configured = os.environ.get("BRIDGEBOT_BOT_USERNAME")
    if configured and not ask_telegram:
        return configured.lstrip("@")
    base_url = (settings.api_base_url or "https://api.telegram.org/bot").rstrip("/")
    bot = Bot(settings.require_token(), base_url=base_url)
    try:
        async with bot:
            return bot.username
    except InvalidToken:
        raise CliError(
            "Telegram rejected TELEGRAM_BOT_TOKEN: check the token from @BotFather"
        ) from None
    except TelegramError as exc:
        raise CliError(
            f"cannot ask Telegram for the bot's username ({_first_line(exc)}); set BRIDGEBOT_BOT_USERNAME"
        ) from None


def cmd_invite(settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.durations import parse_duration
    from bot.domain.invites import link
    from bot.features.programs import invites
    from bot.features.programs import service as programs

    if args.revoke:

        async def revoke(db: Any) -> Any:
            return await invites.revoke(db, args.revoke.rsplit("join_", 1)[-1], _now())

        _in_db(settings, revoke)
        print("revoked")
        return 0
    if not args.program or not args.side:
        raise CliError("invite needs --program and --side (or --revoke CODE)")
    expires_in = parse_duration(args.expires) if args.expires else None
    username = asyncio.run(_bot_username(settings))

    async def create(db: Any) -> Any:
        program = await programs.find(db, args.program)
        matches = [s for s in program.sides if s.name.casefold() == args.side.casefold()]
        if not matches:
            raise CliError(
                f"program {program.name!r} has no side {args.side!r}; sides: "
                + ", ".join(s.name for s in program.sides)
            )
        now = _now()
        return await invites.create(
            db,
            program_id=program.id,
            side_id=matches[0].id,
            role=args.role,
            created_by=None,
            now=now,
            expires_at=now + expires_in if expires_in else None,
            max_uses=args.max_uses,
        )

    invite = _in_db(settings, create)
    print(link(username, invite.code))
    return 0


def cmd_organizer(settings: Settings, args: argparse.Namespace) -> int:
    from bot.features.programs import service as programs

    async def grant(db: Any) -> Any:
        program = await programs.find(db, args.program)
        return await programs.grant_organizer(
            db, program.id, args.user, granted_by=None, now=_now()
        )

    added = _in_db(settings, grant)
    print("granted" if added else "already an organizer")
    return 0


# ---- parser ---------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bridgebot", description="Bridgebot: dialogue programs on Telegram."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run", help="run the bot (long polling, or webhook mode with --webhook-url)"
    )
    run.add_argument("--webhook-url", help="public HTTPS URL Telegram should post updates to")
    run.add_argument("--listen", default="127.0.0.1", help="address to listen on in webhook mode")
    run.add_argument(
        "--port", type=number_arg(1, 65535), default=8443, help="port to listen on in webhook mode"
    )
    run.add_argument("--url-path", default="telegram", help="path part of the webhook URL to serve")
    run.add_argument(
        "--http-listen",
        metavar="ADDRESS:PORT",
        help="serve /healthz, /readyz and /metrics here (default: BRIDGEBOT_HTTP_LISTEN; off in "
        "polling mode; in webhook mode they are also served beside the webhook)",
    )
    run.add_argument(
        "--http-port",
        type=number_arg(1, 65535),
        help="as --http-listen, on 127.0.0.1 (or BRIDGEBOT_HTTP_LISTEN's address)",
    )
    run.set_defaults(handler=cmd_run)

    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply every pending migration")
    down = db_sub.add_parser("downgrade", help="revert migrations down to REVISION")
    down.add_argument("revision")
    db_sub.add_parser("current", help="say whether the schema is up to date")
    db.set_defaults(handler=cmd_db)

    program = sub.add_parser("program", help="create and list programs")
    p_sub = program.add_subparsers(dest="program_command", required=True)
    create = p_sub.add_parser("create", help="create a program")
    create.add_argument("--name", required=True)
    create.add_argument("--side", action="append", required=True, help="a side (repeat for each)")
    create.add_argument(
        "--language", action="append", help="a language code (repeat; first is default)"
    )
    create.add_argument("--timezone", default="UTC")
    create.add_argument(
        "--organizer", action="append", type=id_arg, help="Telegram user id of an organizer"
    )
    create.add_argument(
        "--show-member-names",
        action="store_true",
        help="group invitations name the other members (default: only how many from each side)",
    )
    p_sub.add_parser("list", help="list programs")
    apply = p_sub.add_parser(
        "apply", help="create or update a program from a TOML file (docs/program-example.toml)"
    )
    apply.add_argument("file", help="the program file")
    apply.add_argument(
        "--dry-run", action="store_true", help="show what would change without writing anything"
    )
    program.set_defaults(handler=cmd_program)

    invite = sub.add_parser("invite", help="print an invite link (or revoke one)")
    invite.add_argument("--program", help="program id or name")
    invite.add_argument("--side", help="side name")
    invite.add_argument("--role", choices=["student", "professional"])
    invite.add_argument("--expires", help="valid for this long, e.g. 7d")
    invite.add_argument("--max-uses", type=number_arg())
    invite.add_argument("--revoke", metavar="CODE", help="revoke the invite with this code or link")
    invite.set_defaults(handler=cmd_invite)

    organizer = sub.add_parser("organizer", help="grant the organizer role")
    o_sub = organizer.add_subparsers(dest="organizer_command", required=True)
    add = o_sub.add_parser("add")
    add.add_argument("--program", required=True)
    add.add_argument("--user", type=id_arg, required=True)
    organizer.set_defaults(handler=cmd_organizer)

    from bot.clitools import backup, i18n
    from bot.features.feedback import cli as feedback
    from bot.features.groups import cli as groups
    from bot.features.moderation import cli as moderation
    from bot.features.sessions import cli as sessions
    from bot.playground import cli as playground

    for area in (groups, moderation, sessions, feedback, i18n, playground, backup):
        area.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        return _fail(str(exc))
    from bot.ops import logs

    logs.configure(settings)
    try:
        return args.handler(settings, args)
    except (ConfigError, CliError) as exc:
        return _fail(str(exc))
    except OperatorError as exc:
        _fail(str(exc))
        return exc.exit_status
    except BridgeError as exc:
        return _fail(_domain_message(settings, exc))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
