"""Finding the names and usernames of known people in free text, in any script.

A word of the text (a run of letters; apostrophes, hyphens and digits split words) is a name when:

1. its folded form equals a part of a known name (any length from 2 letters; single letters and
   name particles such as "de", "van", "bin", "oğlu" in multi-word names are never matched);
2. for parts of 4+ letters in Latin, Cyrillic, Greek, Armenian or Georgian: it has the same
   transliteration key (romanize.name_key) as one of the part's common spellings
   (spellings.py: the Latin forms of a Cyrillic name under passport, ISO 9/GOST, BGN/PCGN and
   other schemes; Ukrainian г/h), so "Анна" matches a known "Anna", "Iuliia" and "Ûliâ" a known
   "Юлия", "Олег" a known "Oleh", and vice versa; a soft sign typed as an apostrophe
   ("Natal'ja") does not split the name;
3. for parts of 4+ letters: it is the part, or the part without its final vowel (Cyrillic,
   Georgian) or final -s (Greek), followed by one case ending of the word's script from the small
   tables below: "Анной"/"Анну" for Анна, "Արամին" for Արամ, "Mehmetin" for Mehmet, "Νίκου" for
   Νίκος. Only listed endings count, so "машина" is not Маша and "market" is not Mark;
4. in Arabic and Hebrew, for parts of 3+ letters: it is the part behind attached prefixes (Arabic
   و ف ب ك ل and ال, Hebrew ו ה ב כ ל מ ש), as in "لأحمد" or "ודנה";
5. for Arabic and Hebrew parts with at least three consonants: a Latin word of 4+ letters spells
   it (abjad.py): "Ahmed", "Ahmad" for أحمد, "Mohammed" for محمد, "Avraham" for אברהם.

A known entry that looks like a handle (starts with "@" or holds a digit or "_") is matched only as
a whole token, so "cool_cat_99" scrubs that token but not the words "cool" or "cat".

Limits, chosen to keep ordinary words intact: 2-3 letter names match only as whole words in their
own script ("Ani" leaves "animal" alone, "Ара" leaves "Арарат" alone, and "Tom" never scrubs
Russian "том"); a name that is also a word ("Vera", "Can", "Deniz") is scrubbed wherever that
word occurs; a Latin name is not looked for in Arabic or Hebrew letters, and Arabic and Hebrew
names of fewer than three consonants (علي, דנה) only in their own script.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bot.domain.anonymity.abjad import latin_matcher, latin_pattern, may_spell_a_name
from bot.domain.anonymity.romanize import (
    ABJAD_SCRIPTS,
    ALPHABETIC_SCRIPTS,
    fold,
    name_key,
    script_of,
)
from bot.domain.anonymity.spellings import spelling_keys

MIN_NAME_LETTERS = 2
MIN_PREFIXED_LETTERS = 3
MIN_INFLECTED_LETTERS = 4
MIN_HEAD_LETTERS = 3

_PARTICLES = frozenset(
    fold(word)
    for word in (
        "de", "da", "di", "du", "del", "della", "der", "den", "van", "von", "la", "le", "dos",
        "das", "bin", "ibn", "bint", "al", "el", "abu", "ben", "bat", "oğlu", "oglu", "ogly",
        "qızı", "kızı", "оглы", "кызы", "بن", "ابن", "بنت", "בן", "בת",
    )
)  # fmt: skip


def _endings(*endings: str) -> frozenset[str]:
    return frozenset(fold(ending) for ending in endings)


# Case endings appended to a whole name, by the script of the word they are found in.
_FULL_ENDINGS = {
    # Turkish and Azerbaijani (written without the apostrophe Turkish spelling asks for).
    "LATIN": _endings(
        "ın", "in", "un", "ün", "nın", "nin", "nun", "nün", "ı", "i", "u", "ü", "yı", "yi", "yu",
        "yü", "a", "e", "ə", "ya", "ye", "yə", "da", "de", "də", "ta", "te", "dan", "den", "dən",
        "tan", "ten", "la", "le", "lə", "yla", "yle", "ilə", "lar", "ler", "nı", "ni", "nu", "nü",
        "na", "ne", "nda", "nde", "ndə", "cı", "ci", "ca", "ce",
    ),
    "CYRILLIC": _endings(
        "а", "я", "у", "ю", "е", "є", "и", "і", "ы", "о", "ой", "ей", "ою", "ею", "єю", "ом",
        "ем", "ём", "ым", "им", "ам", "ям", "ах", "ях", "ами", "ями", "ові", "еві", "ого", "его",
        "ому", "ему", "ую", "ая", "ий", "ый", "ов", "ев", "ова", "ева",
    ),
    "ARMENIAN": _endings(
        "ի", "ին", "ից", "ով", "ը", "ն", "ս", "դ", "յի", "յին", "յից", "յով", "ու", "ում",
        "ուն", "ուց", "ենք",
    ),
    "GREEK": _endings("ς", "ν"),
    "GEORGIAN": _endings("ს", "მ", "ის", "მა", "ით", "ად", "ო", "სთან"),
}  # fmt: skip
# Endings that replace a final vowel (Cyrillic, Georgian) or final -s (Greek).
_STEM_ENDINGS = {
    "CYRILLIC": _FULL_ENDINGS["CYRILLIC"],
    "GEORGIAN": _endings("ის", "მა", "ით", "ად", "ს"),
    "GREEK": _endings("", "υ", "ν"),
}
_VOWEL_STEM_SCRIPTS = frozenset({"CYRILLIC", "GEORGIAN"})
_MAX_ENDING = 3
_ROMAN_VOWELS = frozenset("aeiou")

# Arabic: optional و/ف, then optional ب/ك/ل or the article (ال, لل). Hebrew: up to three of
# the one-letter prefixes.
_ARABIC_PREFIX = re.compile(r"^(?:[وف]?(?:ال|لل|[بكل]ال|[بكل]))|^[وف]")
_HEBREW_PREFIX = re.compile(r"^[והבכלמש]{1,3}")

_WORD_INNER_CATEGORIES = frozenset({"Mn", "Mc", "Me", "Cf"})
_SOFT_SIGN_APOSTROPHES = frozenset("'’`")
_HANDLE_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class KnownNames:
    """The names and usernames of a program's people, compiled once for many texts."""

    exact: frozenset[str]
    prefixable: frozenset[str]
    keys: frozenset[str]
    vowel_stems: frozenset[str]
    sigma_stems: frozenset[str]
    handles: frozenset[str]
    abjad_in_latin: re.Pattern[str] | None = None  # Latin spellings of Arabic/Hebrew names

    @classmethod
    def from_names(cls, entries: Iterable[str]) -> KnownNames:
        """Full names, first or last names, and usernames (with or without "@")."""
        exact: set[str] = set()
        prefixable: set[str] = set()
        keys: set[str] = set()
        vowel_stems: set[str] = set()
        sigma_stems: set[str] = set()
        handles: set[str] = set()
        abjad_patterns: set[str] = set()
        for entry in entries:
            entry = entry.strip()
            if _looks_like_handle(entry):
                if handle := entry.lstrip("@").casefold():
                    handles.add(handle)
                continue
            for part in _name_parts(entry):
                script = script_of(part[0])
                exact.add(part)
                if script in ABJAD_SCRIPTS and len(part) >= MIN_PREFIXED_LETTERS:
                    prefixable.add(part)
                    if pattern := latin_pattern(part):
                        abjad_patterns.add(pattern)
                if script not in ALPHABETIC_SCRIPTS or len(part) < MIN_INFLECTED_LETTERS:
                    continue
                for key in spelling_keys(part):
                    keys.add(key)
                    if key[-1] in _ROMAN_VOWELS:
                        vowel_stems.add(key[:-1])
                    if key.endswith("s") and key[-2:-1] in _ROMAN_VOWELS:
                        sigma_stems.add(key[:-1])
        return cls(
            exact=frozenset(exact),
            prefixable=frozenset(prefixable),
            keys=frozenset(keys),
            vowel_stems=frozenset(vowel_stems),
            sigma_stems=frozenset(sigma_stems),
            handles=frozenset(handles),
            abjad_in_latin=latin_matcher(frozenset(abjad_patterns)),
        )

    def __bool__(self) -> bool:
        return bool(self.exact or self.handles)

    def is_name(self, folded_word: str) -> bool:
        """Whether a folded word of the text is one of the known names (rules in the module doc)."""
        if not folded_word:
            return False
        if folded_word in self.exact:
            return True
        script = script_of(folded_word[0])
        if script in ABJAD_SCRIPTS:
            return self._is_prefixed_name(folded_word, script)
        if script not in ALPHABETIC_SCRIPTS or len(folded_word) < MIN_INFLECTED_LETTERS - 1:
            return False
        if name_key(folded_word) in self.keys:
            return True
        if (
            script == "LATIN"
            and self.abjad_in_latin is not None
            and may_spell_a_name(folded_word)
            and self.abjad_in_latin.fullmatch(folded_word)
        ):
            return True
        return self._is_inflected_name(folded_word, script)

    def _is_inflected_name(self, word: str, script: str) -> bool:
        full_endings = _FULL_ENDINGS.get(script, frozenset())
        stem_endings = _STEM_ENDINGS.get(script, frozenset())
        stems = self.sigma_stems if script == "GREEK" else self.vowel_stems
        uses_stems = script == "GREEK" or script in _VOWEL_STEM_SCRIPTS
        for length in range(_MAX_ENDING + 1):
            head, ending = (word[:-length], word[-length:]) if length else (word, "")
            if len(head) < MIN_HEAD_LETTERS:
                break
            key = name_key(head)
            if length and ending in full_endings and key in self.keys:
                return True
            if uses_stems and ending in stem_endings and key in stems:
                return True
        return False

    def _is_prefixed_name(self, word: str, script: str) -> bool:
        pattern = _ARABIC_PREFIX if script == "ARABIC" else _HEBREW_PREFIX
        prefix = pattern.match(word)
        if prefix is None:
            return False
        # Try every split inside the prefix run: "שרון" may be ש+רון or the name שרון itself.
        return any(word[cut:] in self.prefixable for cut in range(1, prefix.end() + 1))

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """Where known names and handles occur in ``text``, as (start, end) offsets."""
        if self.exact:
            previous: tuple[int, int] | None = None  # the last word, when it was not a name
            for start, end in _words(text):
                if self.is_name(fold(text[start:end])):
                    yield start, end
                    previous = None
                    continue
                # Soft signs typed as apostrophes split a name in two: "Natal'ja", "Ol'ga".
                if (
                    previous is not None
                    and start - previous[1] == 1
                    and text[previous[1]] in _SOFT_SIGN_APOSTROPHES
                    and self.is_name(fold(text[previous[0] : previous[1]] + text[start:end]))
                ):
                    yield previous[0], end
                previous = (start, end)
        if self.handles:
            for match in _HANDLE_TOKEN.finditer(text):
                if match.group().casefold() in self.handles:
                    yield match.span()


def _looks_like_handle(entry: str) -> bool:
    if entry.startswith("@"):
        return True
    return not any(ch.isspace() for ch in entry) and any(ch.isdigit() or ch == "_" for ch in entry)


def _name_parts(entry: str) -> list[str]:
    parts = [fold(entry[start:end]) for start, end in _words(entry)]
    parts = [part for part in parts if len(part) >= MIN_NAME_LETTERS]
    if len(parts) > 1:
        parts = [part for part in parts if part not in _PARTICLES]
    return parts


def _words(text: str) -> Iterator[tuple[int, int]]:
    """Runs of letters, with the combining marks and invisible joiners inside them."""
    start: int | None = None
    for position, ch in enumerate(text):
        if ch.isalpha() or (start is not None and _is_word_inner(ch)):
            if start is None:
                start = position
        elif start is not None:
            yield start, position
            start = None
    if start is not None:
        yield start, len(text)


def _is_word_inner(ch: str) -> bool:
    return unicodedata.category(ch) in _WORD_INNER_CATEGORIES
