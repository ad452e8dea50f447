"""Georgian, Serbian (both scripts), Albanian, Korean and Chinese (both scripts): plural forms from
CLDR, names, dates."""

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
        ("ko", {1: "1일", 2: "2일", 31: "31일"}),
        ("zh_Hans", {1: "1 天", 2: "2 天", 100: "100 天"}),
        ("zh_Hant", {1: "1 天", 5: "5 天"}),
    ],
)
def test_plural_forms_follow_cldr(locale: str, forms: dict[int, str]) -> None:
    catalog = i18n.translations(locale)
    for n, expected in forms.items():
        assert catalog.ngettext("{n} day", "{n} days", n).format(n=n) == expected


def test_plural_rules_in_the_headers_are_cldrs() -> None:
    from babel.messages.plurals import get_plural
    from babel.messages.pofile import read_po

    for locale in ("ka", "sr", "sr_Latn", "sq", "ko", "zh_Hans", "zh_Hant"):
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
    assert i18n.language_name("ko") == "한국어"
    assert i18n.language_name("zh_Hans") == "中文 (简体)"
    assert i18n.language_name("zh_Hant") == "中文 (繁體)"
    assert i18n.sentence_case("english") == "English"


def test_dates_in_georgian_serbian_and_albanian() -> None:
    moment = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    assert "სამშაბათი" in i18n.format_datetime(moment, "Asia/Tbilisi", locale="ka")
    assert "19:00" in i18n.format_datetime(moment, "Asia/Tbilisi", locale="ka")
    assert "уторак" in i18n.format_datetime(moment, "Europe/Belgrade", locale="sr")
    assert "utorak" in i18n.format_datetime(moment, "Europe/Belgrade", locale="sr_Latn")
    assert "e martë" in i18n.format_datetime(moment, "Europe/Tirane", locale="sq")


def test_dates_in_korean_and_chinese() -> None:
    moment = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    assert i18n.format_datetime(moment, "Asia/Seoul", locale="ko").startswith(
        "2026년 3월 4일 수요일"
    )
    assert i18n.format_datetime(moment, "Asia/Shanghai", locale="zh_Hans").startswith(
        "2026年3月3日星期二"
    )
    assert "23:00" in i18n.format_datetime(moment, "Asia/Shanghai", locale="zh_Hans")
    assert "台灣時間" in i18n.format_datetime(moment, "Asia/Taipei", locale="zh_Hant")


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


def test_every_shipped_language_has_a_country_shortlist_with_zones() -> None:
    from bot.config import SUPPORTED_LOCALES
    from bot.domain.timezones import zones_for_country
    from bot.handlers.pickers import LOCALE_COUNTRIES, shortlist_countries

    for locale in SUPPORTED_LOCALES:
        assert LOCALE_COUNTRIES.get(locale), locale
        assert all(zones_for_country(cc) for cc in LOCALE_COUNTRIES[locale]), locale
    # A program across the Taiwan Strait offers both sides' places; one across Korea both Koreas.
    assert shortlist_countries(("zh_Hans", "zh_Hant"), ()) == ["CN", "SG", "MY", "TW", "HK", "MO"]
    assert shortlist_countries(("ko",), ("Asia/Seoul",)) == ["KR", "KP"]
