"""Reason codes: every code has a msgid, and a reason reads as its code translated, typed text as
typed (bot/domain/conduct/reasons.py)."""

from __future__ import annotations

import pytest

from bot.domain.conduct.reasons import MSGIDS, ReasonCode, reason_text
from bot.i18n import _, use_locale


def test_every_code_has_a_msgid() -> None:
    assert set(MSGIDS) == set(ReasonCode)


@pytest.mark.parametrize(
    ("code", "typed", "expected"),
    [
        ("reported_message", None, "şikayət edilən mesaj"),
        (None, "spam links", "spam links"),
        ("reported_message", "spam links", "şikayət edilən mesaj: spam links"),
        ("from_a_newer_version", None, "from_a_newer_version"),
        (None, None, None),
        (None, "", None),
    ],
)
def test_reason_text_in_the_readers_language(code, typed, expected) -> None:
    with use_locale("az"):
        assert reason_text(code, typed, _) == expected


def test_codes_are_stable() -> None:
    # Stored and exported: renaming one would orphan the rows that carry it.
    assert [c.value for c in ReasonCode] == ["reported_message"]
