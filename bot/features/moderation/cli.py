"""`bridgebot` subcommands of the moderation part.

- `bridgebot modlog export --program P --out FILE.csv`
- `bridgebot rules show --program P`
- `bridgebot rules set --program P [--ladder "warn, warn, mute 1h"] [--expiry 30d] [--flood 5/10s]
  [--raid 20/10s] [--links allow|deny|allowlist] [--domains "a.org b.com"] [--forwards yes|no]`
- `bridgebot rules terms add|remove|list --program P [--language ru] [TERM ...] [--file terms.txt]`

Values are read by the same parsers as /conduct in Telegram (bot/services/rules.py), so a value that
works in one works in the other. `show` prints them in the form `set` reads back. A running bot
on PostgreSQL picks up a change made here at once (a trigger notifies it,
bot/handlers/moderation_sync.py); on SQLite within a minute (its per-group cache).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.clitools.database import CliError
from bot.clitools.database import in_db as _in_db
from bot.clitools.database import now as _now


def cmd_modlog(settings: Any, args: argparse.Namespace) -> int:
    from bot.features.moderation import modlog

    out = Path(args.out)
    if out.parent and not out.parent.exists():
        raise CliError(f"the folder {out.parent} does not exist")

    async def export(db: Any) -> int:
        # Written to a temporary name first, so a failure never leaves half a file behind.
        partial = out.with_name(out.name + ".partial")
        with partial.open("w", encoding="utf-8", newline="") as fh:
            count = await modlog.export_csv(db, args.program, fh)
        partial.replace(out)
        return count

    count = _in_db(settings, export)
    print(f"{count} rows written to {out}")
    return 0


# `rules set` option -> the key changes_from_text reads (in this order, for the "updated" line).
SET_OPTIONS = ("ladder", "expiry", "flood", "raid", "links", "domains", "forwards")


def _show_lines(name: str, view: Any) -> list[str]:
    s = view.settings
    counts = " ".join(f"{loc}={n}" for loc, n in view.term_counts.items()) or "none"
    lines = [
        f"program: {name} ({view.program_id})",
        f"ladder: {view.ladder.spec()}",
        f"expiry: {view.expiry_days}d",
        f"flood: {s['flood_messages']}/{s['flood_seconds']}s",
        f"raid: {s['raid_messages']}/{s['raid_seconds']}s",
        f"links: {s['link_policy']}",
        f"domains: {' '.join(s['allowed_domains'] or ()) or '-'}",
        f"forwards: {'yes' if s['forwards_allowed'] else 'no'}",
        f"filters: {'on' if s['filters_enabled'] else 'off'}",
        f"own terms: {counts}",
    ]
    for override in view.overrides:
        lines.append(f"group {override.name} overrides: {', '.join(override.keys)}")
    return lines


def cmd_rules(settings: Any, args: argparse.Namespace) -> int:
    from bot.features.moderation import rules as rules_service
    from bot.features.programs import service as programs

    if args.rules_command == "set":
        typed = {key: getattr(args, key) for key in SET_OPTIONS if getattr(args, key) is not None}
        if not typed:
            raise CliError(
                "nothing to change: give at least one of "
                + ", ".join(f"--{key}" for key in SET_OPTIONS)
            )
        # Read every value before touching the database: one bad value changes nothing.
        changes: dict[str, Any] = {}
        for key, text in typed.items():
            changes.update(rules_service.changes_from_text(key, text))

        async def apply(db: Any) -> tuple[str, Any]:
            program = await programs.find(db, args.program)
            await rules_service.set_program_settings(
                db, program.id, changes, actor_id=None, now=_now()
            )
            return program.name, await rules_service.program_rules(db, program.id)

        name, view = _in_db(settings, apply)
        print("updated: " + ", ".join(typed))
        print("\n".join(_show_lines(name, view)))
        return 0

    if args.rules_command == "show":

        async def show(db: Any) -> tuple[str, Any]:
            program = await programs.find(db, args.program)
            return program.name, await rules_service.program_rules(db, program.id)

        print("\n".join(_show_lines(*_in_db(settings, show))))
        return 0

    # terms
    verb = args.terms_command
    if verb in ("add", "remove"):
        if not args.language:
            raise CliError(f"terms {verb} needs --language (one of the shipped language codes)")
        if bool(args.terms) == bool(args.file):
            raise CliError(f"terms {verb} needs the terms as arguments or --file FILE, not both")
        if args.file:
            path = Path(args.file)
            if not path.is_file():
                raise CliError(f"no such file: {path}")
            entries = rules_service.terms_from_file(path.read_bytes())
        else:
            entries = list(args.terms)

        async def change(db: Any) -> Any:
            program = await programs.find(db, args.program)
            fn = rules_service.add_terms if verb == "add" else rules_service.remove_terms
            return await fn(db, program.id, args.language, entries, actor_id=None, now=_now())

        result = _in_db(settings, change)
        done, other = ("added", "already there") if verb == "add" else ("removed", "not found")
        print(f"{done} {len(result.changed)}: {', '.join(result.changed) or '-'}")
        if result.unchanged:
            print(f"{other} {len(result.unchanged)}: {', '.join(result.unchanged)}")
        print(f"{result.language}: {result.total} own terms")
        return 0
    if args.terms or args.file:
        raise CliError("terms list takes no terms and no --file")

    async def listing(db: Any) -> dict[str, list[str]]:
        program = await programs.find(db, args.program)
        return await rules_service.list_terms(db, program.id, args.language)

    for language, terms in _in_db(settings, listing).items():
        for term in terms:
            print(f"{language}\t{term}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this part's subcommands; each sets `handler=fn(settings, args) -> int`."""
    modlog = subparsers.add_parser("modlog", help="the moderation (audit) log")
    sub = modlog.add_subparsers(dest="modlog_command", required=True)
    export = sub.add_parser("export", help="export a program's moderation log as CSV")
    export.add_argument("--program", required=True, help="program id or name")
    export.add_argument("--out", required=True, help="CSV file to write")
    modlog.set_defaults(handler=cmd_modlog)

    rules = subparsers.add_parser("rules", help="a program's conduct rule set and blocked terms")
    r_sub = rules.add_subparsers(dest="rules_command", required=True)
    show = r_sub.add_parser("show", help="print the program's rule set")
    show.add_argument("--program", required=True, help="program id or name")
    change = r_sub.add_parser("set", help="change the program's rule set")
    change.add_argument("--program", required=True, help="program id or name")
    change.add_argument("--ladder", help='escalation ladder, e.g. "warn, warn, mute 1h, remove"')
    change.add_argument("--expiry", help="how long warnings count, e.g. 30d or 4w")
    change.add_argument("--flood", help="per-person limit as messages/seconds, e.g. 5/10s")
    change.add_argument("--raid", help="group-wide limit as messages/seconds, e.g. 20/10s")
    change.add_argument("--links", help="link policy: allow, deny or allowlist")
    change.add_argument(
        "--domains", help='allowed sites, e.g. "wikipedia.org bbc.com" ("-" empties)'
    )
    change.add_argument("--forwards", help="forwarded messages allowed: yes or no")
    terms = r_sub.add_parser("terms", help="the program's own blocked terms")
    t_sub = terms.add_subparsers(dest="terms_command", required=True)
    for verb, text in (("add", "add terms"), ("remove", "remove terms"), ("list", "list terms")):
        parser = t_sub.add_parser(verb, help=text)
        parser.add_argument("--program", required=True, help="program id or name")
        parser.add_argument("--language", help="language code, e.g. ru")
        parser.add_argument("--file", help="a UTF-8 text file, one term per line")
        parser.add_argument("terms", nargs="*", help="terms (a trailing * matches inflections)")
    rules.set_defaults(handler=cmd_rules)
