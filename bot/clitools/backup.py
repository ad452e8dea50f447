"""`bridgebot backup` and `bridgebot restore` (bot/db/backup.py does the work).

    bridgebot backup --out FILE [--passphrase-file FILE]
    bridgebot restore FILE [--force] [--passphrase-file FILE] [--secret-out FILE]

The passphrase comes from --passphrase-file, else BRIDGEBOT_BACKUP_PASSPHRASE (or
BRIDGEBOT_BACKUP_PASSPHRASE_FILE), else it is asked for on the terminal. Each failure ends with one
line on stderr and its own exit status (docs/OPERATIONS.md, "Backup and restore").
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from bot.config import OperatorError, Settings

MIN_PASSPHRASE = 10


def _passphrase(args: argparse.Namespace, *, confirm: bool) -> bytes:
    from bot.db.backup import EXIT_USAGE

    path = args.passphrase_file or os.environ.get("BRIDGEBOT_BACKUP_PASSPHRASE_FILE")
    if path and os.environ.get("BRIDGEBOT_BACKUP_PASSPHRASE"):
        if not args.passphrase_file:
            raise OperatorError(
                "BRIDGEBOT_BACKUP_PASSPHRASE and BRIDGEBOT_BACKUP_PASSPHRASE_FILE are both set: "
                "keep only one of them",
                EXIT_USAGE,
            )
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise OperatorError(
                f"cannot read the passphrase file {path}: {exc}", EXIT_USAGE
            ) from None
    elif os.environ.get("BRIDGEBOT_BACKUP_PASSPHRASE"):
        value = os.environ["BRIDGEBOT_BACKUP_PASSPHRASE"]
    elif sys.stdin.isatty():
        value = getpass.getpass("Backup passphrase: ")
        if confirm and getpass.getpass("Again: ") != value:
            raise OperatorError("the two passphrases differ", EXIT_USAGE)
    else:
        raise OperatorError(
            "no passphrase: set BRIDGEBOT_BACKUP_PASSPHRASE, or pass --passphrase-file FILE",
            EXIT_USAGE,
        )
    if confirm and len(value) < MIN_PASSPHRASE:
        raise OperatorError(
            f"the passphrase is too short: use at least {MIN_PASSPHRASE} characters", EXIT_USAGE
        )
    if not value:
        raise OperatorError("the passphrase is empty", EXIT_USAGE)
    return value.encode("utf-8")


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from bot.db.backup import backup

    outcome = backup(settings, Path(args.out), _passphrase(args, confirm=True))
    print(
        f"backed up {outcome.rows} rows in {len(outcome.tables)} tables (schema {outcome.revision}) "
        f"and the server secret to {outcome.path}: {_size(outcome.size)}, encrypted, "
        f"{outcome.seconds:.1f} s"
    )
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from bot.db.backup import restore

    outcome = restore(
        settings,
        Path(args.file),
        _passphrase(args, confirm=False),
        force=args.force,
        secret_out=Path(args.secret_out) if args.secret_out else None,
    )
    lines = [
        f"restored {outcome.rows} rows in {len(outcome.tables)} tables (schema {outcome.revision}); "
        f"every table's row count matches the backup ({outcome.seconds:.1f} s)"
    ]
    if outcome.migrated_to:
        lines.append("the schema was then upgraded to this version's")
    if outcome.secret_written:
        lines.append(f"the server secret is in {outcome.secret_written}")
    print("\n".join(lines))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    backup = subparsers.add_parser(
        "backup", help="write an encrypted, consistent copy of the database and the secret"
    )
    backup.add_argument("--out", required=True, help="the backup file to write")
    backup.add_argument("--passphrase-file", help="read the passphrase from this file")
    backup.set_defaults(handler=cmd_backup)

    restore = subparsers.add_parser("restore", help="restore a backup into DATABASE_URL")
    restore.add_argument("file", help="a file written by `bridgebot backup`")
    restore.add_argument("--passphrase-file", help="read the passphrase from this file")
    restore.add_argument(
        "--force", action="store_true", help="replace a database that already holds data"
    )
    restore.add_argument(
        "--secret-out",
        help="write the backup's server secret to this file (instead of BRIDGEBOT_SECRET_FILE)",
    )
    restore.set_defaults(handler=cmd_restore)
