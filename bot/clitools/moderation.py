"""`bridgebot` subcommands of the moderation part: `bridgebot modlog export --program P --out FILE.csv`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def cmd_modlog(settings: Any, args: argparse.Namespace) -> int:
    from bot.cli import CliError, _in_db
    from bot.services import modlog

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


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this part's subcommands; each sets `handler=fn(settings, args) -> int`."""
    modlog = subparsers.add_parser("modlog", help="the moderation (audit) log")
    sub = modlog.add_subparsers(dest="modlog_command", required=True)
    export = sub.add_parser("export", help="export a program's moderation log as CSV")
    export.add_argument("--program", required=True, help="program id or name")
    export.add_argument("--out", required=True, help="CSV file to write")
    modlog.set_defaults(handler=cmd_modlog)
