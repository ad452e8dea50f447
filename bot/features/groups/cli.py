"""`bridgebot` subcommands of the groups part.

    bridgebot groups form --program NAME_OR_ID [--min 8 --max 12 --seed 1 --tracks] [--confirm]
    bridgebot groups list --program NAME_OR_ID

``form`` prints the same preview /formgroups shows; with ``--confirm`` it writes the groups and prints
the link codes. Participants hear from the running bot: each gets a personal join link when their
group's Telegram chat is linked with /link CODE.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.clitools.database import in_db as _in_db
from bot.clitools.database import now as _now
from bot.clitools.numbers import number_arg
from bot.config import Settings


def _form(settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.grouping import FormationSpec
    from bot.features.groups import service as groups
    from bot.features.groups.handlers import preview_text
    from bot.features.programs import service as programs
    from bot.i18n import _, use_locale

    spec = FormationSpec(
        min_size=args.min, max_size=args.max, separate_role_tracks=args.tracks, seed=args.seed
    )
    now = _now()

    async def work(db: Any) -> tuple[str, list[groups.CreatedGroup]]:
        program = await programs.find(db, args.program)
        shown = await groups.preview(db, program.id, spec, now)
        with use_locale(settings.default_locale):
            text = preview_text(shown, now)
        created = (
            await groups.confirm(db, program.id, spec, shown.roster.fingerprint, now)
            if args.confirm
            else []
        )
        return text, created

    text, created = _in_db(settings, work)
    print(text)
    if created:
        with use_locale(settings.default_locale):
            print()
            for group in created:
                print(
                    _(
                        "{group}: code {code}",
                        group=_("Group {name}", name=group.name),
                        code=group.link_code,
                    )
                )
            print(
                _(
                    "For each group: create a Telegram group, add me as an administrator (delete messages, restrict "
                    "and ban members, invite users, pin messages) and send /link CODE there."
                )
            )
    return 0


def _list(settings: Settings, args: argparse.Namespace) -> int:
    from bot.features.groups import service as groups
    from bot.features.groups.handlers import overview_text
    from bot.features.programs import service as programs
    from bot.i18n import use_locale

    async def work(db: Any) -> str:
        program = await programs.find(db, args.program)
        items = await groups.overview(db, program.id)
        with use_locale(settings.default_locale):
            return overview_text(program.name, items)

    print(_in_db(settings, work))
    return 0


def cmd_groups(settings: Settings, args: argparse.Namespace) -> int:
    return _form(settings, args) if args.groups_command == "form" else _list(settings, args)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this part's subcommands; each sets `handler=fn(settings, args) -> int`."""
    parser = subparsers.add_parser("groups", help="form and list dialogue groups")
    sub = parser.add_subparsers(dest="groups_command", required=True)
    form = sub.add_parser("form", help="preview balanced groups (and create them with --confirm)")
    form.add_argument("--program", required=True, help="program id or name")
    form.add_argument("--min", type=number_arg(), default=8, help="smallest group size (default 8)")
    form.add_argument("--max", type=number_arg(), default=12, help="largest group size (default 12)")
    form.add_argument(
        "--seed", type=number_arg(0), default=1, help="another seed gives another balanced arrangement"
    )
    form.add_argument(
        "--tracks", action="store_true", help="students and professionals in separate groups"
    )
    form.add_argument("--confirm", action="store_true", help="create the groups shown")
    listing = sub.add_parser("list", help="the program's groups, their codes and status")
    listing.add_argument("--program", required=True, help="program id or name")
    parser.set_defaults(handler=cmd_groups)
