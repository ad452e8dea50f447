"""Every shipped catalog is complete and correct, and no user-facing string escapes translation."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot import i18n
from bot.config import SUPPORTED_LOCALES

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")
TRANSLATED = [loc for loc in SUPPORTED_LOCALES if loc != "en"]


@cache
def source_messages() -> dict[str | tuple[str, str], list[str]]:
    """Every translatable message in bot/, straight from the source (never a stale template)."""
    found: dict[str | tuple[str, str], list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT / "bot"), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        key = message if isinstance(message, str) else tuple(message)
        found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


@cache
def catalog(locale: str):
    path = ROOT / "locales" / locale / "LC_MESSAGES" / "bridgebot.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_source_has_translatable_messages() -> None:
    assert len(source_messages()) > 100


@pytest.mark.parametrize("locale", TRANSLATED)
def test_catalog_is_complete_and_not_fuzzy(locale: str) -> None:
    cat = catalog(locale)
    problems = []
    for key, where in source_messages().items():
        msgid = key if isinstance(key, str) else key[0]
        entry = cat.get(msgid)
        if entry is None:
            problems.append(f"missing: {msgid[:60]!r} ({where[0]})")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {msgid[:60]!r}")
        elif isinstance(key, tuple):
            forms = entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
            if len(forms) != cat.num_plurals or not all(forms):
                problems.append(
                    f"plural forms: {msgid[:60]!r} has {len(forms)}, needs {cat.num_plurals}"
                )
        elif not entry.string:
            problems.append(f"untranslated: {msgid[:60]!r}")
    assert problems == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_placeholders_survive_translation(locale: str) -> None:
    problems = []
    for entry in catalog(locale):
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple | list) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
        expected = set().union(*(placeholders(i) for i in ids))
        for text in strings:
            got = placeholders(text)
            # A plural form may leave out {n} (e.g. "one" forms that spell the number out).
            if got - expected or (expected - {"n"}) - got:
                problems.append(f"{entry.id!r}: {sorted(got)} != {sorted(expected)}")
    assert problems == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_are_not_english_copies(locale: str) -> None:
    copies = [
        entry.id
        for entry in catalog(locale)
        if isinstance(entry.id, str)
        and entry.string == entry.id
        and len(re.findall(r"[A-Za-z]{3,}", PLACEHOLDER.sub("", entry.id))) >= 2
    ]
    assert copies == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_catalog_compiles_and_translates(locale: str) -> None:
    with i18n.use_locale(locale):
        text = i18n._("This button has expired. Please use the latest message.")
    assert text and text != "This button has expired. Please use the latest message."


def test_right_to_left_locales_isolate_parameters() -> None:
    """A Latin name or a number inside Arabic/Hebrew text keeps its own direction."""
    for locale in ("ar", "he"):
        with i18n.use_locale(locale):
            text = i18n._("Language: {language}", language="English 2")
        assert f"{i18n.FSI}English 2{i18n.PDI}" in text
    with i18n.use_locale("ru"):
        assert i18n.FSI not in i18n._("Language: {language}", language="English 2")


def test_right_to_left_translations_isolate_their_latin_literals() -> None:
    """A /command, @user, +04:00 or link written into Arabic or Hebrew text begins or ends with a
    neutral character the bidirectional algorithm would move: "help/". Loaded catalogs wrap them."""
    from bidi import get_display  # the Rust implementation: it knows isolates

    literal = re.compile(r"(?<![\w<])(?:/[A-Za-z]|@[A-Za-z])")
    for locale in ("ar", "he"):
        compiled = i18n.translations(locale)
        checked = 0
        for entry in catalog(locale):
            if not entry.id or not isinstance(entry.id, str) or not literal.search(entry.string):
                continue
            shown = compiled.gettext(entry.id)
            outside = re.sub(
                "\u2066[^\u2066\u2069]*(?:\u2068[^\u2069]*\u2069[^\u2066\u2069]*)*\u2069", "", shown
            )
            assert not literal.search(outside), (locale, shown)
            checked += 1
        assert checked > 30
        with i18n.use_locale(locale):
            text = i18n._("I don't know that command. /help lists what you can do.")
        raw = catalog(locale).get("I don't know that command. /help lists what you can do.").string
        assert "help/" in get_display(raw, base_dir="R")  # what a reader saw before
        assert "/help" in get_display(text, base_dir="R") and "help/" not in get_display(text)
        assert f"{i18n.LRI}/help{i18n.PDI}" in text
    with i18n.use_locale("ru"):
        assert i18n.LRI not in i18n._("I don't know that command. /help lists what you can do.")
    # Markup and links in attributes are left alone.
    assert i18n.isolate_literals('<b>/x</b> href="https://a.org/"') == (
        f'<b>{i18n.LRI}/x{i18n.PDI}</b> href="https://a.org/"'
    )
    assert i18n.isolate_literals("/moderator add @user {code}, +04:00") == (
        f"{i18n.LRI}/moderator add @user {{code}}{i18n.PDI}, {i18n.LRI}+04:00{i18n.PDI}"
    )


def test_dates_and_zones_are_localised() -> None:
    moment = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    en = i18n.format_datetime(moment, "Asia/Yerevan", locale="en")
    ru = i18n.format_datetime(moment, "Asia/Yerevan", locale="ru")
    assert "Tuesday" in en and "7:00" in en
    assert "вторник" in ru and "19:00" in ru
    assert i18n.format_zone("Etc/GMT-4") == "UTC+4"


def test_unknown_telegram_languages_fall_back() -> None:
    assert i18n.normalize_locale("ru-RU") == "ru"
    assert i18n.normalize_locale("iw") == "he"
    assert i18n.normalize_locale("xx") is None


@pytest.mark.parametrize(
    ("telegram", "locale"),
    [
        ("ka", "ka"),
        ("sq", "sq"),
        ("sq-AL", "sq"),
        ("ko", "ko"),
        ("ko-KR", "ko"),
        ("sr", "sr"),  # Telegram's Serbian is Cyrillic
        ("sr-Cyrl", "sr"),
        ("sr-Latn", "sr_Latn"),
        ("sr_latn", "sr_Latn"),
        ("sr-Latn-RS", "sr_Latn"),
        ("zh-hans", "zh_Hans"),  # Telegram's own language packs
        ("zh-hant", "zh_Hant"),
        ("zh-Hant-TW", "zh_Hant"),
        ("zh-TW", "zh_Hant"),  # a region that writes Traditional characters
        ("zh-HK", "zh_Hant"),
        ("zh-MO", "zh_Hant"),
        ("zh-CN", "zh_Hans"),
        ("zh-SG", "zh_Hans"),
        ("zh", "zh_Hans"),
        ("ZH_HANT", "zh_Hant"),
    ],
)
def test_telegram_language_codes_reach_every_shipped_locale(telegram: str, locale: str) -> None:
    assert i18n.normalize_locale(telegram) == locale
    with i18n.use_locale(i18n.normalize_locale(telegram)) as chosen:
        assert chosen == locale


def test_every_shipped_locale_is_reached_by_its_own_tag() -> None:
    for locale in SUPPORTED_LOCALES:
        assert i18n.normalize_locale(locale.replace("_", "-")) == locale


# ---- no user-facing string outside _() / ngettext() -------------------------------------------------

SENDERS = {
    "reply": 1,
    "reply_text": 0,
    "send_message": 1,
    "edit_message_text": 0,
    "edit_text": 0,
    "answer": 0,
    "InlineKeyboardButton": 0,
    "BotCommand": 1,
    "send_document": None,
    "send_photo": None,
}
TEXT_KEYWORDS = {"text", "caption"}
USER_FACING_DIRS = ("handlers", "jobs", "reports")


def _literal_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    return None


def _has_words(text: str) -> bool:
    return bool(re.search(r"[^\W\d_]{2,}", text))


def _untranslated_literals(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = (
            func.attr
            if isinstance(func, ast.Attribute)
            else func.id
            if isinstance(func, ast.Name)
            else None
        )
        if name in ("_", "ngettext", "N_"):
            if node.args and isinstance(node.args[0], ast.JoinedStr):
                found.append((node.lineno, "f-string inside _(): cannot be extracted"))
            continue
        if name not in SENDERS:
            continue
        candidates = [kw.value for kw in node.keywords if kw.arg in TEXT_KEYWORDS]
        index = SENDERS[name]
        if index is not None and len(node.args) > index:
            candidates.append(node.args[index])
        for candidate in candidates:
            text = _literal_text(candidate)
            if text is not None and _has_words(text):
                found.append((node.lineno, text[:50]))
    return found


def test_no_user_facing_string_outside_gettext() -> None:
    problems = []
    for folder in USER_FACING_DIRS:
        for path in sorted((ROOT / "bot" / folder).rglob("*.py")):
            for lineno, text in _untranslated_literals(ast.parse(path.read_text(), str(path))):
                problems.append(f"{path.relative_to(ROOT)}:{lineno}: {text!r}")
    assert problems == []


def test_the_source_check_catches_a_bare_literal() -> None:
    """The check above must be able to fail."""
    tree = ast.parse('async def f(update):\n    await update.message.reply_text("Hello there")\n')
    assert _untranslated_literals(tree) == [(2, "Hello there")]


def _gettext_literals(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("_", "N_", "ngettext")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def test_every_gettext_call_is_extracted() -> None:
    """A _() Babel cannot see (e.g. inside an f-string) would never be translated."""
    extracted = {key if isinstance(key, str) else key[0] for key in source_messages()}
    missing = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for lineno, text in _gettext_literals(ast.parse(path.read_text(), str(path))):
            if text not in extracted:
                missing.append(f"{path.relative_to(ROOT)}:{lineno}: {text[:50]!r}")
    assert missing == []


# Zone names at an instant, as CLDR words them, in December and in July. Armenia and Moscow keep one
# offset all year: one generic name, never "summer time". Kyiv changes its clocks: standard time in
# December, summer time in July.
_WINTER = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
_SUMMER = datetime(2026, 7, 7, 12, 0, tzinfo=UTC)
_ZONE_NAMES = {
    "en": ("Armenia Time", "Eastern European Standard Time", "Eastern European Summer Time"),
    "ru": ("Армения", "Восточная Европа, стандартное время", "Восточная Европа, летнее время"),
    "uk": (
        "час: Вірменія",
        "за східноєвропейським стандартним часом",
        "за східноєвропейським літнім часом",
    ),
    "ar": ("توقيت أرمينيا", "توقيت شرق أوروبا الرسمي", "توقيت شرق أوروبا الصيفي"),
    "he": ("שעון ארמניה", "שעון מזרח אירופה (חורף)", "שעון מזרח אירופה (קיץ)"),
    "tr": ("Ermenistan Saati", "Doğu Avrupa Standart Saati", "Doğu Avrupa Yaz Saati"),
    "el": (
        "Ώρα (Αρμενία)",
        "Χειμερινή ώρα Ανατολικής Ευρώπης",
        "Θερινή ώρα Ανατολικής Ευρώπης",
    ),
    "hy": (
        "Հայաստան",
        "Արևելյան Եվրոպայի ստանդարտ ժամանակ",
        "Արևելյան Եվրոպայի ամառային ժամանակ",
    ),
    "az": ("Ermənistan Vaxtı", "Şərqi Avropa Standart Vaxtı", "Şərqi Avropa Yay Vaxtı"),
    "ka": (
        "დრო: სომხეთი",
        "აღმოსავლეთ ევროპის სტანდარტული დრო",
        "აღმოსავლეთ ევროპის ზაფხულის დრო",
    ),
    "sr": ("Јерменија", "Источноевропско стандардно време", "Источноевропско летње време"),
    "sr_Latn": ("Jermenija", "Istočnoevropsko standardno vreme", "Istočnoevropsko letnje vreme"),
    "sq": ("Ora: Armeni", "Ora standarde e Evropës Lindore", "Ora verore e Evropës Lindore"),
    "ko": ("아르메니아 시간", "동유럽 표준시", "동유럽 하계 표준시"),
    "zh_Hans": ("亚美尼亚时间", "东欧标准时间", "东欧夏令时间"),
    "zh_Hant": ("亞美尼亞時間", "東歐標準時間", "東歐夏令時間"),
    "es": (
        "hora de Armenia",
        "hora estándar de Europa oriental",
        "hora de verano de Europa oriental",
    ),
    "fr": ("heure : Arménie", "heure normale d’Europe de l’Est", "heure d’été d’Europe de l’Est"),
    "de": ("Armenien (Ortszeit)", "Osteuropäische Normalzeit", "Osteuropäische Sommerzeit"),
}


def test_zone_names_follow_the_clock_of_the_zone_in_every_locale() -> None:
    assert set(_ZONE_NAMES) == set(SUPPORTED_LOCALES)
    for locale, (armenia, kyiv_winter, kyiv_summer) in _ZONE_NAMES.items():
        for moment in (_WINTER, _SUMMER):
            assert i18n.format_zone("Asia/Yerevan", at=moment, locale=locale) == armenia, locale
        assert i18n.format_zone("Asia/Yerevan", locale=locale) == armenia
        assert i18n.format_zone("Europe/Kyiv", at=_WINTER, locale=locale) == kyiv_winter, locale
        assert i18n.format_zone("Europe/Kyiv", at=_SUMMER, locale=locale) == kyiv_summer, locale
        # Moscow keeps UTC+3 all year: the same name in December and July, no season in it.
        moscow = {
            i18n.format_zone("Europe/Moscow", at=m, locale=locale) for m in (_WINTER, _SUMMER)
        }
        assert len(moscow) == 1 and moscow == {i18n.format_zone("Europe/Moscow", locale=locale)}
    assert i18n.format_zone("Europe/Moscow", at=_WINTER, locale="ru") == "Россия (Москва)"
    # The reminder's long form carries the name of the moment's offset.
    assert i18n.format_datetime(_WINTER, "Asia/Yerevan", locale="ru").endswith("(Армения)")
    assert "(Восточная Европа, стандартное время)" in i18n.format_datetime(
        _WINTER, "Europe/Kyiv", locale="ru"
    )
    # Southern hemisphere: summer time in December.
    assert i18n.format_zone("Australia/Sydney", at=_WINTER) == "Australian Eastern Daylight Time"


def test_templates_around_a_zone_name_do_not_repeat_its_word() -> None:
    """ "(الأوقات بتوقيت توقيت أرمينيا)": a template must not say "time" when the zone name does."""
    samples = ("Asia/Yerevan", "Europe/Kyiv", "Europe/Moscow")
    for locale in SUPPORTED_LOCALES:
        catalog = i18n.translations(locale)
        for message in _catalog_ids_with("{zone}"):
            for zone_name in samples:
                for moment in (None, _WINTER, _SUMMER):
                    name = i18n.format_zone(zone_name, at=moment, locale=locale)
                    text = catalog.gettext(message).replace("{zone}", name)
                    words = [w.strip("():;,.«»") for w in text.split()]
                    for a, b in pairwise(words):
                        assert not (len(b) >= 4 and a.endswith(b)), (locale, a, b, text)


def _catalog_ids_with(fragment: str) -> list[str]:
    with (i18n.LOCALES_DIR / "bridgebot.pot").open("rb") as fh:
        catalog = read_po(fh)
    return [m.id for m in catalog if m.id and isinstance(m.id, str) and fragment in m.id]
