"""Arabic and Hebrew names of known people, found when a comment writes them in Latin letters.

Arabic and Hebrew leave most vowels unwritten, so one name has many Latin spellings (محمد:
Muhammad, Mohammed, Mohamed; אברהם: Avraham, Abraham). A known name in either script becomes a
pattern over Latin words: each letter by its usual Latin spellings (ح h, خ kh/h/ch/x, ق q/k/g,
ש sh/s, צ tz/ts/z ...), doubled consonants allowed, one short vowel between consonants, and the letters that also
stand for vowels (ا و ي, א ה ו י ע) as a vowel or their consonant; a written long vowel (ا و ي)
takes the place of the short one, so no short vowel may stand beside it.

Kept narrow, because short patterns would catch ordinary words ("Dana" would match "done", and
Latin names in Arabic letters would match everyday Arabic words: "Hamid" in "الحمد"):

- only names with at least three consonants (أحمد, محمد, فاطمة, وليد, אברהם, רחל, יעקב; not
  علي, عمر, سعيد, דנה, משה), counting و/ي and ו/י only at the start;
- only Latin words of four or more letters with at least two vowels (so "hasn" in "hasn't" is
  not Hassan);
- only this direction: a Latin name is not looked for in Arabic or Hebrew letters.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.domain.anonymity.romanize import script_of

MIN_STRONG_CONSONANTS = 3
MIN_LATIN_LETTERS = 4
MIN_LATIN_VOWELS = 2

_VOWEL = "[aeiouy]"
_SHORT_VOWEL = "[aeiou]?"

# Letters that are always consonants, by their Latin spellings (regex alternatives).
_ARABIC_CONSONANTS = {
    "ب": "b|p", "ت": "t", "ث": "th|t|s", "ج": "j|g|dj|dsch", "ح": "h", "خ": "kh|h|ch|x",
    "د": "d", "ذ": "dh|z|d|th", "ر": "r", "ز": "z", "س": "s", "ش": "sh|ch|sch|s", "ص": "s",
    "ض": "d|dh", "ط": "t", "ظ": "z|dh", "غ": "gh|g", "ف": "f", "ق": "q|k|g", "ك": "k|c|ck",
    "ل": "l", "م": "m", "ن": "n", "ه": "h",
}  # fmt: skip
_HEBREW_CONSONANTS = {
    "ב": "b|v", "ג": "g", "ד": "d", "ז": "z", "ח": "ch|h|kh", "ט": "t", "כ": "k|ch|kh",
    "ך": "k|ch|kh", "ל": "l", "מ": "m", "ם": "m", "נ": "n", "ן": "n", "ס": "s", "פ": "p|f|ph",
    "ף": "f|ph|p", "צ": "tz|ts|z|c", "ץ": "tz|ts|z|c", "ק": "k|q|c", "ר": "r", "ש": "sh|s",
    "ת": "t|th|s",
}  # fmt: skip
# Letters that are vowels or (some of them) consonants: (at the start, elsewhere).
# A written long vowel takes the place of the short one: no short vowel is allowed next to it.
_LONG_A = "aa|a|e|o|u"
_LONG_U = "oo|ou|o|u"
_LONG_I = "ee|ei|ey|ie|ia|ai|ay|i|y"
_ARABIC_WEAK = {
    "ا": (_VOWEL, _LONG_A),
    "ء": ("", ""),
    "ع": (_VOWEL, ""),
    "و": (f"w{_SHORT_VOWEL}|o|u", f"w{_SHORT_VOWEL}|{_LONG_U}"),  # not v: "valid" is no Walid
    "ي": (f"(?:y|j){_SHORT_VOWEL}|i|e", f"(?:y|j){_SHORT_VOWEL}|{_LONG_I}"),
    "ى": (_VOWEL, "a|e|i|y"),
}
_HEBREW_WEAK = {
    "א": (_VOWEL, ""),
    "ע": (_VOWEL, ""),
    "ה": ("h", "h"),
    "ו": (f"(?:v|w){_SHORT_VOWEL}|o|u", f"(?:v|w){_SHORT_VOWEL}|{_LONG_U}"),
    "י": (f"(?:y|j){_SHORT_VOWEL}|i|e", f"(?:y|j){_SHORT_VOWEL}|{_LONG_I}"),
}
_LONG_VOWEL_LETTERS = frozenset("اويוי")
# At the start of a name و/ي and ו/י are consonants (Walid, Yusuf, Yaakov).
_INITIAL_CONSONANTS = frozenset("ويוי")
_TABLES = {
    "ARABIC": (_ARABIC_CONSONANTS, _ARABIC_WEAK),
    "HEBREW": (_HEBREW_CONSONANTS, _HEBREW_WEAK),
}
# A final ه (ة folded) or ה is a vowel ending: Fatima, Fatimah, Sarah, Sara.
_FINAL_VOWEL_LETTERS = frozenset("هה")


@lru_cache(maxsize=4096)
def latin_pattern(folded_name: str) -> str | None:
    """A regex (without anchors) for the Latin spellings of a folded Arabic or Hebrew name part,
    or None when the name is too short to be looked for in Latin letters."""
    script = script_of(folded_name[0]) if folded_name else ""
    if script not in _TABLES:
        return None
    consonants, weak = _TABLES[script]
    if any(letter not in consonants and letter not in weak for letter in folded_name):
        return None  # a letter outside the tables (Persian, Yiddish digraphs): not guessed
    strong = [
        letter
        for position, letter in enumerate(folded_name)
        if (letter in consonants or (position == 0 and letter in _INITIAL_CONSONANTS))
        and not (letter in _FINAL_VOWEL_LETTERS and position == len(folded_name) - 1)
    ]
    if len(strong) < MIN_STRONG_CONSONANTS:
        return None
    parts: list[str] = []
    last = len(folded_name) - 1
    for position, letter in enumerate(folded_name):
        if position == last and letter in _FINAL_VOWEL_LETTERS:
            parts.append(f"(?:{_VOWEL}?h?)")
            continue
        if position == last and letter == "ي":  # also ى (folded), as in مصطفى, Mustafa
            parts.append(f"(?:{_LONG_I}|a|e)")
            continue
        if letter in consonants:
            spelling = consonants[letter]
            parts.append(f"(?:{spelling})(?:{spelling})?")
        else:
            initial, medial = weak[letter]
            chosen = initial if position == 0 else medial
            parts.append(f"(?:{chosen})" if chosen else "")
        if position < last and not (
            letter in _LONG_VOWEL_LETTERS or folded_name[position + 1] in _LONG_VOWEL_LETTERS
        ):
            parts.append(_SHORT_VOWEL)
    return "".join(parts)


def latin_matcher(patterns: frozenset[str]) -> re.Pattern[str] | None:
    """One compiled matcher for the Latin spellings of many names (None when there are none)."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{pattern})" for pattern in sorted(patterns)))


def may_spell_a_name(folded_latin_word: str) -> bool:
    """Whether a Latin word is long and vowelled enough to be compared with these patterns."""
    return (
        len(folded_latin_word) >= MIN_LATIN_LETTERS
        and sum(ch in "aeiouy" for ch in folded_latin_word) >= MIN_LATIN_VOWELS
    )
