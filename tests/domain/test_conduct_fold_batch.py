"""Folding a message's new words together gives what folding them one by one gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.conduct import normalize


def _clear() -> None:
    normalize._CHUNKS_WITH_ONE.clear()
    normalize._CHUNKS_WITH_CJK.clear()
    normalize._CHUNKS_MARKED.clear()
    for cache in normalize._CHUNKS.values():
        cache.clear()


def _fold(text: str, reading: str, batch_from: int) -> tuple:
    _clear()
    saved = normalize._BATCH_FROM
    normalize._BATCH_FROM = batch_from
    try:
        first = normalize._fast_fold(text, reading)
        again = normalize._fast_fold(text, reading)  # from the cache this time
        marks = (
            set(normalize._CHUNKS_WITH_ONE),
            set(normalize._CHUNKS_WITH_CJK),
            set(normalize._CHUNKS_MARKED),
        )
    finally:
        normalize._BATCH_FROM = saved
        _clear()
    assert again == first
    return first, marks


_PIECES = st.sampled_from(
    [
        *"aAbeelloo1034$@ _-.!'\u00a0\u200b\u0301\x00\t",
        "ss",
        "Hello",
        "heeelllo",
        "n1gg3r",
        "s l u r",
        "к1ллер",
        "ЖЖЖ",
        "ا",
        "שלום",
        "병 신",
        "병",
        "印度支那",
        "中 国",
        "Ⅻ",
        "ﬁ",
        "😀",
        "x" * 70,
        "2026",
        "l33t",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join), st.sampled_from(["i", "l"]))
def test_batch_fold_equals_word_by_word(text: str, reading: str) -> None:
    assert _fold(text, reading, 1) == _fold(text, reading, 10**9)


@pytest.mark.parametrize(
    "text",
    [
        "Let's agree on one topic per session; it helped last time.",
        "Мне кажется, нужно начать с вопросов о воде и дорогах.",
        "s h i t  and  4ss  h0l3  ",
        "a  \u00a0 b\x00c   d",
    ],
)
def test_batch_fold_on_sentences(text: str) -> None:
    assert _fold(text, "i", 1) == _fold(text, "i", 10**9)
