"""Backup and restore of a large program: `.venv/bin/python bench/backup.py [--pg URL] [--responses N]`.

Seeds the program of bench/reports.py (200 groups x 5 closed sessions, 100,000 post-session
responses with their answers, pre/post responses, 5,000 moderation actions, reports, appeals) into
a scratch SQLite file and, with --pg, a scratch PostgreSQL database; then times the real
`bridgebot backup` and `bridgebot restore` processes (start-up included) and prints the rows, the
file's size and the times. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import reports
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_engine

ROOT = Path(__file__).resolve().parents[1]
ENV = {
    "BRIDGEBOT_SECRET": "bench-secret-0123456789abcdef",
    "BRIDGEBOT_BACKUP_PASSPHRASE": "a bench backup passphrase",
}


def bridgebot(url: str, *args: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIDGEBOT_", "DATABASE_URL"))}
    env.update(ENV, DATABASE_URL=url)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"bridgebot {' '.join(args)} failed: {result.stderr.strip()}")
    print("   ", result.stdout.strip().replace("\n", "\n    "))
    return elapsed


async def seed(url: str) -> int:
    engine = create_engine(url)
    await upgrade_engine(engine)
    await reports.seed(create_session_factory(engine))
    async with engine.connect() as conn:
        names = [
            r[0]
            for r in (
                await conn.execute(
                    text(
                        "SELECT name FROM sqlite_master WHERE type='table'"
                        if url.startswith("sqlite")
                        else "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = current_schema()"
                    )
                )
            ).all()
        ]
        rows = 0
        for name in names:
            rows += (await conn.execute(text(f'SELECT count(*) FROM "{name}"'))).scalar_one()
    await engine.dispose()
    return rows


async def admin(url: str, statement: str) -> None:
    engine = create_engine(make_url(url).set(database="postgres").render_as_string(False))
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(statement))
    await engine.dispose()


def measure(name: str, source: str, target: str, folder: Path) -> None:
    rows = asyncio.run(seed(source))
    out = folder / f"{name}.backup"
    backup_s = bridgebot(source, "backup", "--out", str(out))
    restore_s = bridgebot(target, "restore", str(out))
    print(
        f"{name}: {rows:,} rows; backup {backup_s:.1f} s, {out.stat().st_size / 1e6:.1f} MB; "
        f"restore {restore_s:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--pg", nargs="?", const="postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--responses", type=int, default=reports.RESPONSES)
    args = parser.parse_args()
    reports.RESPONSES = args.responses
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        measure(
            "sqlite",
            f"sqlite+aiosqlite:///{folder / 'source.db'}",
            f"sqlite+aiosqlite:///{folder / 'restored.db'}",
            folder,
        )
        if args.pg:
            names = [f"bench_backup_{uuid.uuid4().hex[:8]}" for _ in range(2)]
            urls = [make_url(args.pg).set(database=n).render_as_string(False) for n in names]
            for n in names:
                asyncio.run(admin(args.pg, f'CREATE DATABASE "{n}"'))
            try:
                measure("postgresql", urls[0], urls[1], folder)
            finally:
                for n in names:
                    asyncio.run(admin(args.pg, f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
