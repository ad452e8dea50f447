"""`bridgebot sessions add/list/cancel` against a real database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from bot.cli import main
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import DialogueGroup, DialogueSession
from bot.domain.programs import ProgramDraft
from bot.features.programs import service as programs


def _setup(url: str, name: str) -> int:
    async def go() -> int:
        engine = create_engine(url)
        factory = create_session_factory(engine)
        now = datetime(2026, 1, 5, tzinfo=UTC)
        async with factory.begin() as db:
            program = await programs.create(
                db,
                ProgramDraft(
                    name=name, sides=("A", "B"), languages=("en",), timezone="America/New_York"
                ),
                creator_id=None,
                now=now,
            )
            group = DialogueGroup(program_id=program.id, name="G", created_at=now)
            db.add(group)
            await db.flush()
            group_id = group.id
        await engine.dispose()
        return group_id

    return asyncio.run(go())


def _starts(url: str, group_id: int) -> list[tuple[datetime, str]]:
    async def go():
        engine = create_engine(url)
        async with create_session_factory(engine)() as db:
            rows = (
                await db.execute(
                    select(DialogueSession.starts_at, DialogueSession.status)
                    .join(DialogueGroup, DialogueGroup.id == DialogueSession.group_id)
                    .where(DialogueGroup.id == group_id)
                    .order_by(DialogueSession.starts_at)
                )
            ).all()
        await engine.dispose()
        return [(s, st) for s, st in rows]

    return asyncio.run(go())


def test_cli_adds_a_series_across_the_american_dst_change_lists_and_cancels(
    database_url, monkeypatch, capsys
):
    monkeypatch.setenv("DATABASE_URL", database_url)
    group_id = _setup(database_url, "CLI Exchange one")
    # 18:00 in New York, weekly from 2027-03-02: DST starts on 14 March 2027 (UTC-5 -> UTC-4).
    code = main(
        [
            "sessions",
            "add",
            "--group",
            str(group_id),
            "--start",
            "2027-03-02 18:00",
            "--title",
            "Evening",
            "--duration",
            "1h",
            "--every-weeks",
            "1",
            "--until",
            "2027-03-16",
            "--agenda",
            "Hello:10",
            "--remind",
            "2h",
        ]
    )
    assert code == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 3
    starts = _starts(database_url, group_id)
    assert [s for s, _ in starts] == [
        datetime(2027, 3, 2, 23, 0, tzinfo=UTC),
        datetime(2027, 3, 9, 23, 0, tzinfo=UTC),
        datetime(2027, 3, 16, 22, 0, tzinfo=UTC),
    ]
    assert main(["sessions", "list", "--group", str(group_id)]) == 0
    listing = capsys.readouterr().out
    assert listing.count("Evening") == 3 and "seq=0" in listing


def test_cli_refuses_bad_input_with_one_line(database_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    group_id = _setup(database_url, "CLI Exchange two")
    base = ["sessions", "add", "--group", str(group_id), "--title", "X"]
    assert main([*base, "--start", "2027-02-31 18:00"]) == 2
    assert capsys.readouterr().err.strip() == "bridgebot: There is no such day: 2027-02-31."
    assert main([*base, "--start", "2027-03-02 18:00", "--zone", "Mars/Base"]) == 2
    assert capsys.readouterr().err.strip() == "bridgebot: I don't know the time zone Mars/Base."
    assert main([*base, "--start", "2027-03-02 18:00", "--every-weeks", "1"]) == 2
    assert "needs an end" in capsys.readouterr().err
    assert main([*base, "--start", "2020-03-02 18:00"]) == 2
    assert "already passed" in capsys.readouterr().err
    assert _starts(database_url, group_id) == []


def _program_minutes(url: str, name: str):
    from bot.db.models import Program

    async def go():
        engine = create_engine(url)
        async with create_session_factory(engine)() as db:
            value = await db.scalar(select(Program.reminder_minutes).where(Program.name == name))
        await engine.dispose()
        return value

    return asyncio.run(go())


def test_cli_shows_sets_and_resets_a_programs_reminders(database_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    group_id = _setup(database_url, "CLI Exchange three")
    add = ["sessions", "add", "--group", str(group_id), "--title", "Evening"]
    assert main([*add, "--start", "2027-03-02 18:00"]) == 0
    assert main([*add, "--start", "2027-03-09 18:00", "--remind", "2h"]) == 0
    capsys.readouterr()
    program = ["sessions", "reminders", "--program", "CLI Exchange three"]

    assert main(program) == 0
    assert (
        capsys.readouterr().out.strip().endswith("CLI Exchange three\treminders: 1d,1h (default)")
    )
    assert main([*program, "--offsets", "2d, 3h,15m"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].endswith("CLI Exchange three\treminders: 2d,3h,15m")
    assert out[1] == (
        "re-planned 1 upcoming session(s); 1 keep their own offsets; "
        "reminders already sent are not sent again"
    )
    assert _program_minutes(database_url, "CLI Exchange three") == [2880, 180, 15]

    assert main([*program, "--offsets", "15d"]) == 2
    assert capsys.readouterr().err.strip() == (
        "bridgebot: Reminders can be sent between 1 minute and 14 days before a session."
    )
    assert main([*program, "--offsets", "soon"]) == 2
    assert "I can't read the duration soon" in capsys.readouterr().err
    assert main(["sessions", "reminders", "--program", "Nope", "--offsets", "1h"]) == 2
    assert capsys.readouterr().err.strip() == "bridgebot: There is no such program."
    assert main([*program, "--offsets", "1h", "--default"]) == 2
    assert "not both" in capsys.readouterr().err
    assert _program_minutes(database_url, "CLI Exchange three") == [2880, 180, 15]

    assert main([*program, "--default"]) == 0
    assert "reminders: 1d,1h (default)" in capsys.readouterr().out
    assert _program_minutes(database_url, "CLI Exchange three") is None
