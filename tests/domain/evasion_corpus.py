"""An evasion corpus: every shipped starter term disguised the ways people disguise words.

Used by the recall test (and printed by ``python -m tests.domain.evasion_corpus``). Each case is
(evasion class, disguised text, the term it must still hit). The disguises are written from what
evaders type, not from what the normaliser folds: look-alike letters from another script (in
capitals and in lower case, both directions), letters spaced out (digraph letters such as Armenian
ու kept together as people type them), invisible characters, leetspeak, combining marks, repeated
letters, and the term inside a sentence. Random choices use a fixed seed, so the corpus is stable.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from bot.domain.conduct.terms import SHIPPED_LANGUAGES, Term, starter_terms

# Look-alike capitals across Latin, Cyrillic and Greek (what a keyboard switch produces).
_CAPITAL_TWINS = {
    "A": "АΑ",
    "B": "ВΒ",
    "C": "С",
    "E": "ЕΕ",
    "H": "НΗ",
    "I": "ІΙ",
    "J": "Ј",
    "K": "КΚ",
    "M": "МΜ",
    "N": "Ν",
    "O": "ОΟ",
    "P": "РΡ",
    "S": "Ѕ",
    "T": "ТΤ",
    "X": "ХΧ",
    "Y": "УΥ",
    "Z": "Ζ",
}
_TWIN_GROUPS = [key + twins for key, twins in _CAPITAL_TWINS.items()]
_CAPITAL_LOOKALIKES = {
    char: [other for other in group if other != char] for group in _TWIN_GROUPS for char in group
}
# Look-alike lower-case letters; Greek κ τ ε are typed as Latin k t e in Greek words.
_LOWER_TWINS = [
    "aа",
    "eе",
    "oоο",
    "pрρ",
    "cс",
    "yу",
    "xх",
    "iіι",
    "jј",
    "sѕ",
    "kκ",
    "tτ",
    "eε",
    "vν",
    "hһ",
]
_LOWER_LOOKALIKES = {
    char: [other for other in group if other != char] for group in _LOWER_TWINS for char in group
}
_LEET = {
    "a": "4@",
    "e": "3",
    "i": "1",
    "o": "0",
    "s": "5$",
    "t": "7",
    "а": "@",
    "о": "0",
    "з": "3",
    "ο": "0",
}
_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff"]
_MARKS = ["\u0301", "\u0308", "\u0336", "\u0338", "\u0335", "\u0489"]
# Letters written with two code points, which people keep together when they space a word out.
DIGRAPHS = ("ու", "ου", "ει", "οι", "αι", "μπ", "ντ", "γκ", "τσ", "τζ")
_SENTENCES = [
    "{} !!!",
    "ну ты {}",
    "you are {}.",
    "— {}, да",
    "sen {} misin",
    "{}?",
    "αυτός είναι {}",
    "אתה {}",
    "أنت {}",
    "դու {} ես",
    "bu {} idi",
]


@dataclass(frozen=True)
class Case:
    evasion: str
    text: str
    term: Term


def _letters(text: str) -> list[str]:
    """The term's letters, digraph letters kept as one unit (as a person spaces them)."""
    units: list[str] = []
    index = 0
    while index < len(text):
        pair = text[index : index + 2]
        if pair in DIGRAPHS:
            units.append(pair)
            index += 2
        else:
            units.append(text[index])
            index += 1
    return units


def _swap(rng: random.Random, text: str, table: dict[str, list[str]], share: float) -> str:
    out = []
    for char in text:
        choices = table.get(char)
        out.append(rng.choice(choices) if choices and rng.random() < share else char)
    return "".join(out)


def _variants(rng: random.Random, term: Term) -> Iterator[tuple[str, str]]:
    text = term.text
    upper = text.upper()
    yield "mixed-script capitals", _swap(rng, upper, _CAPITAL_LOOKALIKES, 0.5)
    yield "mixed-script capitals", _swap(rng, upper, _CAPITAL_LOOKALIKES, 1.0)
    yield (
        "mixed-script title case",
        _swap(rng, text[:1].upper(), _CAPITAL_LOOKALIKES, 1.0) + text[1:],
    )
    yield "homoglyphs", _swap(rng, text, _LOWER_LOOKALIKES, 0.5)
    yield "homoglyphs", _swap(rng, text, _LOWER_LOOKALIKES, 1.0)
    for word_gap in (" ", "."):
        yield f"spacing '{word_gap}'", word_gap.join(char for char in text if char != " ")
    digraphs = [unit for unit in _letters(text) if len(unit) == 2 and unit != " "]
    if digraphs:
        yield "digraph spacing", " ".join(unit for unit in _letters(text) if unit != " ")
        yield (
            "digraph spacing capitals",
            " ".join(unit.upper() for unit in _letters(text) if unit != " "),
        )
    yield (
        "zero-width",
        "".join(char + (rng.choice(_INVISIBLE) if char != " " else "") for char in text).rstrip(
            "".join(_INVISIBLE)
        ),
    )
    # A word written in digits only stays a number (2024, 10:30): every word keeps a letter.
    leet_words = []
    for word in text.split(" "):
        letters = [i for i, c in enumerate(word) if c in _LEET]
        keep = rng.choice(letters) if len(letters) == len(word) else -1
        leet_words.append(
            "".join(
                rng.choice(_LEET[c]) if c in _LEET and i != keep and rng.random() < 0.7 else c
                for i, c in enumerate(word)
            )
        )
    leet = " ".join(leet_words)
    if leet != text:
        yield "leetspeak", leet
    yield (
        "combining marks",
        "".join(char + (rng.choice(_MARKS) if char.isalpha() else "") for char in text),
    )
    yield (
        "zalgo",
        "".join(
            char + "".join(rng.choice(_MARKS) for _ in range(3)) if char.isalpha() else char
            for char in text
        ),
    )
    index = max(range(len(text)), key=lambda i: text[i].isalpha())
    yield "repetition", text[: index + 1] + text[index] * 3 + text[index + 1 :]
    yield "in a sentence", rng.choice(_SENTENCES).format(_swap(rng, text, _LOWER_LOOKALIKES, 0.3))
    yield "full width / compatibility", unicodedata.normalize("NFKD", text).upper()


def evasion_corpus(seed: int = 12) -> list[Case]:
    """Every starter term of every shipped language through every evasion class."""
    rng = random.Random(seed)
    cases: list[Case] = []
    for language in SHIPPED_LANGUAGES:
        for term in starter_terms(language):
            seen: set[str] = set()
            for evasion, text in _variants(rng, term):
                if text not in seen:
                    seen.add(text)
                    cases.append(Case(evasion, text, term))
    return cases


def recall_by_class(find, seed: int = 12) -> tuple[float, dict[str, tuple[int, int]], list[Case]]:
    """(overall recall, {class: (caught, total)}, missed cases) for a ``find(text) -> hits``."""
    by_class: dict[str, list[int]] = {}
    missed: list[Case] = []
    corpus = evasion_corpus(seed)
    for case in corpus:
        caught = any(hit.term == case.term for hit in find(case.text))
        tally = by_class.setdefault(case.evasion, [0, 0])
        tally[0] += caught
        tally[1] += 1
        if not caught:
            missed.append(case)
    total_caught = sum(c for c, _ in by_class.values())
    return (
        total_caught / len(corpus),
        {name: (c, t) for name, (c, t) in by_class.items()},
        missed,
    )


if __name__ == "__main__":
    from bot.domain.conduct import all_starter_terms
    from bot.domain.conduct.matcher import TermMatcher

    matcher = TermMatcher(all_starter_terms())
    recall, classes, missed = recall_by_class(matcher.find)
    print(f"recall {recall:.4%} over {len(evasion_corpus())} cases")
    for name, (caught, total) in sorted(classes.items()):
        print(f"  {name:28} {caught}/{total}")
    for case in missed[:60]:
        print("  missed", case.evasion, repr(case.text), case.term.language, case.term.text)
