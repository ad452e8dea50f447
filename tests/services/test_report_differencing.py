"""Differencing attacks: everything an organizer can ask for, combined, at several times.

An organizer may request the program, every group and every session, as often as they like, in
every format (all formats render the same ``Report``; bot/reports/render.py). These tests take
all of those reports and try what the issue describes: group minus its visible sessions, program
minus its groups, chains of both, and the same report before and after one more answer (or
k - 1 more). A figure counts as recovered when the attack yields it exactly or pins a mean to
within half a scale point; the strongest form of "not recovered" used here is two worlds whose
hidden figure differs by a whole scale point or more while every report of both is identical.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from bot.features.feedback import evaluation
from bot.features.feedback.evaluation import RELEASE_DELAY, Report, Scope
from tests.services.feedback_fixtures import (
    Program,
    add_people,
    add_session,
    close_and_answer,
    make_program,
)

K = 5  # the default k of ratings
K_COMMENTS = 10
SEVEN_DAYS = timedelta(days=7)


async def _report(runtime, scope: Scope, now) -> Report:
    async with runtime.db() as db:
        return await evaluation.build_report(db, scope, now=now)


async def _answer(
    runtime, program, session, people_values, *, group_index=0, comment=None, attendees=None
):
    answers = dict(people_values)
    comments = {pid: f"{comment} {i}" for i, pid in enumerate(answers)} if comment else None
    return await close_and_answer(
        runtime,
        program,
        session,
        answers,
        group_index=group_index,
        comments=comments,
        attendees=attendees,
    )


async def _people(runtime, program, spec, group_index=0):
    """spec: [(side, role, count)] -> person ids in that order."""
    ids = []
    for side, role, count in spec:
        ids += await add_people(
            runtime, program, count, side=side, role=role, group_index=group_index
        )
    return ids


def _view(report: Report) -> dict:
    """Every figure of a report, comparable across programs (ids and names left out)."""
    data = asdict(report)
    for key in ("scope", "program_name", "session_starts_at"):
        data.pop(key)
    data["comments"] = sorted(data["comments"])
    for stats in data["items"]:
        stats["item"] = stats["item"]["key"]
    for row in data["trends"]:
        row["item"] = row["item"]["key"]
        for point in row["points"]:
            point.pop("starts_at")
    for row in data["pre_post"]:
        row["item"] = None
    return data


async def _all_scopes(runtime, program: Program, sessions: dict[str, tuple[int, int]]):
    scopes = [Scope(program.view.id)]
    scopes += [Scope(program.view.id, gid) for gid in program.group_ids]
    scopes += [Scope(program.view.id, program.group_ids[g], sid) for sid, g in sessions.values()]
    return scopes


async def _everything(runtime, program, sessions, now) -> list[dict]:
    return [
        _view(await _report(runtime, scope, now))
        for scope in await _all_scopes(runtime, program, sessions)
    ]


def _figures(report: Report) -> dict[tuple, tuple[int, float]]:
    """(figure) -> (count, sum) for every count a report shows with its mean."""
    out: dict[tuple, tuple[int, float]] = {}
    for stats in report.items:
        key = stats.item.key
        if stats.n:
            out[(key, "all")] = (stats.n, stats.stats.mean * stats.n)
        for axis, cells in (("side", stats.by_side), ("role", stats.by_role)):
            for cell in cells:
                if cell.n:
                    out[(key, axis, cell.label)] = (cell.n, cell.mean * cell.n)
        for bar in stats.bars:
            if bar.count:
                out[(key, "bar", bar.value)] = (bar.count, bar.value * bar.count)
    if report.answered:
        out[("answered",)] = (report.answered, 0.0)
    return out


def _assert_difference_safe(parent: Report, children: list[Report]) -> None:
    """parent minus children, figure by figure: nothing, or a set of at least k answers."""
    shown = _figures(parent)
    for key, (n, total) in shown.items():
        parts = [_figures(child).get(key, (0, 0.0)) for child in children]
        rest_n = n - sum(part[0] for part in parts)
        rest_total = total - sum(part[1] for part in parts)
        assert rest_n == 0 or rest_n >= K, (key, rest_n)
        # Nothing left over means nothing to average: no mean of a hidden few falls out.
        assert rest_n or abs(rest_total) < 1e-6, (key, rest_total)


async def _build_world(runtime, *, swap: bool, name: str):
    """Group 1: S1 (7 answers, sides 4/3), S2 (3) and S3 (2), which pool to 5, S4 (2, waits);
    group 2: S5 (6), S6 (4, waits). With ``swap``, S2 and S3 trade answers between people of
    the same side and role: their means move by whole points, their pool stays the same."""
    program = await make_program(runtime, name=name, groups=2)
    now = runtime.clock()
    sessions = {}
    specs = {
        "S1": (0, [(0, "student", 4), (1, "student", 3)], [5, 5, 4, 4, 2, 1, 1]),
        "S2": (0, [(0, "student", 3)], [5, 5, 5] if not swap else [1, 1, 5]),
        "S3": (0, [(0, "student", 2)], [1, 1] if not swap else [5, 5]),
        "S4": (0, [(1, "professional", 2)], [3, 4]),
        "S5": (1, [(0, "student", 3), (1, "professional", 3)], [4, 4, 4, 2, 2, 2]),
        "S6": (1, [(1, "student", 4)], [1, 2, 3, 4]),
    }
    for week, (title, (group, spec, values)) in enumerate(specs.items()):
        sid = await add_session(
            runtime,
            program,
            group_index=group,
            title=title,
            starts_at=now - timedelta(days=30 - week),
        )
        people = await _people(runtime, program, spec, group_index=group)
        await _answer(
            runtime,
            program,
            sid,
            [(pid, (v, 3, 3, 3)) for pid, v in zip(people, values, strict=True)],
            group_index=group,
        )
        sessions[title] = (sid, group)
    return program, sessions


async def test_two_worlds_differing_in_hidden_sessions_give_identical_reports(runtime) -> None:
    after = runtime.clock() + SEVEN_DAYS + RELEASE_DELAY
    plain, plain_sessions = await _build_world(runtime, swap=False, name="World A")
    swapped, swapped_sessions = await _build_world(runtime, swap=True, name="World B")
    # S2's mean is 5.0 in one world and 2.33 in the other; S3's 1.0 and 5.0: far more than
    # half a point apart, yet every report an organizer can ask for is the same in both.
    seen_plain = await _everything(runtime, plain, plain_sessions, after)
    seen_swapped = await _everything(runtime, swapped, swapped_sessions, after)
    for a, b in zip(seen_plain, seen_swapped, strict=True):
        for ia, ib in zip(a["items"], b["items"], strict=True):
            for key in ia:
                assert ia[key] == ib[key], (key, ia[key], ib[key], a["session_title"])
        for key in a:
            assert a[key] == b[key], (key, a["group_name"], a["session_title"])
    # And the worlds really differ where the reports are silent.
    s2 = Scope(plain.view.id, plain.group_ids[0], plain_sessions["S2"][0])
    assert (await _report(runtime, s2, after)).answered is None


async def test_group_minus_sessions_and_program_minus_groups(runtime) -> None:
    after = runtime.clock() + SEVEN_DAYS + RELEASE_DELAY
    program, sessions = await _build_world(runtime, swap=False, name="World A")
    pid = program.view.id
    program_report = await _report(runtime, Scope(pid), after)
    groups = [await _report(runtime, Scope(pid, gid), after) for gid in program.group_ids]
    by_group: list[list[Report]] = [[], []]
    for sid, group in sessions.values():
        by_group[group].append(
            await _report(runtime, Scope(pid, program.group_ids[group], sid), after)
        )
    # The attacks: group minus its visible sessions (S1 shown; S2+S3 a pool of 5 shown
    # nowhere on its own; S4 waiting, counted nowhere) ...
    visible = [r for r in by_group[0] if r.answered]
    assert [r.session_title for r in visible] == ["S1"]
    assert groups[0].answered == 7 + 3 + 2
    for group, sessions_of in zip(groups, by_group, strict=True):
        _assert_difference_safe(group, sessions_of)
    # ... program minus its groups (exactly nothing is left) ...
    _assert_difference_safe(program_report, groups)
    assert program_report.answered == sum(g.answered or 0 for g in groups)
    # ... and the chain: program minus every visible session.
    _assert_difference_safe(program_report, [r for rs in by_group for r in rs])
    # S1's sides are 4 and 3, S2's and S3's whole session is 3 and 2 people: every one of these
    # answers was stored without its side (bot/domain/anonymity/coarsening.py), so no report
    # breaks them down by side, none shows them as a "no side" cell, and each says how many.
    s1 = next(r for r in by_group[0] if r.session_title == "S1")
    assert s1.items[0].by_side == ()
    assert s1.coarsened == {"side": 7}
    group_felt = groups[0].items[0]
    assert group_felt.by_side == () and group_felt.side_rest == 0
    assert groups[0].coarsened == {"role": 5, "side": 12, "day": 5}
    # The program: group 2's S5 (3 + 3) is coarsened by side and role too; S4 and S6 wait.
    assert program_report.coarsened == {"role": 11, "side": 18, "day": 5}


async def test_reports_do_not_move_with_single_answers(runtime) -> None:
    program = await make_program(runtime, name="Time")
    pid, gid = program.view.id, program.group_ids[0]
    first = await add_session(runtime, program, title="Week 1")
    people = await _people(runtime, program, [(0, "student", 6), (1, "student", 6)])
    await _answer(
        runtime, program, first, [(p, (4, 4, 4, 4)) for p in people[:6]], attendees=people
    )
    sessions = {"Week 1": (first, 0)}
    before = await _everything(runtime, program, sessions, runtime.clock())
    # One more answer, then k - 1 more, while the survey is open: no report changes.
    await _answer(runtime, program, first, [(people[6], (1, 1, 1, 1))], attendees=people)
    assert await _everything(runtime, program, sessions, runtime.clock()) == before
    await _answer(
        runtime, program, first, [(p, (1, 1, 1, 1)) for p in people[7:11]], attendees=people
    )
    assert await _everything(runtime, program, sessions, runtime.clock()) == before
    # Once the survey has closed, all its 11 answers appear together, as one unit ...
    closed = runtime.clock() + SEVEN_DAYS + RELEASE_DELAY
    released = await _report(runtime, Scope(pid, gid, first), closed)
    assert released.answered == 11
    # ... and a late answer can no longer join it (the survey refuses it), so it never moves.
    assert (await _report(runtime, Scope(pid), closed + timedelta(days=60))).answered == 11


async def test_small_sessions_join_a_pool_only_when_it_reaches_k(runtime) -> None:
    program = await make_program(runtime, name="Pools")
    pid, gid = program.view.id, program.group_ids[0]
    start = runtime.clock()
    views = []
    answered = []
    for week, count in enumerate((2, 2, 2, 3, 1), start=1):
        sid = await add_session(runtime, program, title=f"Week {week}")
        people = await _people(runtime, program, [(0, "student", count)])
        await _answer(runtime, program, sid, [(p, (week, 3, 3, 3)) for p in people])
        runtime.clock.advance(days=1)
        group = await _report(runtime, Scope(pid, gid), runtime.clock() + SEVEN_DAYS)
        view = _view(group)
        # Invitations are not answers: who attended a session is the organizer's to know.
        view.pop("invited")
        views.append(view)
        answered.append(group.answered)
    # 2, 2+2, 2+2+2 = 6 >= k: one pool of three sessions; then 3, then 3+1: still waiting.
    assert answered == [None, None, 6, 6, 6]
    assert views[3] == views[2] == views[4]  # the waiting sessions change nothing
    assert start < runtime.clock()


async def test_a_comment_is_shown_in_exactly_one_scope(runtime) -> None:
    program = await make_program(runtime, name="Comments", groups=2)
    sessions = {}
    # S1: 11 comments (its own report); S2, S3: 6 + 5 pooled for group 1; S4: 7 waits.
    for title, group, count in (("S1", 0, 11), ("S2", 0, 6), ("S3", 0, 5), ("S4", 1, 7)):
        sid = await add_session(runtime, program, group_index=group, title=title)
        people = await _people(runtime, program, [(0, "student", count)], group_index=group)
        await _answer(
            runtime,
            program,
            sid,
            [(p, (3, 3, 3, 3)) for p in people],
            group_index=group,
            comment=f"{title} says",
        )
        sessions[title] = (sid, group)
    after = runtime.clock() + SEVEN_DAYS + RELEASE_DELAY
    seen: dict[str, str] = {}
    shown_in: dict[str, set[str]] = {}
    for scope in await _all_scopes(runtime, program, sessions):
        report = await _report(runtime, scope, after)
        for comment in report.comments:
            assert comment not in seen, (comment, seen.get(comment), scope.level)
            seen[comment] = scope.level
            shown_in.setdefault(scope.level, set()).add(comment.split()[0])
        if report.comments:
            assert report.comment_count is not None and report.comment_count >= K_COMMENTS
    assert shown_in == {"session": {"S1"}, "group": {"S2", "S3"}}
    assert not any(c.startswith("S4") for c in seen)  # 7 < 10: waits for another session


async def test_program_surveys_are_released_in_steps_of_k(runtime) -> None:
    from bot.features.feedback import surveys
    from tests.services.feedback_fixtures import answer_program_survey

    program = await make_program(runtime, name="PrePost")
    people = await _people(runtime, program, [(0, "student", 12)])
    seen = []
    for batch in (people[:6], people[6:7], people[7:10], people[10:11], people[11:12]):
        await answer_program_survey(
            runtime, program, surveys.PRE_PROGRAM, {p: (3, 3, 3, 3, 50) for p in batch}
        )
        report = await _report(runtime, Scope(program.view.id), runtime.clock())
        trust = next(row for row in report.pre_post if row.construct == "trust")
        seen.append(trust.n_pre)
    # 6 released; 1 and then 3 more (4 < k) change nothing; the 5th new answer releases all 11.
    # A single answer never shows as the difference of two reports.
    assert seen == [6, 6, 6, 11, 11]
