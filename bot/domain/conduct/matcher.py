"""Finding blocked terms in a message with Aho-Corasick automata built once over every language.

Each term is folded like a message and keyed with blanks marking the word edges it must sit on:
``" kill you "`` for a whole-word term, ``" хохл"`` for a stem (endings checked afterwards), and
for a term of a prefixing language the blank after it (``"كلب "``, keyed backwards). The automata
therefore report whole-word hits directly, and only the few candidates with an open edge go
through Python checks (affix rules, letter repetition, and for a word with an affix glued on,
whether it is an ordinary word of its own: lexicon.py). Cost grows with the message and the
number of hits, not with the number of terms.

Variants stored per term: the term in capitals and capitalised (where a letter folds differently by case), a
phrase also matches written without blanks ("iwillkillyou"), and a
Turkish or Azerbaijani term with ``ı`` also matches typed with ``i`` (ASCII keyboards, and
``I`` case-folds to ``i``). Text is never folded ı -> i, so "sıkıntı" is not "sik...". A Serbian
term is also keyed in the other script (шиптар / šiptar, with đ also as dj): the fold maps
look-alikes (Cyrillic р to p), not transliterations, so each script needs its own key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import ahocorasick

from bot.domain.conduct.affixes import AffixRules, affix_rules
from bot.domain.conduct.lexicon import curated_words, innocent_elsewhere, is_own_word
from bot.domain.conduct.normalize import NormalizedText, is_han, normalize, normalize_variants
from bot.domain.conduct.terms import Term
from bot.domain.serbian import script_variants

_DOTLESS_I_LANGUAGES = frozenset({"tr", "az"})
# Serbian is written in Cyrillic and in Latin letters: a term is keyed in both scripts.
_TWO_SCRIPT_LANGUAGES = frozenset({"sr"})
# Whose innocent words can hold a Han term: a compound such as 印度支那 reads the same in both.
_HAN_LANGUAGES = ("zh_Hans", "zh_Hant")
_FIRST_CJK = "\u1100"  # Hangul jamo; syllables and Han come later
_CJK_GATE = re.compile("[\u1100-\U0010ffff]")
_NOT_A_WORD_CHARACTER = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class TermHit:
    """A blocked term found in a text.

    ``span`` is [start, end) in the text as given, covering the whole word(s) that matched,
    glued prefixes and endings included, so ``text[slice(*span)]`` quotes what was written.
    """

    term: Term
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class _Pattern:
    term: Term
    core: str  # folded term, no edge blanks
    open_left: bool  # a prefix may precede it in the same word
    open_right: bool  # a suffix may follow it in the same word
    han_left: bool  # it starts with a Han character: no word edge needed before it
    han_right: bool  # it ends with a Han character: no word edge needed after it
    repeats: tuple[tuple[int, int], ...]  # (index in core, letters it needs) where more than 1
    first_run: int
    last_run: int
    affixes: AffixRules
    # For a Han-edged term: (folded innocent word, where the term sits in it) for every curated
    # innocent word that holds the term (印度支那 holds 支那): such a hit is no offence.
    innocent: tuple[tuple[str, int], ...] = ()

    @property
    def free_left(self) -> bool:
        return self.open_left or self.han_left

    @property
    def free_right(self) -> bool:
        return self.open_right or self.han_right


def _spellings(term: Term) -> set[str]:
    # In capitals too: a few letters fold differently by case (Greek Ν looks like N, ν like v).
    spellings = {term.text, term.text.upper(), term.text[:1].upper() + term.text[1:]}
    if " " in normalize(term.text).text:
        spellings |= {_NOT_A_WORD_CHARACTER.sub("", spelling) for spelling in spellings}
    if term.language in _DOTLESS_I_LANGUAGES:
        spellings |= {spelling.replace("ı", "i") for spelling in spellings}
    if term.language in _TWO_SCRIPT_LANGUAGES:
        spellings = {variant for spelling in spellings for variant in script_variants(spelling)}
    return spellings


def _patterns(term: Term) -> Iterator[_Pattern]:
    affixes = affix_rules(term.language)
    open_left = affixes.prefix is not None
    open_right = term.stem and affixes.suffix is not None
    for spelling in _spellings(term):
        folded = normalize(spelling)
        core = folded.text
        if not core:
            continue
        runs = [folded.run_length(i) for i in range(len(core))]
        han_left, han_right = is_han(core[0]), is_han(core[-1])
        pattern = _Pattern(
            term=term,
            core=core,
            open_left=open_left,
            open_right=open_right,
            han_left=han_left,
            han_right=han_right,
            repeats=tuple((i, run) for i, run in enumerate(runs) if run > 1),
            first_run=runs[0],
            last_run=runs[-1],
            affixes=affixes,
            innocent=_innocent_around(core, term.language) if han_left or han_right else (),
        )
        yield pattern


def _innocent_around(core: str, language: str) -> tuple[tuple[str, int], ...]:
    found: set[tuple[str, int]] = set()
    for lang in {language, *_HAN_LANGUAGES}:
        for word in curated_words(lang):
            folded = normalize(word).text
            at = folded.find(core)
            while at >= 0 and folded != core:
                found.add((folded, at))
                at = folded.find(core, at + 1)
    return tuple(sorted(found))


def _any_of(letters: Iterable[str]) -> re.Pattern[str] | None:
    alternatives = "".join(sorted(set(letters)))
    return re.compile(f"[{re.escape(alternatives)}]") if alternatives else None


def _automaton(keys: dict[str, list[_Pattern]]) -> ahocorasick.Automaton | None:
    if not keys:
        return None
    automaton = ahocorasick.Automaton()
    for key, patterns in keys.items():
        automaton.add_word(key, tuple(patterns))
    automaton.make_automaton()
    return automaton


class TermMatcher:
    """Blocked terms of any number of languages, compiled once; ``find`` is safe to share.

    Three automata, so that each one's root has few branches (pyahocorasick looks a letter up
    among a node's branches one by one, and a text keeps falling back to the root):
    terms with a word start (most terms) are keyed from the blank before them; terms that take
    prefixes but no suffix are keyed backwards from the blank after them and run over the
    reversed text; the few open on both sides (stems of prefixing languages) are keyed bare.
    The last two run only when the text holds a letter one of their keys needs. Korean and Han
    terms keyed from their first letter sit in automata of their own (so the other scripts' root
    keeps few branches), run only on a text holding a letter from U+1100 up (Hangul, Han).
    """

    def __init__(self, terms: Iterable[Term], innocent_languages: Iterable[str] = ()) -> None:
        # Languages whose curated innocent words never count as another language's term (a
        # program's languages: French retard is no English slur in a French-speaking program).
        self._innocent_languages = frozenset(innocent_languages)
        forward: dict[str, list[_Pattern]] = {}
        backward: dict[str, list[_Pattern]] = {}
        open_both: dict[str, list[_Pattern]] = {}
        forward_cjk: dict[str, list[_Pattern]] = {}
        open_both_cjk: dict[str, list[_Pattern]] = {}
        for term in terms:
            for pattern in _patterns(term):
                cjk = pattern.core[0] >= _FIRST_CJK
                if not pattern.free_left:
                    keys = forward_cjk if cjk else forward
                    key = " " + pattern.core + ("" if pattern.free_right else " ")
                elif not pattern.free_right:
                    keys, key = backward, " " + pattern.core[::-1]
                else:
                    keys, key = (open_both_cjk if cjk else open_both), pattern.core
                if pattern not in keys.setdefault(key, []):
                    keys[key].append(pattern)
        self.size = sum(map(len, (forward, backward, open_both, forward_cjk, open_both_cjk)))
        self._forward = _automaton(forward)
        self._backward = _automaton(backward)
        self._open_both = _automaton(open_both)
        self._forward_cjk = _automaton(forward_cjk)
        self._open_both_cjk = _automaton(open_both_cjk)
        self._has_cjk = bool(forward_cjk or open_both_cjk)
        # A key only matches a text that holds each of its letters: one quick scan for any key's
        # last letter skips a whole automaton for texts in other scripts (Arabic, Hebrew keys).
        self._backward_gate = _any_of(key[-1] for key in backward)
        self._open_both_gate = _any_of(key[-1] for key in open_both)

    def find(self, text: str) -> list[TermHit]:
        """Every blocked term in ``text``, ordered by position, each (term, span) once."""
        return self.find_in(normalize_variants(text))

    def find_in(self, readings: Sequence[NormalizedText]) -> list[TermHit]:
        """Like ``find`` for texts already folded (all readings of one source text)."""
        hits: dict[tuple[Term, tuple[int, int]], None] = {}
        for reading in readings:
            padded = f" {reading.text} "
            cjk = reading.cjk if reading.cjk is not None else bool(_CJK_GATE.search(padded))
            for pattern, core_start in self._raw_hits(padded, cjk):
                core_end = core_start + len(pattern.core)
                word = _accepted_span(pattern, reading, padded, core_start, core_end)
                if word is not None and self._foreign_word(pattern, reading, word):
                    word = None
                if word is not None:
                    # Padded indices are one past text indices.
                    span = reading.source_span(word[0] - 1, word[1] - 1)
                    hits[(pattern.term, span)] = None
        return sorted(
            (TermHit(term, span) for term, span in hits),
            key=lambda hit: (hit.span, hit.term.text),
        )

    def _foreign_word(
        self, pattern: _Pattern, reading: NormalizedText, word: tuple[int, int]
    ) -> bool:
        """Whether a one-word hit is an ordinary word of another of the program's languages."""
        if not self._innocent_languages or " " in pattern.core:
            return False
        if pattern.han_left or pattern.han_right:
            return False
        written = _written(reading, *word)
        return innocent_elsewhere(pattern.term.language, written, self._innocent_languages)

    def _raw_hits(self, padded: str, cjk: bool = True) -> Iterator[tuple[_Pattern, int]]:
        """(pattern, padded index where its core starts) for every automaton hit; the Korean and
        Han automata run only when ``cjk`` (the text holds Hangul or Han)."""
        cjk = cjk and self._has_cjk
        for forward in (self._forward, self._forward_cjk if cjk else None):
            if forward is None:
                continue
            for end, patterns in forward.iter(padded):
                for pattern in patterns:
                    core_end = end + (1 if pattern.free_right else 0)
                    yield pattern, core_end - len(pattern.core)
        if self._backward and self._backward_gate and self._backward_gate.search(padded):
            # In the reversed text the key " eroc" ends where the core starts.
            last = len(padded) - 1
            for end, patterns in self._backward.iter(padded[::-1]):
                for pattern in patterns:
                    yield pattern, last - end
        open_both = self._open_both if self._open_both_gate else None
        if (
            open_both is not None
            and self._open_both_gate
            and not self._open_both_gate.search(padded)
        ):
            open_both = None
        for automaton in (open_both, self._open_both_cjk if cjk else None):
            if automaton is None:
                continue
            for end, patterns in automaton.iter(padded):
                for pattern in patterns:
                    yield pattern, end + 1 - len(pattern.core)


def _accepted_span(
    pattern: _Pattern, reading: NormalizedText, padded: str, core_start: int, core_end: int
) -> tuple[int, int] | None:
    """The padded span of the word a raw automaton hit stands for, or None if it is not the term.

    Checks letter repetition, then the word's prefix and suffix. When a run of the term's first
    (last) letter is longer in the text than in the term and a prefix (suffix) is glued on, the
    extra letters belong to that affix: "sikke" is sik + ke, not sik + e; Arabic ال + لص is written
    اللص, folded الص. With nothing glued on, extra letters are just repetition ("kiiill").
    """
    text_start = core_start - 1  # index of the core's first letter in reading.text
    for offset, needed in pattern.repeats:
        if reading.run_length(text_start + offset) < needed:
            return None
    if pattern.innocent and _inside_innocent_word(pattern, padded, core_start):
        return None
    word_start, word_end = core_start, core_end
    prefix = suffix = ""
    if pattern.open_left and not pattern.han_left and padded[core_start - 1] != " ":
        word_start = padded.rfind(" ", 0, core_start) + 1
        prefix = padded[word_start:core_start]
        if reading.run_length(text_start) > pattern.first_run:
            prefix += padded[core_start]
        if not pattern.affixes.allows_prefix(prefix):
            return None
    if pattern.open_right and not pattern.han_right and padded[core_end] != " ":
        word_end = padded.find(" ", core_end)
        suffix = padded[core_end:word_end]
        if reading.run_length(core_end - 2) > pattern.last_run:
            suffix = padded[core_end - 1] + suffix
        if not pattern.affixes.allows_suffix(suffix):
            return None
    if (prefix or suffix) and _own_word(
        pattern, reading, prefix, (word_start, core_start, core_end, word_end)
    ):
        return None
    return word_start, word_end


def _written(reading: NormalizedText, start: int, end: int) -> str:
    """The source text of a padded span (padded indices are one past folded-text indices)."""
    if end <= start:
        return ""
    first, last = reading.source_span(start - 1, end - 1)
    return reading.source[first:last]


def _inside_innocent_word(pattern: _Pattern, padded: str, core_start: int) -> bool:
    """Whether the hit lies inside one of the term's innocent Han compounds, as written."""
    for word, offset in pattern.innocent:
        start = core_start - offset
        if start >= 1 and padded.startswith(word, start):
            return True
    return False


def _own_word(
    pattern: _Pattern, reading: NormalizedText, prefix: str, edges: tuple[int, int, int, int]
) -> bool:
    """Whether the affixed word, as written, is an ordinary word (see lexicon.py).

    ``edges`` are padded indices (one past folded-text indices) of the word's start, the core's
    start and end, and the word's end. A prefix is passed folded (prefix letters fold to
    themselves, and it then holds a letter a collapsed run shared with the term: ال + لص);
    an ending as written, to compare with the word list's spellings.
    """
    word_start, core_start, core_end, word_end = edges

    def written(start: int, end: int) -> str:
        return _written(reading, start, end)

    term = pattern.term
    word = written(word_start, word_end)
    if prefix:
        rest = written(core_start, word_end)
        return is_own_word(
            term.language, word, rest, prefix, before=True, stem=term.stem, listed=term.text
        )
    core, ending = written(core_start, core_end), written(core_end, word_end)
    return is_own_word(
        term.language, word, core, ending, before=False, stem=term.stem, listed=term.text
    )
