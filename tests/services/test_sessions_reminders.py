"""A program's reminder offsets: parsing, who may set them, which sessions follow them, and how
upcoming sessions are re-planned (nothing sent twice, nothing owed that would already be late)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import DialogueGroup, DialogueSession, Person
from bot.domain.durations import DurationError
from bot.domain.errors import InvalidInput, NotAllowed
from bot.domain.programs import ProgramDraft
from bot.domain.scheduling import SchedulingError, SessionDraft, reminder_plan
from bot.features.programs import service as programs
from bot.features.sessions import service as sessions_service

H = timedelta(hours=1)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_parse_reminder_offsets() -> None:
    parse = sessions_service.parse_reminder_offsets
    assert parse("24h,1h") == (24 * H, H)
    assert parse(" 1h  24h, 1h ") == (24 * H, H)  # distinct, longest first
    assert parse("2d، 90m") == (48 * H, timedelta(minutes=90))  # an Arabic comma separates too
    assert parse("1w") == (timedelta(days=7),)
    with pytest.raises(SchedulingError) as error:
        parse("15d")
    assert error.value.code == "bad_reminder_offset"
    with pytest.raises(DurationError):
        parse("tomorrow")
    with pytest.raises(InvalidInput) as error:
        parse(" , ")
    assert error.value.code == "no_reminder_offsets"
    with pytest.raises(InvalidInput) as error:
        parse("1h 2h 3h 4h 5h 6h")
    assert error.value.code == "too_many_reminders" and error.value.params == {"limit": 5}


async def _program_with_group(db, name: str) -> tuple[int, int]:
    program = await programs.create(
        db,
        ProgramDraft(name=name, sides=("A", "B"), languages=("en",), timezone="Europe/Berlin"),
        creator_id=None,
        now=NOW,
    )
    group = DialogueGroup(program_id=program.id, name="G", created_at=NOW)
    db.add(group)
    await db.flush()
    return program.id, group.id


async def _session(db, group_id: int, start_local: datetime, **kwargs) -> int:
    created = await sessions_service.create(
        db,
        group_id=group_id,
        actor_id=None,
        admin_ids=(),
        draft=SessionDraft(title="S", start_local=start_local, zone="Europe/Berlin", duration=H),
        now=NOW,
        **kwargs,
    )
    return created.sessions[0].id


async def test_only_sessions_of_the_program_without_their_own_follow(runtime) -> None:
    async with runtime.db() as db:
        program_id, group_id = await _program_with_group(db, "P one")
        _other_program, other_group = await _program_with_group(db, "P two")
        follows = await _session(db, group_id, datetime(2026, 3, 10, 19, 0))
        own = await _session(db, group_id, datetime(2026, 3, 11, 19, 0), reminder_offsets=[2 * H])
        cancelled = await _session(db, group_id, datetime(2026, 3, 12, 19, 0))
        await sessions_service.cancel(
            db, session_id=cancelled, actor_id=None, admin_ids=(), now=NOW
        )
        elsewhere = await _session(db, other_group, datetime(2026, 3, 10, 19, 0))

        result = await sessions_service.set_program_reminders(
            db,
            program_id=program_id,
            actor_id=None,
            admin_ids=(),
            offsets=[3 * H, 48 * H],
            now=NOW,
        )
        assert (result.offsets, result.replanned, result.own) == ((48 * H, 3 * H), 1, 1)
        assert (await sessions_service.get(db, follows)).reminder_offsets == (48 * H, 3 * H)
        assert (await sessions_service.get(db, own)).reminder_offsets == (2 * H,)
        assert (await sessions_service.get(db, elsewhere)).reminder_offsets == (24 * H, H)
        # What the jobs read sees the same offsets.
        near = await sessions_service.near(db, NOW, NOW + timedelta(days=14))
        assert {s.id: s.reminder_offsets for s in near}[follows] == (48 * H, 3 * H)
        # A session planned later follows the program too.
        later = await _session(db, group_id, datetime(2026, 3, 20, 19, 0))
        assert (await sessions_service.get(db, later)).reminder_offsets == (48 * H, 3 * H)

        current = await sessions_service.program_reminders(db, program_id)
        assert (current.offsets, current.is_default) == ((48 * H, 3 * H), False)
        reset = await sessions_service.set_program_reminders(
            db, program_id=program_id, actor_id=None, admin_ids=(), offsets=None, now=NOW
        )
        assert reset.is_default and reset.offsets == (24 * H, H)
        assert (await sessions_service.get(db, follows)).reminder_offsets == (24 * H, H)


async def test_an_organizer_of_another_program_may_not_set_them(runtime) -> None:
    async with runtime.db() as db:
        program_id, _group = await _program_with_group(db, "P three")
        other_id, _other_group = await _program_with_group(db, "P four")
        db.add(Person(id=5_000_000_001, first_name="Ola", created_at=NOW, updated_at=NOW))
        await db.flush()
        await programs.grant_organizer(db, other_id, 5_000_000_001, granted_by=None, now=NOW)
        with pytest.raises(NotAllowed) as error:
            await sessions_service.set_program_reminders(
                db,
                program_id=program_id,
                actor_id=5_000_000_001,
                admin_ids=(),
                offsets=[H],
                now=NOW,
            )
        assert error.value.code == "needs_organizer"
        assert (await sessions_service.program_reminders(db, program_id)).is_default
        # An admin may.
        done = await sessions_service.set_program_reminders(
            db,
            program_id=program_id,
            actor_id=5_000_000_001,
            admin_ids={5_000_000_001},
            offsets=[H],
            now=NOW,
        )
        assert done.offsets == (H,)


async def test_replanning_keeps_an_overdue_unsent_reminder_and_drops_new_late_ones(
    runtime,
) -> None:
    """The bot was down when the 1 h reminder fell due; the organizer changes the offsets 5 minutes
    later (from the command line). The 1 h reminder is still owed (the session has not started);
    the new 2 h one, due before the change, is not."""
    async with runtime.db() as db:
        program_id, group_id = await _program_with_group(db, "P five")
        session_id = await _session(db, group_id, datetime(2026, 3, 10, 19, 0))
        start = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
        change = start - H + timedelta(minutes=5)
        await sessions_service.set_program_reminders(
            db,
            program_id=program_id,
            actor_id=None,
            admin_ids=(),
            offsets=[2 * H, H, timedelta(minutes=15)],
            now=change,
        )
        row = await db.get(DialogueSession, session_id)
        assert row.planned_at == start - H
        view = await sessions_service.get(db, session_id)
        kinds = [
            r.kind for r in reminder_plan(view.starts_at, view.planned_at, view.reminder_offsets)
        ]
        assert kinds == ["remind_1h", "remind_15m"]


async def test_replanning_after_a_sent_reminder_plans_from_now(runtime) -> None:
    from bot.db.models import Delivery

    async with runtime.db() as db:
        program_id, group_id = await _program_with_group(db, "P six")
        session_id = await _session(db, group_id, datetime(2026, 3, 10, 19, 0))
        start = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
        db.add(
            Delivery(
                key=sessions_service.reminder_wave_key("remind_1h", session_id),
                kind="reminder_wave",
                session_id=session_id,
                status="sent",
                claimed_at=start - H,
                done_at=start - H,
            )
        )
        await db.flush()
        change = start - timedelta(minutes=50)
        await sessions_service.set_program_reminders(
            db,
            program_id=program_id,
            actor_id=None,
            admin_ids=(),
            offsets=[H, timedelta(minutes=55), timedelta(minutes=10)],
            now=change,
        )
        planned = await db.scalar(
            select(DialogueSession.planned_at).where(DialogueSession.id == session_id)
        )
        assert planned == change
        view = await sessions_service.get(db, session_id)
        kinds = [
            r.kind for r in reminder_plan(view.starts_at, view.planned_at, view.reminder_offsets)
        ]
        assert kinds == ["remind_10m"]  # 1 h was sent; 55 m would already be late
