"""How long `program apply` takes for a large file: 20 groups, each with a 52-week series.

    .venv/bin/python bench/program_apply.py

Prints the time to parse the file, to apply it the first time (1,040 sessions created), and to
re-apply it unchanged (every session matched), on a fresh SQLite database.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.config import SUPPORTED_LOCALES
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_engine
from bot.db.models import DialogueGroup
from bot.domain.program_file import parse
from bot.features.programs import program_file
from bot.features.programs import service as programs

GROUPS = 20
WEEKS = 52
NOW = datetime(2026, 1, 5, tzinfo=UTC)


def program_text(with_sessions: bool) -> str:
    text = """
[program]
name = "Bench"
sides = ["A", "B"]
languages = ["en", "ru"]
timezone = "Europe/Berlin"
[conduct]
ladder = "warn, mute 1h, remove"
[conduct.blocked_terms]
en = "alpha*\\nbeta gamma"
"""
    if with_sessions:
        for group in range(1, GROUPS + 1):
            text += f"""
[[sessions]]
group = "{group}"
title = "Weekly {group}"
start = "2026-02-{(group % 20) + 2:02d} 19:00"
every_weeks = 1
count = {WEEKS}
agenda = [{{ title = "Talk", minutes = 60 }}]
"""
    return text


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        engine = create_engine(url)
        await upgrade_engine(engine)
        factory = create_session_factory(engine)
        async with factory.begin() as db:
            await program_file.apply(db, program_text(False), now=NOW)
            program = await programs.find(db, "Bench")
            for group in range(1, GROUPS + 1):
                db.add(DialogueGroup(program_id=program.id, name=str(group), created_at=NOW))
        text = program_text(True)
        started = time.perf_counter()
        parse(text, supported_locales=SUPPORTED_LOCALES)
        print(f"parse {GROUPS * WEEKS} sessions: {(time.perf_counter() - started) * 1000:.0f} ms")
        for label in ("first apply (creates)", "re-apply (unchanged)"):
            started = time.perf_counter()
            async with factory.begin() as db:
                report = await program_file.apply(db, text, now=NOW)
            elapsed = time.perf_counter() - started
            print(f"{label}: {elapsed * 1000:.0f} ms, changed={report.changed}")
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
