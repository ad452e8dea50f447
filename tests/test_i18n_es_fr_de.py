"""Spanish, French and German: plural forms from CLDR (with the 'many' form of millions), names,
dates, zone names and the languages that reach them."""

from datetime import UTC, datetime

import pytest

from bot import i18n


@pytest.mark.parametrize(
    ("locale", "forms"),
    [
        ("es", {1: "1 día", 2: "2 días", 0: "0 días", 1_000_000: "1000000 de días"}),
        ("fr", {0: "0 jour", 1: "1 jour", 2: "2 jours", 1_000_000: "1000000 de jours"}),
        ("de", {1: "1 Tag", 2: "2 Tage", 0: "0 Tage", 1_000_000: "1000000 Tage"}),
    ],
)
def test_plural_forms_follow_cldr(locale: str, forms: dict[int, str]) -> None:
    catalog = i18n.translations(locale)
    for n, expected in forms.items():
        assert catalog.ngettext("{n} day", "{n} days", n).format(n=n) == expected


def test_plural_rules_in_the_headers_are_cldrs() -> None:
    from babel.messages.plurals import get_plural
    from babel.messages.pofile import read_po

    for locale, count in (("es", 3), ("fr", 3), ("de", 2)):
        path = i18n.LOCALES_DIR / locale / "LC_MESSAGES" / "bridgebot.po"
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        assert catalog.num_plurals == get_plural(locale).num_plurals == count
        assert catalog.plural_expr == get_plural(locale).plural_expr


def test_language_names_read_as_their_speakers_write_them() -> None:
    assert i18n.language_name("es") == "Español"
    assert i18n.language_name("fr") == "Français"
    assert i18n.language_name("de") == "Deutsch"


def test_dates_in_spanish_french_and_german() -> None:
    moment = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    assert "martes" in i18n.format_datetime(moment, "Europe/Madrid", locale="es")
    assert "16:00" in i18n.format_datetime(moment, "Europe/Madrid", locale="es")
    assert "mardi" in i18n.format_datetime(moment, "Europe/Paris", locale="fr")
    assert "Dienstag" in i18n.format_datetime(moment, "Europe/Berlin", locale="de")


def test_zone_names_never_claim_a_summer_time_out_of_season() -> None:
    winter = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    summer = datetime(2026, 7, 7, 12, 0, tzinfo=UTC)
    assert i18n.format_zone("Europe/Madrid", at=winter, locale="es") == (
        "hora estándar de Europa central"
    )
    assert i18n.format_zone("Europe/Madrid", at=summer, locale="es") == (
        "hora de verano de Europa central"
    )
    assert i18n.format_zone("Europe/Paris", at=winter, locale="fr") == (
        "heure normale d’Europe centrale"
    )
    assert i18n.format_zone("Europe/Berlin", at=winter, locale="de") == (
        "Mitteleuropäische Normalzeit"
    )
    for locale in ("es", "fr", "de"):
        moscow = {i18n.format_zone("Europe/Moscow", at=m, locale=locale) for m in (winter, summer)}
        assert len(moscow) == 1


def test_regional_languages_reach_spanish_french_and_german() -> None:
    from bot.domain.language_choice import closest_language

    assert closest_language("es-MX", ("en", "es")) == "es"
    assert closest_language("ca", ("en", "fr", "es")) == "es"
    assert closest_language("eu", ("en", "fr")) == "fr"
    assert closest_language("br", ("de", "fr")) == "fr"
    assert closest_language("lb", ("fr", "de")) == "de"
    assert closest_language("gsw", ("en", "de")) == "de"
    assert closest_language("fr-CA", ("de", "fr")) == "fr"
    assert closest_language("de-AT", ("ru", "de")) == "de"
    assert i18n.normalize_locale("es-419") == "es"
    assert i18n.normalize_locale("fr-BE") == "fr"
    assert i18n.normalize_locale("de-CH") == "de"
