"""Recall of the shipped starter lists on the evasion corpus (tests/domain/evasion_corpus.py)."""

import pytest

from bot.domain.conduct import all_starter_terms
from bot.domain.conduct.matcher import TermMatcher
from tests.domain.evasion_corpus import evasion_corpus, recall_by_class

MATCHER = TermMatcher(all_starter_terms())


def test_the_corpus_covers_every_evasion_class() -> None:
    classes = {case.evasion for case in evasion_corpus()}
    assert {
        "mixed-script capitals",
        "homoglyphs",
        "spacing ' '",
        "digraph spacing",
        "zero-width",
        "leetspeak",
        "combining marks",
    } <= classes
    assert len(evasion_corpus()) > 3000


@pytest.mark.parametrize("seed", [12, 2027])
def test_recall_on_the_evasion_corpus_is_above_99_5_percent(seed: int) -> None:
    recall, classes, missed = recall_by_class(MATCHER.find, seed=seed)
    assert recall > 0.995, (recall, classes, [(c.evasion, c.text) for c in missed[:20]])


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("ТRАNNY", "tranny"),  # Cyrillic Т, А in a Latin word
        ("ХОХОЛ", "хохол"),
        ("XOXOЛ", "хохол"),  # Latin X, O in a Cyrillic word
        ("KAЦAП", "кацап"),  # Latin K, A
        ("MOCKAЛЬ", "москаль"),  # Latin M, C, K, A
        ("γύφtoς", "γύφτ"),  # Latin t, o in a Greek word
        ("τουρkόσπορος", "τουρκόσπορ"),  # Latin k
        ("ΤΟΥΡΚΌΣΠΟΡΕ", "τουρκόσπορ"),
        ("ե ն թ ա մ ա ր դ", "ենթամարդ"),
        ("թ ու ր ք շ ու ն", "թուրք շուն"),  # Armenian ու spaced as one letter
    ],
)
def test_reported_misses_are_caught(text: str, term: str) -> None:
    assert term in {hit.term.text for hit in MATCHER.find(text)}
