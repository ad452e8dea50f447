"""Inline keyboards for choosing a language and a time zone, shared by enrolment and settings."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel import Locale
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import SUPPORTED_LOCALES
from bot.domain.timezones import country_of_zone, zones_for_country
from bot.handlers.callbacks import sign
from bot.i18n import _, current_locale, format_time, language_name, territory_name

# Countries worth offering first for each language's speakers; the rest is reached by typing.
LOCALE_COUNTRIES = {
    "en": ("GB", "US"),
    "ru": ("RU",),
    "uk": ("UA",),
    "ar": ("EG", "SA", "JO", "LB", "PS"),
    "he": ("IL",),
    "tr": ("TR",),
    "el": ("GR", "CY"),
    "hy": ("AM",),
    "az": ("AZ",),
    "ka": ("GE",),
    "sr": ("RS", "BA", "ME"),
    "sr_Latn": ("RS", "BA", "ME"),
    "sq": ("AL", "MK", "ME"),
    "ko": ("KR", "KP"),
    "zh_Hans": ("CN", "SG", "MY"),
    "zh_Hant": ("TW", "HK", "MO"),
    # Ready for the languages being translated (a shortlist is harmless before they ship).
    "es": ("ES", "MX", "AR"),
    "fr": ("FR", "BE", "CH"),
    "de": ("DE", "AT", "CH"),
}


def rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def language_keyboard(
    secret: bytes,
    audience: int,
    action: str,
    locales: tuple[str, ...],
    preselected: str | None,
    *extra: object,
) -> InlineKeyboardMarkup:
    ordered = sorted(locales or SUPPORTED_LOCALES, key=lambda loc: loc != preselected)
    buttons = [
        InlineKeyboardButton(
            ("✓ " if loc == preselected else "") + language_name(loc),
            callback_data=sign(secret, audience, action, loc, *extra),
        )
        for loc in ordered
    ]
    return InlineKeyboardMarkup(rows(buttons, 2))


def shortlist_countries(locales: tuple[str, ...], hint_zones: tuple[str | None, ...]) -> list[str]:
    countries: list[str] = []
    for zone in hint_zones:
        cc = country_of_zone(zone) if zone else None
        if cc and cc not in countries:
            countries.append(cc)
    for loc in locales:
        for cc in LOCALE_COUNTRIES.get(loc, ()):
            if cc not in countries:
                countries.append(cc)
    return countries[:12]


def country_keyboard(
    secret: bytes, audience: int, action: str, countries: list[str], *extra: object
) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            territory_name(cc), callback_data=sign(secret, audience, action, cc, *extra)
        )
        for cc in countries
    ]
    return InlineKeyboardMarkup(rows(buttons, 2))


def zone_label(zone: str) -> str:
    """A zone as a button: its city in the reader's language and the local time there now."""
    from datetime import UTC, datetime

    data = Locale.parse(current_locale()).time_zones.get(zone)
    city = data.get("city") if data is not None and hasattr(data, "get") else None
    name = city or zone.rsplit("/", 1)[-1].replace("_", " ")
    now = datetime.now(UTC)
    offset = now.astimezone(ZoneInfo(zone)).strftime("%z")
    return f"{name} ({format_time(now, zone)}, UTC{offset[:3]}:{offset[3:]})"


def zone_keyboard(
    secret: bytes, audience: int, action: str, zones: tuple[str, ...], *extra: object
) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(zone_label(z), callback_data=sign(secret, audience, action, z, *extra))
        for z in zones[:40]
    ]
    return InlineKeyboardMarkup(rows(buttons, 2))


def zone_not_found(typed: str) -> str:
    return _(
        "I couldn't find a time zone for {text}. Try your city (for example Yerevan), your country or an offset like UTC+4.",
        text=typed[:64],
    )


def country_zones(country: str) -> tuple[str, ...]:
    return zones_for_country(country)
