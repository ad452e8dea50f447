"""The language a newcomer is greeted in: their own, else a related one, else the program's first."""

from __future__ import annotations

import pytest

from bot.domain.language_choice import closest_language


@pytest.mark.parametrize(
    ("telegram", "offered", "expected"),
    [
        ("en", ("ru", "en"), "en"),  # their own language
        ("ru-RU", ("en", "ru"), "ru"),  # a regional tag is the language
        ("iw", ("en", "he"), "he"),  # old clients' tag for Hebrew
        ("uk", ("en", "ru", "hy"), "ru"),  # related: Ukrainian speakers read Russian
        ("be", ("en", "uk"), "uk"),  # Belarusian: Russian first, else Ukrainian
        ("tr", ("en", "hy", "az"), "az"),  # Turkish and Azerbaijani
        ("kk", ("az", "ru"), "ru"),
        ("de", ("hy", "az", "en"), "hy"),  # nothing related: the program's first language
        ("he", ("ar", "en"), "ar"),  # Hebrew is never swapped for Arabic: first language (ar)
        ("he", ("en", "ar"), "en"),
        (None, ("az", "en"), "az"),  # no language known
        ("", ("el",), "el"),
        ("zh-hant", ("en", "zh_Hans", "zh_Hant"), "zh_Hant"),  # the script the app names
        ("zh-hans", ("en", "zh_Hant", "zh_Hans"), "zh_Hans"),
        ("zh-TW", ("en", "zh_Hans", "zh_Hant"), "zh_Hant"),  # the region's script
        ("zh-HK", ("en", "zh_Hans", "zh_Hant"), "zh_Hant"),
        ("zh-CN", ("zh_Hant", "zh_Hans"), "zh_Hans"),
        ("zh", ("zh_Hant", "zh_Hans"), "zh_Hans"),
        ("zh-TW", ("en", "zh_Hans"), "zh_Hans"),  # the other script before the first language
        ("zh-hans", ("ko", "zh_Hant"), "zh_Hant"),
        ("sr-Latn", ("en", "sr"), "sr"),
        ("ko-KR", ("en", "ko"), "ko"),
    ],
)
def test_closest_program_language(telegram, offered, expected) -> None:
    assert closest_language(telegram, offered) == expected


def test_a_program_without_languages_is_a_bug() -> None:
    with pytest.raises(ValueError):
        closest_language("en", ())
