"""Fairness in the organizers' report: sanctions, reports and appeals per side, as each format shows
them, released by whole weeks pooled to k so that no two reports difference."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from bot.db.models import Appeal, Report, SessionSideStats
from bot.features.feedback import evaluation
from bot.features.feedback.evaluation import Scope
from bot.features.groups import lookup as group_lookup
from bot.features.moderation import service as mod
from bot.i18n import use_locale
from bot.reports.csv_export import report_csv
from bot.reports.html_export import report_html
from bot.reports.summary import summary_messages
from tests.services.feedback_fixtures import add_people, add_session, make_program

WEEK = timedelta(days=7)


async def _setup(runtime):
    program = await make_program(runtime)
    armenia = await add_people(runtime, program, 6, side=0)
    azerbaijan = await add_people(runtime, program, 6, side=1)
    session = await add_session(runtime, program)
    async with runtime.db() as db:
        for side, messages in ((0, 1000), (1, 500)):
            db.add(
                SessionSideStats(
                    session_id=session,
                    side_id=program.view.sides[side].id,
                    members=6,
                    present=6,
                    spoke=6,
                    messages=messages,
                    words=messages * 8,
                )
            )
    return program, armenia, azerbaijan


async def _sanction(runtime, program, person_id, *, rule=None, actor_id=None):
    async with runtime.db() as db:
        group = await group_lookup.by_id(db, program.group_ids[0])
        target = mod.Target(person_id, f"P{person_id}", "en")
        return await mod.offence(
            db,
            group,
            target,
            actor_id=actor_id,
            actor_rule=f"filter:{rule}" if rule else None,
            reason=None if rule else "rude",
            now=runtime.clock(),
        )


async def _report(runtime, program, *, at):
    async with runtime.db() as db:
        return await evaluation.build_report(db, Scope(program.view.id), now=at)


def _text(report) -> str:
    with use_locale("en"):
        return "\n".join(summary_messages(report))


async def test_report_shows_sanctions_per_side_by_rule_and_who_acted(runtime, clock) -> None:
    program, armenia, azerbaijan = await _setup(runtime)
    moderator = azerbaijan[-1]  # a moderator enrolled on Azerbaijan's side
    for person in armenia:
        await _sanction(runtime, program, person, rule="blocked_term")
    for person in azerbaijan[:3]:
        await _sanction(runtime, program, person, rule="flood")
    for person in azerbaijan[3:5]:
        await _sanction(runtime, program, person, actor_id=moderator)

    # The week has not ended: nothing is counted yet.
    text = _text(await _report(runtime, program, at=clock()))
    assert "⚖️ Fairness of moderation, per side:" in text
    assert "No sanctions, reports or appeals are counted yet" in text

    report = await _report(runtime, program, at=clock() + WEEK + timedelta(hours=2))
    text = _text(report)
    assert "Armenia: sanctions 6, 6.0 per 1,000 messages" in text
    assert "by rule: offensive or threatening words: 6" in text
    assert "by who acted: automatic filter: 6" in text
    # Azerbaijan: 5 sanctions (10 per 1,000 of its 500 messages), 3 by a filter and 2 by a
    # moderator: both below k, so both are hidden and counted as not broken down.
    assert "Azerbaijan: sanctions 5, 10.0 per 1,000 messages" in text
    assert "by rule: not broken down: 5" in text
    assert "share of messages 67%, share of members 50%" in text
    assert "Moderation is counted by week once the week has ended" in text

    rows = list(csv.reader(io.StringIO(report_csv_text(report))))
    fairness = [row for row in rows if row[0] == "fairness"]
    assert ["fairness", "sanctions", "Armenia", "6", "6.0000", "", "", ""] in fairness
    assert ["fairness", "sanctions", "Azerbaijan", "5", "10.0000", "", "", ""] in fairness
    assert [
        "fairness",
        "sanctions: offensive or threatening words",
        "Armenia",
        "6",
        "",
        "",
        "",
        "",
    ] in fairness
    assert ["fairness", "sanctions", "Azerbaijan", "5", "", "", "", "not broken down"] in fairness
    # No count between 1 and k-1 is written anywhere in the section.
    assert all(not row[3].isdigit() or int(row[3]) == 0 or int(row[3]) >= 5 for row in fairness)

    from bot.reports.chart import fairness_png

    with use_locale("ar"):
        png = fairness_png(report)
    assert png is not None and png[:8] == b"\x89PNG\r\n\x1a\n"  # the fairness chart, in Arabic
    with use_locale("en"):
        page = report_html(report)
    assert '<ul id="fairness">' in page and "Armenia: sanctions 6" in page

    with use_locale("ru"):
        russian = "\n".join(summary_messages(report))
    assert "⚖️ Справедливость модерации по сторонам:" in russian
    assert "Armenia: санкций 6, 6,0 на 1000 сообщений" in russian


def report_csv_text(report) -> str:
    with use_locale("en"):
        return report_csv(report).decode("utf-8-sig")


async def test_small_weeks_are_pooled_and_one_more_sanction_changes_nothing(runtime, clock) -> None:
    program, armenia, azerbaijan = await _setup(runtime)
    for person in armenia[:3]:
        await _sanction(runtime, program, person, rule="link")
    after_first = clock() + WEEK + timedelta(hours=2)
    text = _text(await _report(runtime, program, at=after_first))
    assert "No sanctions, reports or appeals are counted yet" in text  # 3 < k: waits for a pool
    clock.advance(days=7)
    for person in armenia[3:5]:
        await _sanction(runtime, program, person, rule="link")
    before = _text(await _report(runtime, program, at=clock() + WEEK + timedelta(hours=2)))
    assert "Armenia: sanctions 5, 5.0 per 1,000 messages" in before
    assert "Azerbaijan: sanctions 0" in before
    # One more sanction in a week that has ended long ago changes no figure: a new one only
    # counts in its own week, which pools with later ones until they reach k.
    clock.advance(days=7)
    await _sanction(runtime, program, azerbaijan[0], rule="link")
    after = _text(await _report(runtime, program, at=clock() + WEEK + timedelta(hours=2)))
    assert after == before


async def test_reports_and_appeals_per_side_with_time_to_decide(runtime, clock) -> None:
    program, armenia, azerbaijan = await _setup(runtime)
    async with runtime.db() as db:
        for index, person in enumerate(armenia[:5]):
            db.add(
                Report(
                    group_id=program.group_ids[0],
                    chat_id=-100,
                    message_id=index + 1,
                    reported_id=person,
                    reported_side_id=program.view.sides[0].id,
                    created_at=clock(),
                    handled_at=clock() + timedelta(hours=2),
                    outcome="warn",
                )
            )
    decisions = []
    for person in azerbaijan[:5]:
        decisions.append(await _sanction(runtime, program, person, rule="forward"))
    async with runtime.db() as db:
        for decision in decisions:
            db.add(
                Appeal(
                    action_id=decision.action_id,
                    person_id=None,
                    created_at=clock(),
                    status="accepted",
                    decided_at=clock() + timedelta(hours=10),
                )
            )
    text = _text(await _report(runtime, program, at=clock() + WEEK + timedelta(hours=2)))
    assert "reports about them: filed 5; decided: acted on 5, dismissed 0" in text
    assert "appeals: filed 5; decided: upheld 5, rejected 0; within 48 h: 5" in text
    assert "mean time to decide: reports 2.0 h, appeals —" in text
    assert "mean time to decide: reports —, appeals 10.0 h" in text


async def test_a_program_with_one_side_says_so(runtime, clock) -> None:
    program = await make_program(runtime)
    await add_people(runtime, program, 6, side=0)  # nobody enrolled on the other side
    text = _text(await _report(runtime, program, at=clock()))
    assert "Only one side has members here: there is nothing to compare between sides." in text
    assert "No sanctions, reports or appeals are counted yet" in text
