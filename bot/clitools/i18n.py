"""``bridgebot i18n``: the state of every catalog, and keeping them in step with the source.

    bridgebot i18n status [--locale sr]     # per locale: translated, reviewed, drafted, missing
    bridgebot i18n update [--check]         # re-extract the .pot, bring every .po in step
    bridgebot i18n review ka [--all | MSGID ...]   # mark translations as reviewed

The catalog format is described in bot/clitools/catalogs.py and docs/TRANSLATING.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.clitools import catalogs, sr_latn
from bot.config import Settings

ROOT = Path(__file__).resolve().parent.parent.parent


class I18nError(Exception):
    pass


def _locales(args: argparse.Namespace) -> Path:
    return Path(args.root).resolve() / "locales" if args.root else ROOT / "locales"


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    rows = catalogs.status(_locales(args))
    if args.locale:
        if args.locale not in rows:
            print(f"--locale: there is no catalog {args.locale!r}; there are {', '.join(rows)}")
            return 2
        rows = {args.locale: rows[args.locale]}
    for line in catalogs.status_table(rows):
        print(line)
    return 0


def cmd_update(settings: Settings, args: argparse.Namespace) -> int:
    locales = _locales(args)
    root = locales.parent
    if args.check:
        before = {
            p: p.read_bytes()
            for p in [catalogs.template_path(locales), *catalogs.po_paths(locales)]
        }
    changed = catalogs.update(root, prune=not args.keep_obsolete)
    if (locales / sr_latn.SOURCE).exists():
        target = locales / sr_latn.TARGET / "LC_MESSAGES" / "bridgebot.po"
        derived = sr_latn.derive(locales)
        if not target.exists() or target.read_bytes() != derived:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(derived)
            if target not in changed:
                changed.append(target)
    if args.check:
        for path, data in before.items():
            path.write_bytes(data)
        for path in changed:
            print(f"out of date: {path.relative_to(root)}")
        return 1 if changed else 0
    for path in changed:
        print(f"updated {path.relative_to(root)}")
    if not changed:
        print("every catalog is up to date")
    return 0


def cmd_review(settings: Settings, args: argparse.Namespace) -> int:
    locales = _locales(args)
    path = locales / args.locale / "LC_MESSAGES" / "bridgebot.po"
    if not path.exists():
        print(f"there is no catalog {args.locale!r}")
        return 2
    if args.locale == sr_latn.TARGET:
        print("sr_Latn is derived from sr: review sr, then run bridgebot i18n update")
        return 2
    if not args.all and not args.msgid:
        print("name the messages to mark (MSGID ...), or --all after reading the whole catalog")
        return 2
    catalog = catalogs.load(path, args.locale)
    wanted = None if args.all else set(args.msgid)
    marked, problems = 0, []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if wanted is not None and key not in wanted:
            continue
        if wanted is not None:
            wanted.discard(key)
        if catalogs.state(message) == "drafted":
            catalogs.mark_reviewed(message)
            marked += 1
        elif catalogs.state(message) != "reviewed":
            problems.append(f"not marked ({catalogs.state(message)}): {key[:60]!r}")
    problems += [f"no such message: {key[:60]!r}" for key in sorted(wanted or ())]
    catalogs.save(path, catalog)
    for line in problems:
        print(line)
    print(f"{args.locale}: {marked} marked reviewed")
    if args.locale == sr_latn.SOURCE:
        sr_latn.main([str(locales)])
    return 1 if problems else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``bridgebot i18n``; each subcommand sets `handler=fn(settings, args) -> int`."""
    i18n = subparsers.add_parser("i18n", help="translation catalogs: status, update, review")
    i18n.add_argument("--root", help=argparse.SUPPRESS)  # tests: another checkout
    sub = i18n.add_subparsers(dest="i18n_command", required=True)
    status = sub.add_parser(
        "status", help="per locale: how many messages are translated, reviewed, drafted, missing"
    )
    status.add_argument("--locale", help="only this locale")
    status.set_defaults(handler=cmd_status)
    update = sub.add_parser(
        "update",
        help="re-extract locales/bridgebot.pot from the source and update every .po, keeping "
        "translations and review marks",
    )
    update.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a catalog is out of date"
    )
    update.add_argument(
        "--keep-obsolete",
        action="store_true",
        help="keep entries the source no longer has (default: drop them)",
    )
    update.set_defaults(handler=cmd_update)
    review = sub.add_parser("review", help="mark translations of a locale as reviewed")
    review.add_argument("locale")
    review.add_argument("msgid", nargs="*", help="the English message(s) reviewed")
    review.add_argument(
        "--all", action="store_true", help="every translated message (after reading them all)"
    )
    review.set_defaults(handler=cmd_review)
