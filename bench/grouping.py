"""How long balanced group formation takes: `.venv/bin/python bench/grouping.py`.

Programs of 3 sides (50/30/20), realistic UTC offsets, default sizes 8-12. Two language settings:
everyone speaks English plus a few others ("lingua franca"), and no common language (each side's
own language, 80% also Russian, 40% also English), where the working-language search does real
work. Prints the best of a few runs, plus a late joiner's placement and a move check.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from bot.domain.grouping import FormationSpec, Member, form_groups, move_member, place_late_joiner

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
        role = rng.choice(("student", "professional"))
        offset = rng.choice(OFFSETS)
        members.append(Member(member_id, side, role, frozenset(languages), offset))
    return members


def best_of(runs: int, work: Callable[[], object]) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    spec = FormationSpec()
    print(f"{'participants':>12} {'languages':>14} {'groups':>7} {'no shared':>9} {'form':>10}")
    for size in (200, 2_000, 20_000):
        for lingua_franca in (True, False):
            members = program(size, lingua_franca)
            formation = form_groups(members, SIDES, spec)
            seconds = best_of(
                3 if size < 20_000 else 1, lambda m=members: form_groups(m, SIDES, spec)
            )
            unshared = sum(1 for group in formation.groups if not group.shared_languages)
            setting = "lingua franca" if lingua_franca else "none common"
            print(
                f"{size:>12,} {setting:>14} {len(formation.groups):>7} {unshared:>9}"
                f" {seconds * 1000:>8.1f}ms"
            )

    members = program(2_000, lingua_franca=False)
    groups = [group.members for group in form_groups(members, SIDES, spec).groups]
    joiner = Member(10**6, "Georgia", "student", frozenset({"ka", "ru"}), 240)
    placing = best_of(5, lambda: place_late_joiner(groups, joiner, spec))
    moving = best_of(5, lambda: move_member(groups, groups[0][0].id, 1, spec))
    print(
        f"2,000 participants: late joiner placed in {placing * 1000:.1f}ms,"
        f" move checked in {moving * 1000:.1f}ms"
    )


if __name__ == "__main__":
    main()
