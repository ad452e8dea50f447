"""Blocked-term lists: the format organizers write and the starter lists shipped for each language.

Format, one term per line::

    # a comment (anything after # is ignored)
    i will kill you        a phrase: matched as whole words, blanks/punctuation between them free
    хохл*                  a stem: the language's inflection endings may follow (see affixes.py)
    빨갱이*                Korean: a stem takes the particles glued to it (빨갱이들, 빨갱이가)
    支那                   Han characters: no blanks between words, so a Han term also matches
                           inside a run of Han characters (你这个支那人); the innocent compounds
                           that hold it (印度支那) are listed in bot/data/innocent/<language>.txt.
                           A term's Latin edges still need a word edge (傻B: 你傻B吧, not 傻Bxx).

A term must fold (see normalize.py) to at least two letters or digits; a line that folds to
nothing (emoji, punctuation) or to one letter is refused with a code, never silently ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.domain.conduct.errors import ConductError, ConductErrorCode
from bot.domain.conduct.normalize import normalize

# Babel locale ids of the languages the bot ships; each has a starter list.
SHIPPED_LANGUAGES: tuple[str, ...] = (
    "en", "ru", "uk", "ar", "he", "tr", "el", "hy", "az", "ka", "sr", "sq",
    "ko", "zh_Hans", "zh_Hant", "es", "fr", "de",
)  # fmt: skip
STEM_MARKER = "*"
COMMENT_MARKER = "#"
_MIN_FOLDED_LENGTH = 2


@dataclass(frozen=True)
class Term:
    """One blocked term as written in a list (without the stem marker)."""

    text: str
    language: str
    stem: bool = False


def parse_terms(lines: str | Iterable[str], language: str) -> tuple[Term, ...]:
    """Terms of one language from list text, in order, duplicates dropped.

    Raises ConductError ``empty_term`` or ``term_too_short`` (params term, language, line: 1-based).
    """
    if isinstance(lines, str):
        lines = lines.splitlines()
    terms: dict[Term, None] = {}
    for line_number, line in enumerate(lines, start=1):
        written = line.split(COMMENT_MARKER, 1)[0].strip()
        if not written:
            continue
        stem = written.endswith(STEM_MARKER)
        text = written.removesuffix(STEM_MARKER).strip() if stem else written
        folded = normalize(text).text.replace(" ", "")
        params = {"term": written, "language": language, "line": line_number}
        if not folded:
            raise ConductError(ConductErrorCode.EMPTY_TERM, **params)
        if len(folded) < _MIN_FOLDED_LENGTH:
            raise ConductError(ConductErrorCode.TERM_TOO_SHORT, **params)
        terms[Term(text=text, language=language, stem=stem)] = None
    return tuple(terms)


@cache
def starter_terms(language: str) -> tuple[Term, ...]:
    """The shipped starter list of a language (``bot/data/blocklists/<language>.txt``).

    Raises ConductError ``unknown_language`` for a language without a list.
    """
    if language not in SHIPPED_LANGUAGES:
        raise ConductError(ConductErrorCode.UNKNOWN_LANGUAGE, language=language)
    path = (
        resources.files("bot").joinpath("data").joinpath("blocklists").joinpath(f"{language}.txt")
    )
    return parse_terms(path.read_text(encoding="utf-8"), language)


def all_starter_terms() -> tuple[Term, ...]:
    """Every shipped language's starter list, in SHIPPED_LANGUAGES order."""
    return tuple(term for language in SHIPPED_LANGUAGES for term in starter_terms(language))
