"""Translations and locale-aware formatting.

Catalogs are the ``.po`` files under ``locales/`` (the single source of every translation); they are
compiled in memory once, so no build step can leave a stale ``.mo`` behind. The reader's locale lives in
a ContextVar: handlers set it per update, jobs wrap each recipient's message in ``use_locale()``.

``_()`` and ``ngettext()`` take the format parameters too. In right-to-left locales every parameter is
wrapped in Unicode first-strong isolates, so a Latin name, a number or a /command inside Arabic or
Hebrew text keeps its own direction and does not reorder the sentence around it. The same holds
for what a translation itself writes in Latin script with a neutral character at its edge: a
/command, an @user, a signed offset (+04:00) or a link is wrapped in left-to-right isolates when
the catalog is loaded (``isolate_literals``), so an Arabic reader sees "/help", not "help/".
"""

from __future__ import annotations

import gettext as _gettext
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache
from pathlib import Path
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from babel import Locale
from babel.core import get_global
from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.dates import format_time as _babel_format_time
from babel.dates import get_timezone_location, get_timezone_name
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from bot.config import SUPPORTED_LOCALES
from bot.domain.language_choice import locale_of_tag

DOMAIN = "bridgebot"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
RTL_LOCALES = frozenset({"ar", "he"})
FSI, PDI = "\u2068", "\u2069"  # first-strong isolate / pop directional isolate
LRI = "\u2066"  # left-to-right isolate
# Latin runs a translator writes into right-to-left text that begin or end with a neutral character,
# which the bidirectional algorithm would move to the other side: /commands with their Latin
# arguments (/formgroups 8-12, /moderator add @user {code}), @mentions, signed numbers (+04:00),
# links. Not inside markup (</b>, href="...") and not a run already isolated.
_LTR_LITERAL = re.compile(
    r"(?<![\w/@.<\"'=\u2066\u2068])"
    r"(?:/[A-Za-z][\w]*(?:@\w+)?(?: (?:@?[A-Za-z0-9][\w:+-]*|\{\w+\}))*"
    r"|@[A-Za-z]\w*"
    r"|[+\-\u2212]\d[\d:]*"
    r"|https?://[^\s«»<]*[^\s«»<.,،:;!?)])"
)

_current_locale: ContextVar[str] = ContextVar("bridgebot_locale", default="en")


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    po_path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        return _gettext.NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale, domain=DOMAIN)
    if locale in RTL_LOCALES:
        for message in catalog:
            if message.id and message.string:
                if isinstance(message.string, tuple | list):
                    message.string = tuple(isolate_literals(form) for form in message.string)
                else:
                    message.string = isolate_literals(message.string)
    buffer = io.BytesIO()
    # Fuzzy entries are excluded: a fuzzy translation is a guess nobody reviewed.
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def isolate_literals(text: str) -> str:
    """``text`` with each Latin literal that would be reordered in right-to-left text (see
    ``_LTR_LITERAL``) wrapped in a left-to-right isolate."""
    return _LTR_LITERAL.sub(lambda m: f"{LRI}{m.group(0)}{PDI}", text)


def load_all() -> None:
    """Compile every shipped catalog once, at start-up, so the first reader pays nothing."""
    for locale in SUPPORTED_LOCALES:
        translations(locale)


def normalize_locale(code: str | None) -> str | None:
    """Map a Telegram ``language_code`` (or any tag) onto a shipped locale, or None.

    The script counts: "zh-hant" and "zh-TW" are zh_Hant, "zh-hans", "zh-CN" and a bare "zh" are
    zh_Hans, "sr-Latn" is sr_Latn (a plain "sr" is Cyrillic, as Telegram's Serbian is)."""
    wanted = locale_of_tag(code)
    return wanted if wanted in SUPPORTED_LOCALES else None


_D = TypeVar("_D", str, str | None)


def locale_of(chosen: str | None, telegram_language: str | None, default: _D) -> str | _D:
    """The one rule for a reader's language: the language they chose (if shipped), else their
    Telegram app's ``language_code`` mapped onto a shipped locale, else ``default`` (the program's
    default language, or the configured BRIDGEBOT_DEFAULT_LOCALE; None where the caller decides)."""
    if chosen is not None and chosen in SUPPORTED_LOCALES:
        return chosen
    return normalize_locale(telegram_language) or default


def current_locale() -> str:
    return _current_locale.get()


def set_locale(locale: str) -> None:
    _current_locale.set(locale if locale in SUPPORTED_LOCALES else "en")


@contextmanager
def use_locale(locale: str | None) -> Iterator[str]:
    chosen = locale if locale in SUPPORTED_LOCALES else "en"
    token = _current_locale.set(chosen)
    try:
        yield chosen
    finally:
        _current_locale.reset(token)


def is_rtl(locale: str | None = None) -> bool:
    return (locale or current_locale()) in RTL_LOCALES


def isolate(value: object, locale: str | None = None) -> str:
    text = str(value)
    return f"{FSI}{text}{PDI}" if is_rtl(locale) else text


def _fill(template: str, params: dict[str, object]) -> str:
    if not params:
        return template
    locale = current_locale()
    return template.format(**{k: isolate(v, locale) for k, v in params.items()})


def _(message: str, /, **params: object) -> str:
    """Translate ``message`` into the current reader's language and fill ``{placeholders}``."""
    return _fill(translations(current_locale()).gettext(message), params)


def ngettext(singular: str, plural: str, n: int, /, **params: object) -> str:
    """Plural-aware ``_()``; ``n`` is available to the template as ``{n}`` (formatted per locale)."""
    template = translations(current_locale()).ngettext(singular, plural, n)
    params.setdefault("n", format_number(n))
    return _fill(template, params)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (module-level constants)."""
    return message


def translate_in(locale: str, message: str, /, **params: object) -> str:
    with use_locale(locale):
        return _(message, **params)


# ---- formatting in the reader's locale and zone ---------------------------------------------------


def _babel_locale(locale: str | None) -> Locale:
    return Locale.parse(locale or current_locale())


def zone(name: str | None) -> tzinfo:
    return ZoneInfo(name or "UTC")


def format_number(value: float | int, locale: str | None = None) -> str:
    return format_decimal(value, locale=_babel_locale(locale))


def format_datetime(
    moment: datetime, zone_name: str | None, *, locale: str | None = None, width: str = "long"
) -> str:
    """A moment as the reader sees it: e.g. "Tuesday, 3 March 2026 at 19:00 (Armenia Time)"."""
    loc = _babel_locale(locale)
    tz = zone(zone_name)
    if width == "long":
        day = _babel_format_date(moment.astimezone(tz).date(), "full", locale=loc)
        clock = _babel_format_time(moment, "short", tzinfo=tz, locale=loc)
        return f"{day}, {clock} ({format_zone(zone_name, at=moment, locale=locale)})"
    return _babel_format_datetime(moment, width, tzinfo=tz, locale=loc)


def format_date(day: date, *, locale: str | None = None, width: str = "long") -> str:
    return _babel_format_date(day, width, locale=_babel_locale(locale))


def format_time(moment: datetime, zone_name: str | None, *, locale: str | None = None) -> str:
    return _babel_format_time(moment, "short", tzinfo=zone(zone_name), locale=_babel_locale(locale))


def format_zone(
    zone_name: str | None, *, at: datetime | None = None, locale: str | None = None
) -> str:
    """A zone's name in the reader's language, true to its clock at ``at``.

    Without a moment, or for a zone that keeps one offset all year (Armenia, Moscow), the generic
    location name: "Armenia Time", "Армения". At a moment in a zone that changes its clocks, the
    specific name of the offset then in force: "Eastern European Summer Time" in July,
    "Восточная Европа, стандартное время" in December. A name never claims a summer time the zone
    does not keep.
    """
    name = zone_name or "UTC"
    if name.startswith("Etc/") or name == "UTC":
        return _utc_offset_label(name)
    try:
        tz = ZoneInfo(name)
    except (LookupError, ValueError):
        return name
    loc = _babel_locale(locale)
    if at is not None and _changes_clocks(tz, at):
        local = at.astimezone(tz)
        variant: Literal["daylight", "standard"] = "daylight" if local.dst() else "standard"
        try:
            return get_timezone_name(local, "long", locale=loc, zone_variant=variant)
        except (LookupError, ValueError):
            pass
    return _generic_location(tz, loc)


def _changes_clocks(tz: tzinfo, at: datetime) -> bool:
    """Whether the zone uses more than one UTC offset in the year around ``at``."""
    start = at.astimezone(UTC) - timedelta(days=183)
    offsets = {(start + timedelta(days=30 * step)).astimezone(tz).utcoffset() for step in range(13)}
    return len(offsets) > 1


# Babel keeps only one of CLDR's three region formats (generic, standard, daylight) per locale, and
# for some locales the one it keeps is the daylight one (ru: "{0}, летнее время", sr:
# "{0}, летње време"): the generic CLDR format for those. Greek's "[country (city)]" fallback nests badly inside "Ώρα (...)".
_GENERIC_REGION_FORMATS = {"ru": "%s", "sr": "%s"}
_LOCATION_FALLBACK_FORMATS = {"el": "%(1)s, %(0)s"}


def _generic_location(tz: ZoneInfo, loc: Locale) -> str:
    """CLDR's generic location format: the country, or country and city where it has several zones."""
    key: str = get_global("zone_aliases").get(tz.key, tz.key)
    territory = get_global("zone_territories").get(key)
    country = loc.territories.get(territory) if territory else None
    if country and territory and len(get_global("territory_zones").get(territory, [])) == 1:
        place = country
    else:
        try:
            city = get_timezone_location(tz, locale=loc, return_city=True)
        except (LookupError, ValueError):
            city = tz.key.rpartition("/")[2].replace("_", " ")
        fallback = _LOCATION_FALLBACK_FORMATS.get(loc.language, loc.zone_formats["fallback"])
        place = fallback % {"0": city, "1": country} if country else city
    region = _GENERIC_REGION_FORMATS.get(loc.language, loc.zone_formats["region"])
    return region % place


def _utc_offset_label(name: str) -> str:
    if name in ("UTC", "Etc/UTC", "Etc/GMT"):
        return "UTC"
    # POSIX-style Etc zones invert the sign: Etc/GMT-4 is UTC+4.
    suffix = name.removeprefix("Etc/GMT")
    sign = "+" if suffix.startswith("-") else "-"
    return f"UTC{sign}{suffix[1:]}"


def language_name(locale: str, *, in_locale: str | None = None) -> str:
    """A language's name, by default in that language itself (how a language picker should read)."""
    target = Locale.parse(locale)
    name = target.get_display_name(Locale.parse(in_locale) if in_locale else target) or locale
    return sentence_case(name)


def sentence_case(text: str) -> str:
    """``text`` with its first letter capitalised, as a label starts; Georgian stays as it is, because
    Mkhedruli has no capitals in running text (str.upper() would give Mtavruli, ქართული -> Ქართული)."""
    first = text[:1]
    if "\u10d0" <= first <= "\u10ff":
        return text
    return first.upper() + text[1:]


def territory_name(code: str, *, locale: str | None = None) -> str:
    return _babel_locale(locale).territories.get(code, code)
