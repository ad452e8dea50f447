"""Published goals as the program's report shows them, the evaluator's data package, and goals in
program files."""

from __future__ import annotations

import csv
import json

import pytest

from bot.db.models import Program, SessionSideStats
from bot.domain import criteria
from bot.domain.program_file import ProgramFileInvalid
from bot.features.feedback import evaluation
from bot.features.feedback.evaluation import Scope
from bot.features.programs import program_file as program_file_service
from bot.i18n import use_locale
from bot.reports.csv_export import report_csv
from bot.reports.package import write_package
from bot.reports.summary import summary_messages
from bot.services import criteria as criteria_service
from tests.services.feedback_fixtures import (
    AFTER_CLOSE,
    add_people,
    add_session,
    close_and_answer,
    make_program,
)

K = 5


async def _program_with_answers(runtime):
    program = await make_program(runtime)
    armenia = await add_people(runtime, program, 6, side=0)
    azerbaijan = await add_people(runtime, program, 6, side=1)
    session = await add_session(runtime, program)
    answers = {pid: (5, 4, 5, 5) for pid in armenia} | {pid: (4, 4, 4, 4) for pid in azerbaijan}
    await close_and_answer(runtime, program, session, answers, attendees=armenia + azerbaijan)
    async with runtime.db() as db:
        for side, messages, present in ((0, 1000, 6), (1, 500, 4)):
            db.add(
                SessionSideStats(
                    session_id=session,
                    side_id=program.view.sides[side].id,
                    members=6,
                    present=present,
                    spoke=present,
                    messages=messages,
                    words=messages * 8,
                )
            )
        await criteria_service.set_goals(db, program.view.id, criteria.preset("standard"))
    return program


async def _report(runtime, program):
    async with runtime.db() as db:
        return await evaluation.build_report(
            db, Scope(program.view.id), now=runtime.clock() + AFTER_CLOSE
        )


async def test_goals_are_shown_met_not_yet_met_or_not_measurable(runtime) -> None:
    program = await _program_with_answers(runtime)
    report = await _report(runtime, program)
    with use_locale("en"):
        text = "\n".join(summary_messages(report))
    assert "🎯 Goals published in advance:" in text
    # 10 of 12 member-sessions present: 83%, Wilson interval around it.
    assert "• Attendance at least 80%: 83% (95% CI 55% to 95%), n = 12: met" in text
    # Felt heard: six 5s and six 4s.
    assert "• Felt heard at least 4.00: 4.50 (95% CI 4.17 to 4.83), n = 12: met" in text
    assert (
        "• Trust after minus before above +0.00, with 95% confidence: "
        "not measurable yet (too few answers)" in text
    )
    assert "• Largest side's share of messages at most 60%: 67%, n = 1,500: not yet met" in text
    assert (
        "• Appeals decided within 48 h: at least 100%: not measurable yet (too few answers)" in text
    )
    with use_locale("en"):
        rows = list(csv.reader(report_csv(report).decode("utf-8-sig").splitlines()))
    assert ["goal", "Attendance at least 80%", "met", "12", "0.8333"] == rows[
        [r[1] for r in rows].index("Attendance at least 80%")
    ][:5]


async def test_a_program_without_goals_says_so(runtime) -> None:
    program = await make_program(runtime)
    async with runtime.db() as db:
        report = await evaluation.build_report(db, Scope(program.view.id), now=runtime.clock())
    with use_locale("en"):
        text = "\n".join(summary_messages(report))
    assert "This program has published no goals (program file [[goals]], or /newprogram)." in text


async def test_the_evaluator_package_is_a_valid_tabular_data_package(runtime, tmp_path) -> None:
    program = await _program_with_answers(runtime)
    report = await _report(runtime, program)
    with use_locale("ru"):
        written = write_package(report, tmp_path / "package", now=runtime.clock())
    descriptor = json.loads((tmp_path / "package" / "datapackage.json").read_text("utf-8"))
    assert written[0].name == "datapackage.json"
    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["language"] == "ru"
    names = [r["name"] for r in descriptor["resources"]]
    assert names == [
        "codebook",
        "items",
        "distribution",
        "breakdowns",
        "pre_post",
        "balance",
        "fairness",
        "goals",
    ]
    items = next(r for r in descriptor["resources"] if r["name"] == "items")
    # Field descriptions in the organizer's language.
    assert items["schema"]["fields"][0]["description"] == (
        "Ключ вопроса анкеты, одинаковый на всех языках"
    )
    for resource in descriptor["resources"]:
        path = tmp_path / "package" / resource["path"]
        assert path.exists()
        with path.open(encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        fields = resource["schema"]["fields"]
        assert rows[0] == [f["name"] for f in fields]  # the header is the schema
        for row in rows[1:]:
            assert len(row) == len(fields)
            for f, value in zip(fields, row, strict=True):
                if value == "":
                    continue
                if f["type"] == "integer":
                    int(value)
                elif f["type"] == "number":
                    float(value)
                if f["name"] in ("n", "count", "n_pre", "n_post"):
                    assert int(value) == 0 or int(value) >= K  # no cell below k
    with (tmp_path / "package" / "items.csv").open(encoding="utf-8") as handle:
        items_rows = list(csv.DictReader(handle))
    felt = next(r for r in items_rows if r["item"] == "felt_heard")
    assert (felt["n"], felt["mean"]) == ("12", "4.5")


GOALS_FILE = """
[program]
name = "Spring Exchange"
sides = ["Armenia", "Azerbaijan"]
languages = ["en", "ru"]
timezone = "Asia/Yerevan"

[fairness]
alert_ratio = 1.5

[[goals]]
kind = "attendance"
target = 0.8

[[goals]]
kind = "appeals_answered"
target = 0.9
hours = 48
"""


async def test_program_file_goals_are_applied_and_bad_goals_refused(runtime, clock) -> None:
    async with runtime.db() as db:
        result = await program_file_service.apply(db, GOALS_FILE, now=clock())
    assert [s.status for s in result.sections if s.section == "fairness"] == ["created"]
    async with runtime.db() as db:
        program = (await db.execute(Program.__table__.select())).first()
        row = await db.get(Program, program.id)
        assert row.fairness == {
            "alert_ratio": 1.5,
            "goals": [
                {"kind": "attendance", "target": 0.8},
                {"kind": "appeals_answered", "target": 0.9, "hours": 48},
            ],
        }
        again = await program_file_service.apply(db, GOALS_FILE, now=clock())
    assert [s.status for s in again.sections if s.section == "fairness"] == ["unchanged"]

    bad = GOALS_FILE.replace('kind = "attendance"', 'kind = "happiness"').replace(
        "alert_ratio = 1.5", "alert_ratio = 0.5"
    )
    bad += '\n[[goals]]\nkind = "felt_heard"\ntarget = 7\n'
    async with runtime.db() as db:
        with pytest.raises(ProgramFileInvalid) as raised:
            await program_file_service.apply(db, bad, now=clock())
    from bot.cli import _problem_line

    with use_locale("en"):
        lines = [_problem_line(p) for p in raised.value.problems]
    assert lines == [
        "fairness.alert_ratio: The alert ratio must be a number from 1.1 to 100.",
        "goals[0]: There is no goal happiness; the goals are: attendance, felt_heard, "
        "trust_change, speaking_balance, appeals_answered.",
        "goals[2]: The target of felt_heard must be from 1 to 5.",
    ]


async def test_the_package_validates_with_frictionless(runtime, tmp_path) -> None:
    frictionless = pytest.importorskip("frictionless")
    program = await _program_with_answers(runtime)
    report = await _report(runtime, program)
    with use_locale("en"):
        write_package(report, tmp_path / "package", now=runtime.clock())
    result = frictionless.validate(str(tmp_path / "package" / "datapackage.json"))
    assert result.valid, result.flatten(["rowNumber", "fieldName", "type", "note"])
