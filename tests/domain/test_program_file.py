"""Reading a program file: what it yields, and every problem with its location."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import SUPPORTED_LOCALES
from bot.domain.program_file import ProgramFile, ProgramFileInvalid, parse

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = """
[program]
name = "Spring Exchange"
sides = ["Armenia", "Azerbaijan"]
languages = ["en", "ru"]
timezone = "Europe/Berlin"
"""


def read(text: str) -> ProgramFile:
    return parse(text, supported_locales=SUPPORTED_LOCALES)


def problems(text: str) -> dict[str, str]:
    """location -> error code, for a file that must be refused."""
    with pytest.raises(ProgramFileInvalid) as caught:
        read(text)
    found = [(p.location, str(p.error.code)) for p in caught.value.problems]
    assert len({loc for loc, _ in found}) == len(found), found  # one problem per place
    return dict(found)


def test_the_documented_example_is_valid() -> None:
    parsed = read((ROOT / "docs" / "program-example.toml").read_text(encoding="utf-8"))
    assert parsed.program.name == "Spring Exchange 2026"
    assert parsed.program.languages == ("en", "hy", "az")
    assert parsed.program.organizers == (111111111, 222222222)
    assert parsed.rules["link_policy"] == "allowlist"
    assert parsed.rules["allowed_domains"] == ["zoom.us", "example.org"]
    assert parsed.rules["ladder"] == "warn, warn, mute 1h, mute 1d, remove"
    assert [t.text for t in parsed.blocked_terms["en"]] == ["go back to your country", "traitor"]
    assert parsed.blocked_terms["en"][1].stem is True
    assert [i.key for i in parsed.surveys["post_session"]] == ["felt_heard", "felt_safe", "comment"]
    assert parsed.feedback is not None and parsed.feedback.reminder_after_minutes == 48 * 60
    assert parsed.reminders == (timedelta(hours=24), timedelta(hours=1))
    weekly, kickoff = parsed.sessions
    assert len(weekly.occurrences) == 8
    assert [a.minutes for a in weekly.agenda] == [10, 20, 40, 20]
    assert [a.kind for a in weekly.agenda] == ["talk", "round", "talk", "talk"]
    assert weekly.agenda[1].title == "🔁 Perspective round"
    assert parsed.round_prompts is not None and len(parsed.round_prompts) == 2
    assert set(parsed.round_prompts[0]) == {"en", "hy", "az"}
    assert kickoff.zone == "Asia/Baku" and kickoff.reminders == (timedelta(hours=2),)
    assert kickoff.occurrences[0].start_utc == datetime(2026, 3, 11, 14, 30, tzinfo=UTC)


def test_minimal_file() -> None:
    parsed = read(MINIMAL)
    assert parsed.program.sides == ("Armenia", "Azerbaijan")
    assert parsed.rules == {} and parsed.sessions == () and parsed.feedback is None
    assert parsed.reminders is None


def test_weekly_series_keeps_local_time_across_dst() -> None:
    parsed = read(
        MINIMAL
        + """
[[sessions]]
group = "1"
title = "Weekly"
start = "2026-03-24 19:00"
every_weeks = 1
until = "2026-04-07"
"""
    )
    (series,) = parsed.sessions
    # Berlin moves to summer time on 29 March: 18:00 UTC before, 17:00 UTC after, 19:00 local always.
    assert [o.start_utc.hour for o in series.occurrences] == [18, 17, 17]
    assert {o.local_start.hour for o in series.occurrences} == {19}
    assert series.recurrence is not None and series.recurrence.until_local_date == date(2026, 4, 7)
    assert series.duration == timedelta(minutes=90)


def test_toml_syntax_error_has_its_line() -> None:
    assert problems('[program]\nname = "x\n') == {"line 2": "file_syntax"}


def test_program_problems_are_all_reported() -> None:
    found = problems(
        """
[program]
name = "   "
sides = ["Only one"]
languages = ["en", "xx"]
timezone = "Mars/Base"
organizers = [12, -5, "abc", 12]
colour = "blue"
[program.code_of_conduct]
el = "Κανόνες"
"""
    )
    assert found == {
        "program.colour": "file_unknown_key",
        "program.name": "empty_name",
        "program.sides": "too_few_sides",
        "program.languages": "unsupported_language",
        "program.timezone": "unknown_zone",
        "program.organizers[1]": "file_bad_user_id",
        "program.organizers[2]": "file_bad_user_id",
        "program.organizers[3]": "file_duplicate",
    }


def test_missing_program_and_wrong_types() -> None:
    assert problems("[conduct]\nladder = 3\n") == {
        "program": "file_missing",
        "conduct.ladder": "file_wrong_type",
    }
    assert problems('[program]\nname = "X"\nsides = "A, B"\n') == {
        "program.sides": "file_wrong_type",
        "program.languages": "file_missing",
        "program.timezone": "file_missing",
    }


def test_code_of_conduct_in_a_language_the_program_lacks() -> None:
    assert problems(MINIMAL + '[program.code_of_conduct]\nhy = "Կանոններ"\n') == {
        "program.code_of_conduct.hy": "file_not_program_language"
    }


def test_conduct_problems() -> None:
    found = problems(
        MINIMAL
        + """
[conduct]
ladder = "warn, shout, mute 1x"
warning_expiry_days = 0
flood = { messages = 0, seconds = 10 }
raid = { messages = 5 }
links = "sometimes"
allowed_domains = ["zoom.us", "not a domain"]
forwards_allowed = "no"
[conduct.blocked_terms]
en = "fine term\\nx\\n"
it = "merda"
ru = 5
"""
    )
    assert found == {
        "conduct.ladder": "bad_step",
        "conduct.warning_expiry_days": "bad_expiry",
        "conduct.flood": "bad_flood_limit",
        "conduct.raid.seconds": "file_missing",
        "conduct.links": "file_bad_choice",
        "conduct.allowed_domains[1]": "bad_domain",
        "conduct.forwards_allowed": "file_wrong_type",
        "conduct.blocked_terms.en": "term_too_short",
        "conduct.blocked_terms.it": "file_unsupported_language",
        "conduct.blocked_terms.ru": "file_wrong_type",
    }


def test_survey_and_feedback_problems() -> None:
    found = problems(
        MINIMAL
        + """
[feedback]
k_ratings = 2
k_comments = 1
reminder_after = "soon"
[[surveys.post_session]]
kind = "likert5"
text = { en = "I felt heard." }
[[surveys.post_session]]
key = "safety"
kind = "likert5"
text = { en = "Safe?", ru = "Безопасно?", xx = "?" }
"""
    )
    assert found == {
        "feedback.k_ratings": "k_too_small",
        "feedback.k_comments": "k_too_small",
        "feedback.reminder_after": "bad_format",
        "surveys.post_session[0].key": "file_missing",
        "surveys.post_session[0].text": "file_untranslated",
        "surveys.post_session[1].text.xx": "file_unsupported_language",
    }


def test_session_problems_each_at_its_field() -> None:
    found = problems(
        MINIMAL
        + """
[[sessions]]
group = "1"
title = "Bad day"
start = "2026-02-31 19:00"

[[sessions]]
group = "1"
title = "Bad time and zone"
start = "2026-03-10 25:00"
zone = "Nowhere/City"

[[sessions]]
title = "No group, no year"
start = "10.03 19:00"

[[sessions]]
group = "1"
title = "Agenda too long"
start = "2026-03-10 19:00"
duration = "30m"
agenda = [{ title = "Talk", minutes = 45 }]

[[sessions]]
group = "1"
title = "Series without an end"
start = "2026-03-10 19:00"
every_weeks = 1

[[sessions]]
group = "1"
title = "Bad agenda minutes"
start = "2026-03-10 19:00"
agenda = [{ title = "Talk", minutes = 0 }]

[[sessions]]
group = "1"
title = "Count without a repeat"
start = "2026-03-10 19:00"
count = 3
reminders = ["1h", "20d"]
"""
    )
    assert found == {
        "sessions[0].start": "bad_date",
        "sessions[1].start": "bad_time",
        "sessions[1].zone": "unknown_zone",
        "sessions[2].group": "file_missing",
        "sessions[2].start": "file_needs_year",
        "sessions[3].agenda": "agenda_too_long",
        "sessions[4].every_weeks": "no_recurrence_end",
        "sessions[5].agenda[0].minutes": "bad_agenda_minutes",
        "sessions[6].every_weeks": "file_missing",
        "sessions[6].reminders": "bad_reminder_offset",
    }
    base = MINIMAL + '[[sessions]]\ngroup = "1"\ntitle = "T"\nstart = "2026-03-10 19:00"\n'
    assert problems(base + 'duration = "13h"\n') == {"sessions[0].duration": "bad_duration"}
    assert problems(base + 'duration = "1x"\n') == {"sessions[0].duration": "bad_format"}


def test_too_many_occurrences_and_unknown_keys() -> None:
    found = problems(
        MINIMAL
        + """
[session_defaults]
zone = "Europe/Berlin"
length = "1h"

[[sessions]]
group = "1"
title = "Forever"
start = 2026-03-10T19:00:00
every_weeks = 1
count = 500
room = "A"
"""
    )
    assert found == {
        "session_defaults.length": "file_unknown_key",
        "sessions[0].room": "file_unknown_key",
        "sessions[0].count": "too_many_occurrences",
    }


def test_start_may_be_a_toml_local_datetime_but_not_an_offset_one() -> None:
    base = MINIMAL + '[[sessions]]\ngroup = "1"\ntitle = "T"\n'
    parsed = read(base + "start = 2026-03-10T19:00:00\n")
    assert parsed.sessions[0].occurrences[0].start_utc == datetime(2026, 3, 10, 18, tzinfo=UTC)
    assert problems(base + "start = 2026-03-10T19:00:00+04:00\n") == {
        "sessions[0].start": "file_offset_in_start"
    }


def test_a_date_in_the_past_is_not_a_shape_problem() -> None:
    # Re-applying a file after its first sessions happened must still read it.
    parsed = read(MINIMAL + '[[sessions]]\ngroup = "1"\ntitle = "T"\nstart = "2001-01-01 10:00"\n')
    assert parsed.sessions[0].occurrences[0].start_utc.year == 2001


def test_round_prompts_need_every_program_language_and_agenda_kinds_are_checked() -> None:
    found = problems(
        MINIMAL
        + """
[rounds]
prompts = [{ en = "Tell about your street." }, { en = "x", ru = "y", xx = "z" }]
colour = "red"
"""
    )
    assert found == {
        "rounds.prompts[0]": "file_untranslated",
        "rounds.prompts[1].xx": "file_unsupported_language",
        "rounds.colour": "file_unknown_key",
    }
    parsed = read(MINIMAL + '[rounds]\nprompts = [{ en = "Tell.", ru = "Расскажите." }]\n')
    assert parsed.round_prompts == ({"en": "Tell.", "ru": "Расскажите."},)
    assert read(MINIMAL).round_prompts is None


def test_an_agenda_item_kind_is_talk_or_round() -> None:
    session = """
[[sessions]]
group = "1"
title = "Weekly"
start = "2026-03-10 19:00"
agenda = [{ title = "Quiz", minutes = 10, kind = "quiz" }]
"""
    assert problems(MINIMAL + session) == {"sessions[0].agenda[0].kind": "file_bad_choice"}
    parsed = read(MINIMAL + session.replace('"quiz"', '"round"'))
    assert parsed.sessions[0].agenda[0].kind == "round"
    assert parsed.sessions[0].agenda[0].title == "🔁 Quiz"
