"""Editing a program's rule set and blocked terms (bot/services/rules.py), on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.models import BlockedTerm, DialogueGroup, ModerationAction, RuleSet
from bot.domain.conduct import ConductError
from bot.domain.durations import DurationError
from bot.domain.errors import InvalidInput
from bot.domain.programs import ProgramDraft
from bot.features.moderation import rules as rules_service
from bot.features.programs import service as programs


async def _program(runtime, name: str = "Exchange") -> int:
    async with runtime.db() as db:
        program = await programs.create(
            db,
            ProgramDraft(name=name, sides=("A", "B"), languages=("en", "ru"), timezone="UTC"),
            creator_id=None,
            now=runtime.clock(),
        )
        return program.id


async def _log(runtime, program_id: int) -> list[str]:
    async with runtime.db() as db:
        rows = await db.scalars(
            select(ModerationAction.reason)
            .where(ModerationAction.program_id == program_id, ModerationAction.action == "settings")
            .order_by(ModerationAction.id)
        )
        return list(rows.all())


# ---- parsers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5/10s", (5, 10)),
        ("5/10", (5, 10)),
        (" 3 / 30 s ", (3, 30)),
        ("5 in 10 seconds", (5, 10)),
        ("20/1m", (20, 60)),
        ("５/１０s", (5, 10)),  # full-width digits
        ("10 messages in 30s", (10, 30)),
    ],
)
def test_rates_are_read_in_the_forms_people_type(text, expected) -> None:
    assert rules_service.parse_rate(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("five/10s", "bad_rate"),
        ("5", "bad_rate"),
        ("5/10x", "bad_rate"),
        ("-5/10s", "bad_rate"),
        ("0/10s", "rate_out_of_range"),
        ("5/0s", "rate_out_of_range"),
        ("5000/10s", "rate_out_of_range"),
        ("5/2h", "bad_rate"),
        ("5/61m", "rate_out_of_range"),
        ("1" * 50 + "/10s", "bad_rate"),
    ],
)
def test_bad_rates_are_refused_with_a_code(text, code) -> None:
    with pytest.raises(InvalidInput) as info:
        rules_service.parse_rate(text)
    assert info.value.code == code


def test_expiry_in_days_or_weeks() -> None:
    assert rules_service.parse_expiry_days("30d") == 30
    assert rules_service.parse_expiry_days("4w") == 28
    assert rules_service.parse_expiry_days("14") == 14
    for bad, code in (
        ("12h", "expiry_whole_days"),
        ("1d12h", "expiry_whole_days"),
        ("0", "expiry_whole_days"),
        ("400", "expiry_whole_days"),
    ):
        with pytest.raises(InvalidInput) as info:
            rules_service.parse_expiry_days(bad)
        assert info.value.code == code, bad
    for bad, code in (
        ("30x", "bad_format"),
        ("-1d", "not_positive"),
        ("0d", "not_positive"),
        ("999d", "too_long"),
    ):
        with pytest.raises(DurationError) as info:
            rules_service.parse_expiry_days(bad)
        assert info.value.code == code, bad


def test_ladder_is_stored_in_its_canonical_form() -> None:
    assert (
        rules_service.parse_ladder("Warn,warn , MUTE 90m,kick") == "warn, warn, mute 1h30m, remove"
    )
    for bad, code in (
        ("", "empty_ladder"),
        ("warn, explode", "bad_step"),
        ("mute", "bad_step"),
        ("mute 30x", "bad_step"),
        ("warn 1h", "bad_step"),
    ):
        with pytest.raises(ConductError) as info:
            rules_service.parse_ladder(bad)
        assert info.value.code == code, bad


def test_domains_switches_and_link_modes() -> None:
    assert rules_service.parse_domains("Wikipedia.org, https://www.bbc.com/news ;пример.рф  ") == [
        "wikipedia.org",
        "bbc.com",
        "xn--e1afmkfd.xn--p1ai",
    ]
    assert rules_service.parse_domains("a.org، b.org") == ["a.org", "b.org"]  # Arabic comma
    assert rules_service.parse_domains("-") == []
    with pytest.raises(ConductError) as info:
        rules_service.parse_domains("wikipedia.org localhost")
    assert (info.value.code, info.value.params["domain"]) == ("bad_domain", "localhost")
    with pytest.raises(InvalidInput) as too_many:
        rules_service.parse_domains(" ".join(f"d{i}.org" for i in range(101)))
    assert too_many.value.code == "too_many_domains"
    assert [rules_service.parse_switch(x) for x in ("yes", "NO", "on", "off")] == [
        True,
        False,
        True,
        False,
    ]
    with pytest.raises(InvalidInput):
        rules_service.parse_switch("maybe")
    assert rules_service.parse_link_mode(" AllowList ") == "allowlist"
    with pytest.raises(InvalidInput) as bad_mode:
        rules_service.parse_link_mode("some")
    assert bad_mode.value.code == "bad_link_mode"


# ---- settings --------------------------------------------------------------------------------------


async def test_typed_values_change_the_program_and_are_logged(runtime, clock) -> None:
    program_id = await _program(runtime)
    async with runtime.db() as db:
        for key, text in (
            ("ladder", "warn, mute 1h, ban"),
            ("expiry", "2w"),
            ("flood", "3/30s"),
            ("raid", "40/10s"),
            ("links", "allowlist"),
            ("domains", "wikipedia.org bbc.com"),
            ("forwards", "no"),
        ):
            rules = await rules_service.set_program_from_text(
                db, program_id, key, text, actor_id=None, now=clock()
            )
    assert rules.ladder.spec() == "warn, mute 1h, ban"
    assert rules.ladder.strike_expiry == timedelta(days=14)
    assert rules.conduct.person_limit.count == 3
    assert rules.conduct.person_limit.window == timedelta(seconds=30)
    assert rules.conduct.group_limit.count == 40
    assert rules.conduct.links.domains == ("wikipedia.org", "bbc.com")
    assert rules.conduct.forwards_allowed is False
    assert await _log(runtime, program_id) == [
        "ladder=warn, mute 1h, ban",
        "warning_expiry_days=14",
        "flood_messages=3",
        "flood_seconds=30",
        "raid_messages=40",
        "link_policy=allowlist",
        "allowed_domains=wikipedia.org bbc.com",
        "forwards_allowed=False",
    ]
    # the same value again changes nothing and logs nothing
    async with runtime.db() as db:
        await rules_service.set_program_from_text(
            db, program_id, "flood", "3/30s", actor_id=None, now=clock()
        )
    assert len(await _log(runtime, program_id)) == 8


async def test_a_bad_value_changes_nothing(runtime, clock) -> None:
    program_id = await _program(runtime)
    for key, text in (
        ("ladder", "warn, explode"),
        ("flood", "0/10s"),
        ("domains", "a.org b"),
        ("links", "maybe"),
    ):
        with pytest.raises((ConductError, InvalidInput)):
            async with runtime.db() as db:
                await rules_service.set_program_from_text(
                    db, program_id, key, text, actor_id=None, now=clock()
                )
    async with runtime.db() as db:
        assert (await db.scalars(select(RuleSet))).all() == []
        rules = await rules_service.for_program(db, program_id)
    assert rules.ladder.spec() == "warn, warn, mute 1h, mute 1d, remove"
    assert await _log(runtime, program_id) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"flood_messages": "5"}, "bad_setting_value"),
        ({"forwards_allowed": "no"}, "bad_setting_value"),
        ({"warning_expiry_days": True}, "bad_setting_value"),
        ({"warning_expiry_days": 0}, "expiry_whole_days"),
        ({"allowed_domains": "a.org"}, "bad_setting_value"),
        ({"link_policy": "sometimes"}, "bad_link_mode"),
        ({"raid_seconds": 100000}, "rate_out_of_range"),
        ({"colour": "blue"}, "unknown_setting"),
    ],
)
async def test_program_files_with_bad_values_are_refused(runtime, clock, changes, code) -> None:
    """`program apply` passes a mapping straight in; a wrong type never reaches the database."""
    program_id = await _program(runtime)
    with pytest.raises(InvalidInput) as info:
        async with runtime.db() as db:
            await rules_service.set_program_settings(
                db, program_id, changes, actor_id=None, now=clock()
            )
    assert info.value.code == code


async def test_group_allowlist_overrides_the_program_list(runtime, clock) -> None:
    program_id = await _program(runtime)
    async with runtime.db() as db:
        group = DialogueGroup(program_id=program_id, name="G1", chat_id=-100777, created_at=clock())
        db.add(group)
        await db.flush()
        group_id = group.id
        await rules_service.set_program_settings(
            db,
            program_id,
            {"link_policy": "allowlist", "allowed_domains": ["wikipedia.org"]},
            actor_id=None,
            now=clock(),
        )
        rules = await rules_service.set_group_domains(
            db, program_id, group_id, ["https://BBC.com/x", "bbc.com"], actor_id=None, now=clock()
        )
        assert rules.conduct.links.domains == ("bbc.com",)
        assert (await rules_service.for_program(db, program_id)).conduct.links.domains == (
            "wikipedia.org",
        )
        view = await rules_service.program_rules(db, program_id)
    assert [(o.name, o.keys) for o in view.overrides] == [("G1", ("allowed_domains",))]
    assert (await _log(runtime, program_id))[-1] == "allowed_domains=bbc.com"


# ---- blocked terms ---------------------------------------------------------------------------------


async def test_terms_are_added_listed_and_removed(runtime, clock) -> None:
    program_id = await _program(runtime)
    async with runtime.db() as db:
        added = await rules_service.add_terms(
            db,
            program_id,
            "ru",
            ["плохослово", "гадость*", "# a comment", ""],
            actor_id=None,
            now=clock(),
        )
        again = await rules_service.add_terms(
            db, program_id, "ru", ["ПЛОХОСЛОВО", "новое"], actor_id=None, now=clock()
        )
        english = await rules_service.add_terms(
            db, program_id, "en", ["badword"], actor_id=None, now=clock()
        )
    assert (added.changed, added.unchanged, added.total) == (("плохослово", "гадость*"), (), 2)
    assert (again.changed, again.unchanged, again.total) == (("новое",), ("плохослово",), 3)
    assert english.total == 1
    async with runtime.db() as db:
        assert await rules_service.list_terms(db, program_id) == {
            "en": ["badword"],
            "ru": ["плохослово", "гадость*", "новое"],
        }
        assert await rules_service.term_counts(db, program_id) == {"en": 1, "ru": 3}
        # the compiled rules match the program's terms, stems with their endings
        compiled = rules_service.compile_for(await rules_service.for_program(db, program_id))
        assert [hit.term.text for hit in compiled.matcher.find("какая гадостью это")] == ["гадость"]
        removed = await rules_service.remove_terms(
            db, program_id, "ru", ["Гадость*", "нет-такого"], actor_id=None, now=clock()
        )
    assert (removed.changed, removed.unchanged, removed.total) == (
        ("гадость*",),
        ("нет-такого",),
        2,
    )
    assert await _log(runtime, program_id) == [
        "blocked_terms.ru+2: плохослово, гадость*",
        "blocked_terms.ru+1: новое",
        "blocked_terms.en+1: badword",
        "blocked_terms.ru-1: гадость*",
    ]


async def test_a_term_can_become_a_stem(runtime, clock) -> None:
    program_id = await _program(runtime)
    async with runtime.db() as db:
        await rules_service.add_terms(db, program_id, "en", ["scum"], actor_id=None, now=clock())
        change = await rules_service.add_terms(
            db, program_id, "en", ["scum*"], actor_id=None, now=clock()
        )
        assert change.changed == ("scum*",) and change.total == 1
        assert await rules_service.list_terms(db, program_id, "en") == {"en": ["scum*"]}


@pytest.mark.parametrize(
    ("language", "entries", "code", "params"),
    [
        ("xx", ["word"], "unknown_language", {"language": "xx"}),
        ("ru", ["хорошо", "🙂🙂"], "empty_term", {"line": 2}),
        ("ru", ["a"], "term_too_short", {"line": 1}),
        ("en", ["ok term", "x" * 201], "term_too_long", {"line": 2}),
        ("en", ["# only a comment", "  "], "no_terms", {}),
    ],
)
async def test_bad_terms_refuse_the_whole_batch(
    runtime, clock, language, entries, code, params
) -> None:
    program_id = await _program(runtime)
    with pytest.raises((InvalidInput, ConductError)) as info:
        async with runtime.db() as db:
            await rules_service.add_terms(
                db, program_id, language, entries, actor_id=None, now=clock()
            )
    assert info.value.code == code
    for key, value in params.items():
        assert info.value.params[key] == value
    async with runtime.db() as db:
        assert (await db.scalars(select(BlockedTerm))).all() == []
    assert await _log(runtime, program_id) == []


async def test_too_many_terms_in_one_language(runtime, clock, monkeypatch) -> None:
    monkeypatch.setattr(rules_service, "MAX_TERMS_PER_LANGUAGE", 3)
    program_id = await _program(runtime)
    async with runtime.db() as db:
        await rules_service.add_terms(
            db, program_id, "en", ["abc", "bcd"], actor_id=None, now=clock()
        )
    with pytest.raises(InvalidInput) as info:
        async with runtime.db() as db:
            await rules_service.add_terms(
                db, program_id, "en", ["cde", "def"], actor_id=None, now=clock()
            )
    assert info.value.code == "too_many_terms"
    async with runtime.db() as db:
        assert await rules_service.term_counts(db, program_id) == {"en": 2}


def test_term_files_are_utf8_lines() -> None:
    assert rules_service.terms_from_file("\ufeffодин\r\nдва # note\n".encode()) == [
        "один",
        "два # note",
    ]
    with pytest.raises(InvalidInput) as info:
        rules_service.terms_from_file("слово".encode("cp1251"))
    assert info.value.code == "terms_file_unreadable" and info.value.params["limit"] == 512
    assert rules_service.split_terms("a b, c\nd،e ,, ") == ["a b", "c", "d", "e"]


async def test_terms_go_with_the_program(runtime, clock) -> None:
    program_id = await _program(runtime)
    other_id = await _program(runtime, "Other")
    async with runtime.db() as db:
        await rules_service.add_terms(db, program_id, "en", ["mine"], actor_id=None, now=clock())
        await rules_service.add_terms(db, other_id, "en", ["theirs"], actor_id=None, now=clock())
        assert await rules_service.list_terms(db, other_id) == {"en": ["theirs"]}
