"""Georgian, Serbian (both scripts) and Albanian: plural forms from CLDR, names, dates."""

from datetime import UTC, datetime

import pytest

from bot import i18n


@pytest.mark.parametrize(
    ("locale", "forms"),
    [
        ("sr", {1: "1 дан", 2: "2 дана", 5: "5 дана", 11: "11 дана", 21: "21 дан", 22: "22 дана"}),
        ("sr_Latn", {1: "1 dan", 3: "3 dana", 12: "12 dana", 101: "101 dan"}),
        ("ka", {1: "1 დღე", 2: "2 დღე", 7: "7 დღე"}),
        ("sq", {1: "1 ditë", 2: "2 ditë"}),
    ],
)
def test_plural_forms_follow_cldr(locale: str, forms: dict[int, str]) -> None:
    catalog = i18n.translations(locale)
    for n, expected in forms.items():
        assert catalog.ngettext("{n} day", "{n} days", n).format(n=n) == expected


def test_plural_rules_in_the_headers_are_cldrs() -> None:
    from babel.messages.plurals import get_plural
    from babel.messages.pofile import read_po

    for locale in ("ka", "sr", "sr_Latn", "sq"):
        path = i18n.LOCALES_DIR / locale / "LC_MESSAGES" / "bridgebot.po"
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        assert catalog.num_plurals == get_plural(locale).num_plurals
        assert catalog.plural_expr == get_plural(locale).plural_expr


def test_language_names_read_as_their_speakers_write_them() -> None:
    assert i18n.language_name("ka") == "ქართული"  # no Mtavruli capital in running text
    assert i18n.language_name("sr") == "Српски"
    assert i18n.language_name("sr_Latn") == "Srpski (latinica)"
    assert i18n.language_name("sq") == "Shqip"
    assert i18n.sentence_case("english") == "English"


def test_dates_in_georgian_serbian_and_albanian() -> None:
    moment = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    assert "სამშაბათი" in i18n.format_datetime(moment, "Asia/Tbilisi", locale="ka")
    assert "19:00" in i18n.format_datetime(moment, "Asia/Tbilisi", locale="ka")
    assert "уторак" in i18n.format_datetime(moment, "Europe/Belgrade", locale="sr")
    assert "utorak" in i18n.format_datetime(moment, "Europe/Belgrade", locale="sr_Latn")
    assert "e martë" in i18n.format_datetime(moment, "Europe/Tirane", locale="sq")


def test_related_languages_reach_serbian_in_either_script() -> None:
    from bot.domain.language_choice import closest_language

    assert closest_language("sr", ("en", "sr_Latn", "sq")) == "sr_Latn"
    assert closest_language("sr-Latn", ("en", "sr", "sr_Latn")) == "sr_Latn"
    assert closest_language("sr", ("en", "sr", "sr_Latn")) == "sr"
    assert closest_language("hr", ("sq", "sr", "sr_Latn")) == "sr_Latn"
    assert closest_language("ka", ("en", "ka", "ru")) == "ka"
    assert closest_language("ab", ("ka", "ru")) == "ru"


def test_zone_names_never_claim_a_summer_time_armenia_does_not_keep() -> None:
    # Babel keeps sr's daylight region format ("{0}, летње време"); the generic one is used.
    winter = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    assert i18n.format_zone("Asia/Yerevan", at=winter, locale="sr") == "Јерменија"
    assert i18n.format_zone("Asia/Yerevan", locale="sr_Latn") == "Jermenija"
    assert i18n.format_zone("Asia/Yerevan", locale="ka") == "დრო: სომხეთი"
    assert i18n.format_zone("Asia/Yerevan", locale="sq") == "Ora: Armeni"
