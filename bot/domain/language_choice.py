"""Which of a program's languages to greet a newcomer in, from the language their Telegram app uses.

A program speaks only its own languages; a person whose app language is not one of them must not
get the first message in a language the program will never use, with nothing preselected. The rule,
in order:

1. their own language, if the program uses it (regional tags count as the language: "ru-RU" is ru,
   "iw" is he on old clients);
2. else a language their speakers commonly read, if the program uses it: Ukrainian and Russian for
   each other and for the other East Slavic languages, Turkish and Azerbaijani for each other and
   for the other Oghuz Turkic languages, Russian for the languages of the former Soviet Union
   whose speakers usually read it (Kazakh, Kyrgyz, Uzbek, Tajik, Georgian, Armenian ...), Hebrew
   and Arabic are not swapped (different scripts and communities); Serbian in either script for
   the other, and Serbian Latin for Croatian, Bosnian and Montenegrin readers; Chinese in either
   script for the other; Spanish, French or German for the regional languages beside them
   (Catalan, Basque, Breton, Luxembourgish, Swiss German ...);
3. else the program's first language (its main one).

The person still chooses: this only decides the language of the question and the preselected
answer.
"""

from __future__ import annotations

from collections.abc import Sequence

# Telegram's old or alternative tags for the same language.
_ALIASES = {"iw": "he", "ua": "uk", "in": "id", "ji": "yi"}

# Related languages in order of preference. Only languages a speaker of the first one commonly
# reads; never a guess from a country.
_RELATED: dict[str, tuple[str, ...]] = {
    "uk": ("ru",),
    "ru": ("uk",),
    "be": ("ru", "uk"),
    "rue": ("uk", "ru"),
    "tr": ("az",),
    "az": ("tr",),
    "tk": ("tr", "az"),
    "gag": ("tr", "az"),
    "crh": ("tr", "uk", "ru"),
    "kk": ("ru",),
    "ky": ("ru",),
    "uz": ("ru",),
    "tg": ("ru",),
    "ka": ("ru",),
    "hy": ("ru",),
    "tt": ("ru",),
    "ba": ("ru",),
    "cv": ("ru",),
    "os": ("ru",),
    "mo": ("ro",),
    "cy": ("en",),
    "ga": ("en",),
    # Serbian is one language in two scripts; Croatian, Bosnian and Montenegrin readers read its
    # Latin script (and Cyrillic less often).
    "sr": ("sr_Latn",),
    "hr": ("sr_Latn", "sr"),
    "bs": ("sr_Latn", "sr"),
    "sh": ("sr_Latn", "sr"),
    "cnr": ("sr_Latn", "sr"),
    "ab": ("ru", "ka"),
    # Chinese is one language in two scripts; a reader of one reads the other more easily than
    # any other language the program may offer.
    "zh_Hans": ("zh_Hant",),
    "zh_Hant": ("zh_Hans",),
    "sr_Latn": ("sr",),
    # Spain's other languages, and neighbours whose speakers commonly read Spanish, French or
    # German (Catalan, Galician, Basque, Asturian, Aragonese; Occitan, Breton, Walloon,
    # Corsican; Luxembourgish, Swiss German, Bavarian, Low German, Romansh).
    "ca": ("es", "fr"),
    "gl": ("es",),
    "eu": ("es", "fr"),
    "ast": ("es",),
    "an": ("es",),
    "oc": ("fr", "es"),
    "br": ("fr",),
    "wa": ("fr",),
    "co": ("fr",),
    "lb": ("de", "fr"),
    "gsw": ("de",),
    "bar": ("de",),
    "nds": ("de",),
    "rm": ("de",),
}

# Chinese tags that name no script: the script of the region (Taiwan, Hong Kong and Macao write
# Traditional characters; the mainland, Singapore and Malaysia Simplified), and Simplified when
# no region is named either.
_TRADITIONAL_REGIONS = frozenset({"tw", "hk", "mo"})


def base_language(code: str | None) -> str | None:
    """ "pt-BR" -> "pt", "iw" -> "he"; None for an empty tag."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].strip().lower()
    return _ALIASES.get(base, base) or None


def locale_of_tag(code: str | None) -> str | None:
    """The catalog a tag asks for, script included: "zh-hant", "zh-TW" -> "zh_Hant"; "zh-hans",
    "zh-CN", "zh" -> "zh_Hans"; "sr-Latn" -> "sr_Latn"; otherwise the base language ("ru-RU" -> "ru")."""
    base = base_language(code)
    if base not in ("zh", "sr"):
        return base
    subtags = [part.strip().casefold() for part in (code or "").replace("_", "-").split("-")[1:]]
    if base == "sr":
        return "sr_Latn" if "latn" in subtags else "sr"
    if "hant" in subtags:
        return "zh_Hant"
    if "hans" in subtags:
        return "zh_Hans"
    return "zh_Hant" if _TRADITIONAL_REGIONS.intersection(subtags) else "zh_Hans"


def closest_language(code: str | None, offered: Sequence[str]) -> str:
    """The program language (one of ``offered``, which must not be empty) to start in."""
    if not offered:
        raise ValueError("a program has at least one language")
    wanted = locale_of_tag(code)  # "sr-Latn" -> sr_Latn, "zh-TW" -> zh_Hant
    if wanted is not None and wanted in offered:
        return wanted
    for related in _RELATED.get(wanted or "", ()):
        if related in offered:
            return related
    return offered[0]
