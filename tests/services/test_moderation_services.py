"""Moderation services over the database: program rules, the ladder, and the CSV export."""

from __future__ import annotations

import asyncio
import csv
from datetime import timedelta

import pytest

from bot.db.models import DialogueGroup
from bot.domain.conduct import ConductError
from bot.domain.conduct.reasons import ReasonCode
from bot.domain.programs import ProgramDraft
from bot.features.groups import lookup as group_lookup
from bot.features.moderation import rules as rules_service
from bot.features.moderation import service as mod
from bot.features.programs import service as programs
from bot.services import people
from bot.services.people import TelegramIdentity

BORIS = TelegramIdentity(id=2**40 + 5, first_name="Boris", username="boris", language_code="ru")
MONA = TelegramIdentity(id=2**40 + 6, first_name="Mona", language_code="en")


async def _group(runtime):
    async with runtime.db() as db:
        program = await programs.create(
            db,
            ProgramDraft(name="Exchange", sides=("A", "B"), languages=("en", "ru"), timezone="UTC"),
            creator_id=None,
            now=runtime.clock(),
        )
        group = DialogueGroup(
            program_id=program.id, name="G1", chat_id=-1001234, created_at=runtime.clock()
        )
        db.add(group)
        await db.flush()
        await people.upsert(db, MONA, runtime.clock())
        return await group_lookup.by_id(db, group.id)


async def test_program_ladder_is_configurable_and_shared_by_manual_and_automatic(
    runtime, clock
) -> None:
    group = await _group(runtime)
    async with runtime.db() as db:
        await rules_service.set_program_settings(
            db,
            group.program_id,
            {"ladder": "warn, ban 1d", "warning_expiry_days": 7},
            actor_id=None,
            now=clock(),
        )
        target = await mod.known_target(db, BORIS, None, clock())
        first = await mod.offence(
            db, group, target, actor_id=None, actor_rule="filter:flood", reason=None, now=clock()
        )
        second = await mod.offence(db, group, target, actor_id=MONA.id, reason="again", now=clock())
    assert (first.kind, second.kind) == ("warn", "ban")
    assert second.duration == timedelta(days=1)
    clock.advance(days=8)
    async with runtime.db() as db:
        third = await mod.offence(
            db, group, target, actor_id=None, actor_rule="filter:link", reason=None, now=clock()
        )
    assert third.kind == "warn"  # both earlier strikes expired after 7 days


async def test_bad_program_settings_are_refused(runtime, clock) -> None:
    group = await _group(runtime)
    async with runtime.db() as db:
        with pytest.raises(ConductError) as info:
            await rules_service.set_program_settings(
                db, group.program_id, {"ladder": "warn, explode"}, actor_id=None, now=clock()
            )
    assert info.value.code == "bad_step"


async def test_failed_actions_do_not_count_as_strikes(runtime, clock) -> None:
    group = await _group(runtime)
    async with runtime.db() as db:
        target = await mod.known_target(db, BORIS, None, clock())
        decision = await mod.offence(
            db, group, target, actor_id=None, actor_rule="filter:x", reason=None, now=clock()
        )
        await mod.record_failure(db, decision.action_id, "missing_right:can_restrict_members")
        view = await mod.warns(db, group, target, clock())
    assert view.strikes == ()


async def test_csv_export_through_the_command_line(
    runtime, clock, database_url, tmp_path, monkeypatch
) -> None:
    group = await _group(runtime)
    async with runtime.db() as db:
        target = await mod.known_target(db, BORIS, None, clock())
        await mod.offence(
            db,
            group,
            target,
            actor_id=None,
            actor_rule="filter:blocked_term",
            reason=None,
            rule="kys",
            excerpt="kys now",
            message_id=5,
            now=clock(),
        )
        await mod.sanction(
            db,
            group,
            target,
            mod.MUTE,
            actor_id=MONA.id,
            reason="spam",
            duration=timedelta(hours=2),
            now=clock(),
        )
        await mod.sanction(
            db,
            group,
            target,
            mod.KICK,
            actor_id=MONA.id,
            reason=None,
            reason_code=ReasonCode.REPORTED_MESSAGE,
            duration=None,
            now=clock(),
        )
    from bot.cli import main

    out = tmp_path / "log.csv"
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    # The command line runs its own event loop, as it does from a shell.
    assert (
        await asyncio.to_thread(
            main, ["modlog", "export", "--program", "Exchange", "--out", str(out)]
        )
        == 0
    )
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["action"] for r in rows] == ["warn", "mute", "kick"]
    assert (
        rows[0]["actor"] == "rule:filter:blocked_term" and rows[0]["message_excerpt"] == "kys now"
    )
    assert (
        rows[1]["duration_seconds"] == "7200"
        and rows[1]["reason"] == "spam"
        and rows[1]["message_excerpt"] == ""
        and rows[1]["reason_code"] == ""
    )
    # A reason the bot gave is exported as its code, in no language.
    assert rows[2]["reason_code"] == "reported_message" and rows[2]["reason"] == ""
    assert (
        await asyncio.to_thread(
            main, ["modlog", "export", "--program", "No such", "--out", str(out)]
        )
        == 2
    )


async def test_excerpts_go_with_the_person(runtime, clock) -> None:
    from bot.features.privacy import service as privacy

    group = await _group(runtime)
    async with runtime.db() as db:
        target = await mod.known_target(db, BORIS, None, clock())
        await mod.offence(
            db,
            group,
            target,
            actor_id=None,
            actor_rule="filter:x",
            reason=None,
            excerpt="bad words",
            now=clock(),
        )
    async with runtime.db() as db:
        await privacy.forget(db, BORIS.id, clock())
    async with runtime.db() as db:
        [row] = await mod.log_rows(db, program_id=group.program_id)
        assert await people.get(db, BORIS.id) is None
    assert row.excerpt is None and row.target_id is None and row.action == "warn"
