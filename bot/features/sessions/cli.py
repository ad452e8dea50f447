"""`bridgebot sessions ...`: plan, list and cancel sessions, and see who reminders did not reach.

`sessions reminders --program P [--offsets 24h,1h | --default]` shows or sets the reminder
offsets of every session of a program that has none of its own (``--remind`` on ``add``).

Times are wall-clock readings in ``--zone`` (default: the program's zone). A running bot picks up
sessions added here within an hour (its wake-up horizon is refreshed hourly) and always before the
first reminder is due, because start-up and every refresh read the database.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.clitools.database import CliError
from bot.clitools.database import in_db as _in_db
from bot.clitools.database import now as _now
from bot.clitools.numbers import id_arg, number_arg
from bot.domain.numbers import MAX_ID, is_number, parse_int


def _parse_agenda(values: list[str] | None):
    from bot.domain.scheduling import AgendaItem

    items = []
    for value in values or []:
        title, _, minutes = value.rpartition(":")
        if not title or not is_number(minutes):
            raise CliError(f"--agenda {value!r}: write TITLE:MINUTES, e.g. 'Welcome:10'")
        items.append(AgendaItem(title.strip(), parse_int(minutes, minimum=0, maximum=MAX_ID)))
    return tuple(items)


def _offset_text(offset) -> str:
    minutes = int(offset.total_seconds()) // 60
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}d"
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def cmd_sessions(settings, args: argparse.Namespace) -> int:
    from datetime import datetime

    from bot.domain.durations import parse_duration
    from bot.domain.scheduling import Recurrence, SessionDraft
    from bot.features.sessions import service as sessions_service

    if args.sessions_command == "add":
        from bot.domain.scheduling import (
            canonical_zone_name,
            local_today,
            parse_date,
            parse_local_datetime,
            parse_time_of_day,
        )

        async def add(db: Any) -> Any:
            group_zone = await sessions_service.creator_zone(db, -1, args.group)
            zone = canonical_zone_name(args.zone or group_zone)
            now = _now()
            parse_local_datetime(args.start, zone, now)
            date_text, _, time_text = " ".join(args.start.replace("T", " ").split()).rpartition(" ")
            start_local = datetime.combine(
                parse_date(date_text, local_today(zone, now)), parse_time_of_day(time_text)
            )
            recurrence = None
            if args.every_weeks:
                until = parse_date(args.until, local_today(zone, now)) if args.until else None
                recurrence = Recurrence(
                    freq_weeks=args.every_weeks, count=args.count, until_local_date=until
                )
            elif args.count or args.until:
                raise CliError("--count and --until need --every-weeks N")
            offsets = [parse_duration(r) for r in args.remind] if args.remind else None
            return await sessions_service.create(
                db,
                group_id=args.group,
                actor_id=None,
                admin_ids=(),
                draft=SessionDraft(
                    title=args.title,
                    start_local=start_local,
                    zone=zone,
                    duration=parse_duration(args.duration),
                    agenda=_parse_agenda(args.agenda),
                    recurrence=recurrence,
                ),
                now=now,
                reminder_offsets=offsets,
            )

        created = _in_db(settings, add)
        for s in created.sessions:
            print(f"{s.id}\t{s.starts_at.isoformat()}\t{s.zone}\t{s.title}")
        for s in created.adjusted:
            print(
                f"note: session {s.id} was moved forward by a clock change to {s.starts_at.isoformat()}"
            )
    elif args.sessions_command == "list":

        async def listing(db: Any) -> Any:
            return await sessions_service.group_sessions(db, args.group, _now(), limit=200)

        for s in _in_db(settings, listing):
            print(f"{s.id}\t{s.starts_at.isoformat()}\t{s.status}\tseq={s.sequence}\t{s.title}")
    elif args.sessions_command == "cancel":

        async def cancel(db: Any) -> Any:
            return await sessions_service.cancel(
                db, session_id=args.session, actor_id=None, admin_ids=(), now=_now()
            )

        changed = _in_db(settings, cancel)
        print(f"cancelled {changed.after.id}\t{changed.after.title}")
    elif args.sessions_command == "reminders":
        from bot.features.programs import service as programs

        if args.offsets is not None and args.default:
            raise CliError("give --offsets or --default, not both")

        async def reminders(db: Any) -> Any:
            program = await programs.find(db, args.program)
            if args.offsets is None and not args.default:
                return await sessions_service.program_reminders(db, program.id)
            offsets = (
                None if args.default else sessions_service.parse_reminder_offsets(args.offsets)
            )
            return await sessions_service.set_program_reminders(
                db,
                program_id=program.id,
                actor_id=None,
                admin_ids=(),
                offsets=offsets,
                now=_now(),
            )

        result = _in_db(settings, reminders)
        shown = ",".join(_offset_text(o) for o in result.offsets)
        print(
            f"{result.program_id}\t{result.program_name}\treminders: {shown}"
            + (" (default)" if result.is_default else "")
        )
        if args.offsets is not None or args.default:
            print(
                f"re-planned {result.replanned} upcoming session(s); "
                f"{result.own} keep their own offsets; reminders already sent are not sent again"
            )
    elif args.sessions_command == "unreached":
        from sqlalchemy import select

        from bot.db.models import Delivery, Person

        async def unreached(db: Any) -> Any:
            return (
                await db.execute(
                    select(
                        Person.id, Person.first_name, Delivery.kind, Delivery.reason, Delivery.error
                    )
                    .join(Delivery, Delivery.person_id == Person.id)
                    .where(Delivery.session_id == args.session, Delivery.status == "failed")
                    .order_by(Person.first_name)
                )
            ).all()

        for person_id, name, kind, reason, error in _in_db(settings, unreached):
            print(f"{person_id}\t{name}\t{kind}\t{reason}\t{error}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this part's subcommands; each sets `handler=fn(settings, args) -> int`."""
    sessions = subparsers.add_parser("sessions", help="plan and list dialogue sessions")
    sub = sessions.add_subparsers(dest="sessions_command", required=True)
    add = sub.add_parser("add", help="plan a session (or a weekly series) for a dialogue group")
    add.add_argument("--group", type=id_arg, required=True, help="dialogue group id")
    add.add_argument("--start", required=True, help="local date and time, e.g. '2026-03-10 19:00'")
    add.add_argument("--zone", help="IANA time zone of --start (default: the program's)")
    add.add_argument("--duration", default="90m", help="e.g. 90m or 1h30m")
    add.add_argument("--title", required=True)
    add.add_argument("--agenda", action="append", help="TITLE:MINUTES (repeat, in order)")
    add.add_argument("--every-weeks", type=number_arg(), help="repeat every N weeks")
    add.add_argument("--count", type=number_arg(), help="number of sessions in the series")
    add.add_argument("--until", help="date of the last session of the series")
    add.add_argument(
        "--remind",
        action="append",
        help="reminder offset before the start (repeat), default 24h and 1h",
    )
    lst = sub.add_parser("list", help="upcoming sessions of a group")
    lst.add_argument("--group", type=id_arg, required=True)
    cancel = sub.add_parser("cancel", help="cancel an upcoming session")
    cancel.add_argument("session", type=id_arg)
    reminders = sub.add_parser(
        "reminders",
        help="show or set a program's reminder offsets (sessions without their own follow them)",
    )
    reminders.add_argument("--program", required=True, help="program id or name")
    reminders.add_argument("--offsets", help="comma-separated, e.g. 24h,1h or 2d,3h,15m")
    reminders.add_argument(
        "--default", action="store_true", help="back to the defaults (24h and 1h)"
    )
    unreached = sub.add_parser("unreached", help="members a session's messages did not reach")
    unreached.add_argument("session", type=id_arg)
    sessions.set_defaults(handler=cmd_sessions)
