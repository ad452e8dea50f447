"""Who-is-heard word counts: the one-pass count agrees with the token-by-token definition."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.features.sessions.participation import count_words


def reference(text: str | None) -> int:
    """The definition: whitespace-separated tokens holding at least one letter or digit."""
    if not text:
        return 0
    return sum(1 for token in text.split() if any(ch.isalnum() for ch in token))


def test_words_are_tokens_with_a_letter_or_digit() -> None:
    assert count_words("Мне кажется — 2 вопроса, _ и ...") == 5
    assert count_words("أعتقد أن الحوار") == 3
    assert count_words("印度支那 牲畜生产") == 2
    assert count_words("__ -- ") == 0
    assert count_words("a\u00a0b\u2003c") == 3  # no-break and em spaces separate words
    assert count_words(None) == 0
    assert count_words("") == 0


_ALPHABET = st.sampled_from(
    [
        *"ab1_-.,!? \t\n\u00a0\u2003\u200b\u3000",
        *["я", "ա", "ß", "٣", "²", "Ⅻ", "\u0301", "\u200d", "😀", "한", "中"],
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=60) | st.text(max_size=60))
def test_the_fast_count_equals_the_definition(text: str) -> None:
    assert count_words(text) == reference(text)
