"""What editing a program's blocked terms costs: `.venv/bin/python bench/rules_edit.py`.

For programs with 1,000 and 10,000 own terms (generated words across the shipped languages' alphabets,
a fifth of them stems) on a fresh SQLite database, prints:
- adding them all in one batch (`rules.add_terms`, as a .txt upload or `bridgebot rules terms add
  --file` does: validation, duplicate check, insert, log row);
- adding one more term to the full list (the common edit);
- rebuilding the automaton after a change (`rules.compile_for`: starter lists + own terms), which
  /conduct does off the event loop right after the change so no group message waits for it;
- marking the cached rules of 1,000 groups stale (`invalidate_program`).
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_engine
from bot.domain.programs import ProgramDraft
from bot.features.moderation import rules as rules_service
from bot.features.programs import service as programs

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ALPHABETS = {
    "en": "abcdefghijklmnopqrstuvwxyz",
    "ru": "абвгдежзийклмнопрстуфхцчшщыэюя",
    "ar": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "he": "אבגדהוזחטיכלמנסעפצקרשת",
    "tr": "abcçdefgğhıijklmnoöprsştuüvyz",
}


def words(count: int, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    per_language: dict[str, list[str]] = {lang: [] for lang in ALPHABETS}
    seen: set[str] = set()
    languages = list(ALPHABETS)
    while len(seen) < count:
        lang = languages[len(seen) % len(languages)]
        word = "".join(rng.choice(ALPHABETS[lang]) for _ in range(rng.randint(5, 10)))
        if word in seen:
            continue
        seen.add(word)
        per_language[lang].append(word + ("*" if rng.random() < 0.2 else ""))
    return per_language


@dataclass
class _Group:
    program_id: int


@dataclass
class _Conduct:
    group: _Group


@dataclass
class _Context:
    bot_data: dict


async def bench(total: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        await upgrade_engine(engine)
        factory = create_session_factory(engine)
        async with factory.begin() as db:
            program = await programs.create(
                db,
                ProgramDraft(name="Bench", sides=("A", "B"), languages=("en",), timezone="UTC"),
                creator_id=None,
                now=NOW,
            )
        started = time.perf_counter()
        for lang, entries in words(total, seed=total).items():
            async with factory.begin() as db:
                await rules_service.add_terms(db, program.id, lang, entries, actor_id=None, now=NOW)
        batch = time.perf_counter() - started
        started = time.perf_counter()
        async with factory.begin() as db:
            await rules_service.add_terms(db, program.id, "en", ["zzzyyyx"], actor_id=None, now=NOW)
            effective = await rules_service.for_program(db, program.id)
        one = time.perf_counter() - started
        started = time.perf_counter()
        rules_service.compile_for(effective)
        compile_ms = (time.perf_counter() - started) * 1000
        await engine.dispose()
    print(
        f"{total:>6} own terms: add all {batch * 1000:.0f} ms, add one more {one * 1000:.1f} ms, "
        f"rebuild automaton {compile_ms:.0f} ms"
    )


def bench_invalidate() -> None:
    from bot.features.moderation.handlers import CACHE_KEY, invalidate_program

    cache = {-100 - i: (0.0, _Conduct(_Group(i % 10))) for i in range(1000)}
    context = _Context(bot_data={CACHE_KEY: cache})
    started = time.perf_counter()
    invalidate_program(context, 3)  # type: ignore[arg-type]
    elapsed = (time.perf_counter() - started) * 1e6
    print(f"mark 100 of 1,000 cached groups stale: {elapsed:.0f} µs")


async def main() -> None:
    for total in (1_000, 10_000):
        await bench(total)
    bench_invalidate()


if __name__ == "__main__":
    asyncio.run(main())
