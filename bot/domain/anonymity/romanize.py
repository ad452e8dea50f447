"""Folding words for comparison, and a Latin key under which one name matches across scripts.

``fold`` removes what varies in how one word is typed: case, compatibility forms, accents and
points (Greek tonos, Hebrew niqqud, Arabic harakat, Turkish cedillas, Russian ё/й) and invisible
joiners, plus a few Arabic letter variants people use interchangeably.

``name_key`` romanizes a folded word (Cyrillic, Greek, Armenian, Georgian and Latin letters) and
then erases the differences between the usual transliterations (y/i/j, w/v, x/ks, sh/s, kh/h,
ts/c, shch/sch/s ...),
so "Анна", "Աննա" and "Anna", or "Юлия", "Yulia" and "Julia", share a key. No library covers
these five scripts with one reversible scheme (and ICU is not a dependency), hence the tables.
Abjads (Arabic, Hebrew) are not keyed: without written vowels a key would collide with ordinary
words of the same consonantal root.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ALPHABETIC_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "GEORGIAN"})
ABJAD_SCRIPTS = frozenset({"ARABIC", "HEBREW"})

# Letters that Arabic-script writers swap freely (teh marbuta/heh, alef maksura/yeh) and their
# Persian forms; folding them keeps "فاطمة" and "فاطمه" the same word.
_ARABIC_VARIANTS = str.maketrans({"ة": "ه", "ى": "ي", "ی": "ي", "ک": "ك", "ـ": ""})

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "",
    "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i", "є": "ye", "ґ": "g", "ә": "a",
    "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "ј": "j", "љ": "lj",
    "њ": "nj", "ћ": "c", "ђ": "dj", "џ": "dz", "ѕ": "dz",
}  # fmt: skip
_GREEK_DIGRAPHS = {
    "ου": "u", "αι": "e", "ει": "i", "οι": "i", "υι": "i", "αυ": "av", "ευ": "ev", "γγ": "ng",
}  # fmt: skip
_GREEK = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i",
    "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "ks", "ο": "o", "π": "p", "ρ": "r", "σ": "s",
    "ς": "s", "τ": "t", "υ": "i", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
}  # fmt: skip
_ARMENIAN_DIGRAPHS = {"ու": "u"}
_ARMENIAN_INITIAL = {"ե": "ye", "ո": "vo"}
_ARMENIAN = {
    "ա": "a", "բ": "b", "գ": "g", "դ": "d", "ե": "e", "զ": "z", "է": "e", "ը": "", "թ": "t",
    "ժ": "zh", "ի": "i", "լ": "l", "խ": "kh", "ծ": "ts", "կ": "k", "հ": "h", "ձ": "dz",
    "ղ": "gh", "ճ": "ch", "մ": "m", "յ": "y", "ն": "n", "շ": "sh", "ո": "o", "չ": "ch",
    "պ": "p", "ջ": "j", "ռ": "r", "ս": "s", "վ": "v", "տ": "t", "ր": "r", "ց": "ts", "ւ": "v",
    "փ": "p", "ք": "k", "օ": "o", "ֆ": "f", "և": "ev",
}  # fmt: skip
_GEORGIAN = {
    "ა": "a", "ბ": "b", "გ": "g", "დ": "d", "ე": "e", "ვ": "v", "ზ": "z", "თ": "t", "ი": "i",
    "კ": "k", "ლ": "l", "მ": "m", "ნ": "n", "ო": "o", "პ": "p", "ჟ": "zh", "რ": "r", "ს": "s",
    "ტ": "t", "უ": "u", "ფ": "p", "ქ": "k", "ღ": "gh", "ყ": "q", "შ": "sh", "ჩ": "ch",
    "ც": "ts", "ძ": "dz", "წ": "ts", "ჭ": "ch", "ხ": "kh", "ჯ": "j", "ჰ": "h",
}  # fmt: skip
_LATIN_EXTRA = {"ı": "i", "ə": "e", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "þ": "th", "ð": "d"}  # fmt: skip
_SINGLE = {**_CYRILLIC, **_GREEK, **_ARMENIAN, **_GEORGIAN, **_LATIN_EXTRA}
_DIGRAPHS = {**_GREEK_DIGRAPHS, **_ARMENIAN_DIGRAPHS}

# Transliteration variants collapsed to one spelling, applied in this order: Х as kh or h, then
# the h of digraphs (sh, ch, zh, th, gh; twice, for GOST's "shh"), Ц as ts, tz, tc or cz, Щ as
# shch, sch, šč or ŝ (all end as "sc" or "s"), French/Greek "ou", and the glides y/j as i.
_BEFORE_H = (("kh", "h"), ("ph", "f"), ("x", "ks"), ("w", "v"), ("q", "k"), ("ck", "k"))
_H_AFTER_CONSONANT = re.compile(r"([sczktg])h")
_AFTER_H = (("ts", "c"), ("tz", "c"), ("tc", "c"), ("cz", "c"), ("sc", "s"), ("ou", "u"))
_GLIDES = (("j", "i"), ("y", "i"))
_REPEATED_I = re.compile(r"i{2,}")
# Ё as yo/jo/io/e (Fyodor, Fedor), and Е as ye at the start or after a vowel (Yekaterina,
# Sergeyev): the glide is dropped.
_GLIDE_BEFORE_E = re.compile(r"(^|[aeiou])i(?=e)")
# Soft and hard sign marks of scholarly schemes (Natalʹja, Obʺedkov) and apostrophes.
_SIGN_MARKS = str.maketrans("", "", "ʹʺʼ’'`\"")


def fold(text: str) -> str:
    """Case-, accent- and compatibility-insensitive form of ``text`` (may change its length)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ARABIC_VARIANTS))
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in {"Mn", "Me", "Cf"})
    return unicodedata.normalize("NFC", kept.casefold())


@lru_cache(maxsize=4096)
def script_of(letter: str) -> str:
    """The Unicode script word of a letter's name: LATIN, CYRILLIC, ARMENIAN, HEBREW ..."""
    name = unicodedata.name(letter, "")
    return name.split(" ", 1)[0] if name else ""


@lru_cache(maxsize=65536)
def name_key(folded_word: str) -> str:
    """The transliteration-insensitive Latin key of a folded word (cached: the words of comments
    and their case-ending heads repeat)."""
    roman = folded_word if folded_word.isascii() else _romanize(folded_word)
    roman = roman.translate(_SIGN_MARKS)
    for variant, canonical in _BEFORE_H:
        roman = roman.replace(variant, canonical)
    if "h" in roman:
        roman = _H_AFTER_CONSONANT.sub(r"\1", _H_AFTER_CONSONANT.sub(r"\1", roman))
    for variant, canonical in (*_AFTER_H, *_GLIDES):
        roman = roman.replace(variant, canonical)
    if "ii" in roman:
        roman = _REPEATED_I.sub("i", roman)
    if "ie" in roman:
        roman = _GLIDE_BEFORE_E.sub(r"\1", roman)
    return roman.replace("io", "e")


def _romanize(word: str) -> str:
    out: list[str] = []
    position = 0
    while position < len(word):
        pair = word[position : position + 2]
        if pair in _DIGRAPHS:
            out.append(_DIGRAPHS[pair])
            position += 2
            continue
        letter = word[position]
        if position == 0 and letter in _ARMENIAN_INITIAL:
            out.append(_ARMENIAN_INITIAL[letter])
        else:
            out.append(_SINGLE.get(letter, letter))
        position += 1
    return "".join(out)
