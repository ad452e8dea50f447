"""Applying a program file: creates, re-applies unchanged, updates, refuses bad files whole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.db.models import (
    BlockedTerm,
    ConductText,
    DialogueGroup,
    DialogueSession,
    ModerationAction,
    OrganizerGrant,
    Program,
    Side,
)
from bot.domain.program_file import ProgramFileInvalid
from bot.domain.programs import ProgramDraft
from bot.features.feedback import surveys
from bot.features.moderation import rules
from bot.features.programs import program_file
from bot.features.programs import service as programs
from bot.features.sessions import service as sessions

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

BASE = """
[program]
name = "Spring Exchange"
sides = ["Armenia", "Azerbaijan"]
languages = ["en", "ru"]
timezone = "Europe/Berlin"
organizers = [5001, 5002]

[program.code_of_conduct]
en = "Be kind."
ru = "Будьте добры."

[conduct]
ladder = "warn, mute 1h, ban"
warning_expiry_days = 14
flood = { messages = 4, seconds = 10 }
links = "allowlist"
allowed_domains = ["zoom.us"]

[conduct.blocked_terms]
en = "traitor*\\ngo home"

[feedback]
k_ratings = 6
expiry_days = 10

[session_defaults]
reminders = ["2h"]

[[surveys.post_session]]
key = "felt_heard"

[[surveys.post_session]]
key = "safe"
kind = "likert5"
text = { en = "I felt safe.", ru = "Я чувствовал(а) себя в безопасности." }
"""

SESSIONS = """
[[sessions]]
group = "1"
title = "Weekly"
start = "2026-03-24 19:00"
every_weeks = 1
count = 3
agenda = [{ title = "Welcome", minutes = 10 }]

[[sessions]]
group = "CODE2"
title = "Kick-off"
start = "2026-03-11 18:00"
duration = "1h"
reminders = ["30m"]
"""


async def apply(runtime, text: str, **kwargs):
    async with runtime.db() as db:
        return await program_file.apply(db, text, now=runtime.clock(), **kwargs)


async def count(runtime, model) -> int:
    async with runtime.db() as db:
        return await db.scalar(select(func.count()).select_from(model))


async def add_groups(runtime) -> dict[str, int]:
    async with runtime.db() as db:
        program = await programs.find(db, "Spring Exchange")
        made = {}
        for name, code in (("1", "CODE1"), ("2", "CODE2")):
            group = DialogueGroup(program_id=program.id, name=name, link_code=code, created_at=NOW)
            db.add(group)
            await db.flush()
            made[name] = group.id
        return made


def statuses(report) -> dict[str, str]:
    return {s.section: s.status for s in report.sections}


async def test_apply_creates_everything_then_reapply_is_unchanged(runtime) -> None:
    report = await apply(runtime, BASE)
    assert report.program_created and not report.dry_run
    assert set(statuses(report).values()) == {"created"}
    assert statuses(report)["program"] == "created"
    async with runtime.db() as db:
        program = await programs.find(db, "spring exchange")
        assert [s.name for s in program.sides] == ["Armenia", "Azerbaijan"]
        assert program.languages == ("en", "ru") and program.timezone == "Europe/Berlin"
        assert await programs.conduct_text(db, program.id, "ru") == "Будьте добры."
        effective = (await rules.for_program(db, program.id)).settings
        assert effective["ladder"] == "warn, mute 1h, ban"
        assert effective["warning_expiry_days"] == 14
        assert (effective["flood_messages"], effective["flood_seconds"]) == (4, 10)
        assert effective["link_policy"] == "allowlist"
        assert effective["allowed_domains"] == ["zoom.us"]
        assert await rules.list_terms(db, program.id) == {"en": ["traitor*", "go home"]}
        survey = await surveys.get_survey(db, program.id, "post_session")
        assert [i.key for i in survey.items] == ["felt_heard", "safe"]
        assert survey.items[1].texts["ru"] == "Я чувствовал(а) себя в безопасности."
        settings = await surveys.settings_of(db, program.id)
        assert (settings.k_ratings, settings.expiry_days, settings.k_comments) == (6, 10, 10)
        reminders = await sessions.program_reminders(db, program.id)
        assert reminders.offsets == (timedelta(hours=2),)
    assert await count(runtime, OrganizerGrant) == 2
    logged = await count(runtime, ModerationAction)

    again = await apply(runtime, BASE)
    assert not again.program_created and not again.changed
    assert set(statuses(again).values()) == {"unchanged"}
    assert await count(runtime, ModerationAction) == logged  # nothing re-logged
    async with runtime.db() as db:
        program = await programs.find(db, "Spring Exchange")
        assert (await surveys.get_survey(db, program.id, "post_session")).version == 2


async def test_dry_run_reports_the_plan_and_writes_nothing(runtime) -> None:
    report = await apply(runtime, BASE, dry_run=True)
    assert report.dry_run and report.program_created
    assert statuses(report)["conduct"] == "created"
    assert await count(runtime, Program) == 0
    assert await count(runtime, BlockedTerm) == 0


async def test_edit_updates_and_keeps_what_the_file_omits(runtime) -> None:
    await apply(runtime, BASE)
    edited = (
        BASE.replace('sides = ["Armenia", "Azerbaijan"]', 'sides = ["Armenia", "Georgia"]')
        .replace('languages = ["en", "ru"]', 'languages = ["ru", "en", "he"]')
        .replace('timezone = "Europe/Berlin"', 'timezone = "Asia/Yerevan"')
        .replace("organizers = [5001, 5002]", "organizers = [5003]")
        .replace('ru = "Будьте добры."', 'ru = "Будьте вежливы."')
        .replace('en = "traitor*\\ngo home"', 'en = "traitor*\\nliar"')
        .replace("k_ratings = 6", "k_ratings = 7")
        .replace('ladder = "warn, mute 1h, ban"', 'ladder = "warn, warn, remove"')
        .replace(
            'text = { en = "I felt safe.", ru',
            'text = { he = "הרגשתי בטוח.", en = "I felt safe.", ru',
        )
    )
    report = await apply(runtime, edited)
    changes = statuses(report)
    assert changes["program"] == "updated"
    assert changes["organizers"] == "updated"
    assert changes["conduct"] == "updated"
    assert changes["blocked_terms.en"] == "updated"
    assert changes["feedback"] == "updated"
    assert changes["surveys.post_session"] == "updated"
    assert changes["reminders"] == "unchanged"
    program_details = {
        (d.code, d.params.get("field"), d.params.get("value"))
        for s in report.sections
        if s.section == "program"
        for d in s.details
    }
    assert ("added", "sides", "Georgia") in program_details
    assert ("kept", "sides", "Azerbaijan") in program_details
    kept_organizers = [
        d.params["value"]
        for s in report.sections
        if s.section == "organizers"
        for d in s.details
        if d.code == "kept"
    ]
    assert kept_organizers == [5001, 5002]
    async with runtime.db() as db:
        program = await programs.find(db, "Spring Exchange")
        assert [s.name for s in program.sides] == ["Armenia", "Azerbaijan", "Georgia"]
        assert program.languages == ("ru", "en", "he") and program.default_locale == "ru"
        assert program.timezone == "Asia/Yerevan"
        assert await programs.conduct_text(db, program.id, "ru") == "Будьте вежливы."
        assert await programs.conduct_text(db, program.id, "en") == "Be kind."
        assert await rules.list_terms(db, program.id) == {"en": ["traitor*", "go home", "liar"]}
        effective = (await rules.for_program(db, program.id)).settings
        assert effective["ladder"] == "warn, warn, remove"
        assert effective["warning_expiry_days"] == 14
        assert (await surveys.settings_of(db, program.id)).k_ratings == 7
        assert (await surveys.get_survey(db, program.id, "post_session")).version == 3
    assert await count(runtime, OrganizerGrant) == 3
    assert await count(runtime, Side) == 3
    assert not (await apply(runtime, edited)).changed


async def test_bad_file_writes_nothing_and_lists_every_problem(runtime) -> None:
    await apply(runtime, BASE)
    await add_groups(runtime)
    bad = (
        BASE.replace("k_ratings = 6", 'k_ratings = 6\nreminder_after = "5m"')
        .replace('key = "safe"', 'key = "Safe!"')
        .replace('timezone = "Europe/Berlin"', 'timezone = "Asia/Yerevan"')
        + """
[[sessions]]
group = "9"
title = "Nowhere"
start = "2026-03-10 19:00"

[[sessions]]
group = "1"
title = "Too late"
start = "2026-03-01 19:00"

[[surveys.pre_game]]
key = "x"
"""
    )
    with pytest.raises(ProgramFileInvalid) as caught:
        await apply(runtime, bad)
    found = {p.location: str(p.error.code) for p in caught.value.problems}
    assert found == {
        "surveys.post_session[1]": "survey_bad_key",
        "surveys.pre_game": "file_unknown_survey",
        "feedback.reminder_after": "survey_bad_reminder_delay",
        "sessions[0].group": "file_unknown_group",
        "sessions[1].start": "in_past",
    }
    async with runtime.db() as db:
        assert (await programs.find(db, "Spring Exchange")).timezone == "Europe/Berlin"
    assert await count(runtime, DialogueSession) == 0


async def test_sessions_across_dst_are_created_once_and_matched_after(runtime, clock) -> None:
    await apply(runtime, BASE)
    group_ids = await add_groups(runtime)
    report = await apply(runtime, BASE + SESSIONS)
    assert statuses(report)["sessions[0]"] == "updated"
    async with runtime.db() as db:
        weekly = await sessions.group_sessions(db, group_ids["1"], NOW, limit=50)
        kickoff = await sessions.group_sessions(db, group_ids["2"], NOW, limit=50)
    # Berlin changes to summer time on 29 March: 19:00 local is 18:00 UTC, then 17:00 UTC.
    assert [s.starts_at.astimezone(UTC).hour for s in weekly] == [18, 17, 17]
    assert {s.series_id for s in weekly} != {None} and len({s.series_id for s in weekly}) == 1
    assert [a.title for a in weekly[0].agenda] == ["Welcome"]
    assert weekly[0].reminder_offsets == (timedelta(hours=2),)  # the program's
    assert kickoff[0].reminder_offsets == (timedelta(minutes=30),)  # its own
    assert kickoff[0].duration == timedelta(hours=1)

    again = await apply(runtime, BASE + SESSIONS)
    assert not again.changed
    assert await count(runtime, DialogueSession) == 4

    # After the first weekly session happened, the same file still applies (nothing new is past).
    clock.advance(days=23)
    later = await apply(runtime, BASE + SESSIONS)
    assert not later.changed

    # One more week in the series and a new title: the missing session is added, the upcoming
    # ones are renamed, the one that already happened keeps its title.
    longer = (
        (BASE + SESSIONS)
        .replace("count = 3", "count = 4")
        .replace('title = "Weekly"', 'title = "Weekly dialogue"')
    )
    report = await apply(runtime, longer)
    details = [d for s in report.sections if s.section == "sessions[0]" for d in s.details]
    assert [d.code for d in details][:2] == ["sessions_new", "sessions_matched"]
    assert details[0].params["count"] == 1 and details[1].params["count"] == 3
    async with runtime.db() as db:
        rows = (
            await db.execute(
                select(DialogueSession.title, DialogueSession.starts_at)
                .where(DialogueSession.group_id == group_ids["1"])
                .order_by(DialogueSession.starts_at)
            )
        ).all()
    assert [title for title, _ in rows] == [
        "Weekly",
        "Weekly dialogue",
        "Weekly dialogue",
        "Weekly dialogue",
    ]
    assert not (await apply(runtime, longer)).changed


async def test_sessions_that_clash_are_refused(runtime) -> None:
    await apply(runtime, BASE)
    await add_groups(runtime)
    clash = (
        BASE
        + SESSIONS
        + """
[[sessions]]
group = "1"
title = "Clash"
start = "2026-03-31 19:30"
"""
    )
    with pytest.raises(ProgramFileInvalid) as caught:
        await apply(runtime, clash)
    assert [
        (p.location, p.error.code, p.error.params.get("other")) for p in caught.value.problems
    ] == [("sessions[2].start", "file_sessions_overlap", "sessions[0]")]
    await apply(runtime, BASE + SESSIONS)
    with pytest.raises(ProgramFileInvalid) as caught:
        await apply(runtime, clash)
    assert [(p.location, str(p.error.code)) for p in caught.value.problems] == [
        ("sessions[2].start", "overlap")
    ]


async def test_program_update_service_adds_and_keeps(runtime) -> None:
    async with runtime.db() as db:
        created = await programs.create(
            db,
            ProgramDraft("P", ("A", "B"), ("en", "ru"), "UTC", {"en": "x", "ru": "y"}),
            creator_id=None,
            now=NOW,
        )
        updated = await programs.update(
            db, created.id, ProgramDraft("P", ("b", "C"), ("ru",), "Asia/Baku", {"ru": "z"})
        )
        assert [s.name for s in updated.sides] == ["A", "B", "C"]
        assert updated.languages == ("ru", "en") and updated.default_locale == "ru"
        assert updated.timezone == "Asia/Baku"
        texts = dict((await db.execute(select(ConductText.locale, ConductText.text))).all())
        assert texts == {"en": "x", "ru": "z"}


def test_feedback_settings_validation_without_a_database() -> None:
    surveys.validate_settings(k_ratings=3, expiry_days=90, reminder_after_minutes=10)
    with pytest.raises(surveys.SurveyError) as caught:
        surveys.validate_settings(expiry_days=91)
    assert caught.value.code == "survey_bad_expiry"


async def test_show_member_names_is_set_and_then_unchanged(runtime) -> None:
    text = BASE.replace(
        "organizers = [5001, 5002]", "organizers = [5001, 5002]\nshow_member_names = true"
    )
    await apply(runtime, text)
    async with runtime.db() as db:
        program = (await db.scalars(select(Program))).one()
        assert program.show_member_names is True
    again = await apply(runtime, text)
    assert statuses(again)["program"] == "unchanged"
    off = await apply(
        runtime, text.replace("show_member_names = true", "show_member_names = false")
    )
    assert statuses(off)["program"] == "updated"
    async with runtime.db() as db:
        assert (await db.scalars(select(Program.show_member_names))).one() is False


async def test_round_prompts_are_stored_replaced_and_reapplying_changes_nothing(runtime) -> None:
    from bot.features.rounds import service as rounds_service

    prompts = (
        '\n[rounds]\nprompts = [{ en = "Tell about home.", ru = "Расскажите о доме." }, '
        '{ en = "A place you miss.", ru = "Место, по которому вы скучаете." }]\n'
    )
    report = await apply(runtime, BASE + prompts)
    assert statuses(report)["rounds"] == "created"
    async with runtime.db() as db:
        program = await programs.find(db, "Spring Exchange")
        stored = await rounds_service.prompts_of(db, program.id)
    assert stored == [
        {"en": "Tell about home.", "ru": "Расскажите о доме."},
        {"en": "A place you miss.", "ru": "Место, по которому вы скучаете."},
    ]
    assert statuses(await apply(runtime, BASE + prompts))["rounds"] == "unchanged"
    fewer = '\n[rounds]\nprompts = [{ en = "One.", ru = "Одна." }]\n'
    report = await apply(runtime, BASE + fewer)
    rounds_section = next(s for s in report.sections if s.section == "rounds")
    assert rounds_section.status == "updated"
    assert rounds_section.details[0].params == {"field": "rounds.prompts", "old": 2, "new": 1}
    async with runtime.db() as db:
        assert await rounds_service.prompts_of(db, program.id) == [{"en": "One.", "ru": "Одна."}]
    # Without a [rounds] table the prompts stay as they are.
    assert "rounds" not in statuses(await apply(runtime, BASE))
