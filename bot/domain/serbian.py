"""Serbian is written in two scripts with a one-to-one letter correspondence (Vuk's Cyrillic and
Gaj's Latin alphabet): љ lj, њ nj, џ dž, ђ đ, ћ ć, ч č, ш š, ж ž, ј j, and the rest letter for letter.

Used twice:

- the ``sr_Latn`` catalog is derived from the ``sr`` (Cyrillic) one with ``to_latin``
  (``bot/clitools/sr_latn.py``; a test keeps the shipped file equal to the derivation), so the two
  scripts never drift apart and translators edit only the Cyrillic catalog;
- the conduct filter keys every Serbian blocked term in both scripts (``script_variants``), so a
  term written in one script matches a message written in the other.

Only Serbian letters are changed: Latin words inside Cyrillic text (Bridgebot, Telegram, /commands,
``{placeholders}``) stay as they are. Latin to Cyrillic reads lj, nj and dž as one letter each,
which is right for nearly every word (the few exceptions such as nadživeti only give a matcher one
more spelling, never one less).
"""

from __future__ import annotations

import re

_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "đ", "е": "e", "ж": "ž", "з": "z",
    "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n", "њ": "nj", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "ć", "у": "u", "ф": "f", "х": "h", "ц": "c",
    "ч": "č", "џ": "dž", "ш": "š",
}  # fmt: skip
_DIGRAPH_CAPITALS = {"Љ": ("Lj", "LJ"), "Њ": ("Nj", "NJ"), "Џ": ("Dž", "DŽ")}
_LATIN_TO_CYRILLIC = {latin: cyrillic for cyrillic, latin in _CYRILLIC_TO_LATIN.items()}
_LATIN_LETTERS = re.compile(
    "|".join(sorted((re.escape(k) for k in _LATIN_TO_CYRILLIC), key=len, reverse=True)),
    re.IGNORECASE,
)
_SERBIAN_CYRILLIC = re.compile(
    "[" + "".join(_CYRILLIC_TO_LATIN).upper() + "".join(_CYRILLIC_TO_LATIN) + "]"
)


def _latin_capital(char: str, before: str, after: str) -> str:
    """A capital Cyrillic letter in Latin: Љ is Lj in a capitalised word, LJ in an all-capitals one."""
    if char in _DIGRAPH_CAPITALS:
        title, upper = _DIGRAPH_CAPITALS[char]
        return upper if (after.isupper() or (not after.isalpha() and before.isupper())) else title
    return _CYRILLIC_TO_LATIN[char.lower()].upper()


def to_latin(text: str) -> str:
    """Serbian Cyrillic letters of ``text`` in Serbian Latin; everything else unchanged."""
    if not _SERBIAN_CYRILLIC.search(text):
        return text
    out: list[str] = []
    for index, char in enumerate(text):
        if char in _CYRILLIC_TO_LATIN:
            out.append(_CYRILLIC_TO_LATIN[char])
        elif char.lower() in _CYRILLIC_TO_LATIN and char.isupper():
            before = text[index - 1] if index else ""
            after = text[index + 1] if index + 1 < len(text) else ""
            out.append(_latin_capital(char, before, after))
        else:
            out.append(char)
    return "".join(out)


def to_cyrillic(text: str) -> str:
    """Serbian Latin letters of ``text`` in Serbian Cyrillic (lj, nj, dž as single letters)."""

    def letter(match: re.Match[str]) -> str:
        written = match.group()
        cyrillic = _LATIN_TO_CYRILLIC[written.lower()]
        return cyrillic.upper() if written[0].isupper() else cyrillic

    return _LATIN_LETTERS.sub(letter, text)


def script_variants(text: str) -> set[str]:
    """``text`` in both scripts, and with đ also typed dj (as on keyboards without đ)."""
    latin = to_latin(text)
    variants = {text, latin, to_cyrillic(text)}
    if "đ" in latin.lower():
        variants.add(latin.replace("đ", "dj").replace("Đ", "Dj"))
    return variants
