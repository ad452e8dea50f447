import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.domain.conduct.matcher import TermMatcher
from bot.domain.conduct.terms import Term, parse_terms

TERMS = (
    parse_terms("cunt\nass\nnigger\nslur\ni will kill you\nretard*\nspic", "en")
    + parse_terms("жид*\nхач*\nхохол\nхохл*\nпедик*", "ru")
    + parse_terms("москал*", "uk")
    + parse_terms("sik*\ngöt*\nkıro\ngavur*", "tr")
    + parse_terms("dığa*", "az")
    + parse_terms("عبد\nلص\nكلب*", "ar")
    + parse_terms("חמור\nערבוש*", "he")
    + parse_terms("αράπ*", "el")
)
MATCHER = TermMatcher(TERMS)


def found(text: str) -> list[tuple[str, str]]:
    """(term, quoted text) for every hit."""
    return [(hit.term.text, text[hit.span[0] : hit.span[1]]) for hit in MATCHER.find(text)]


def terms_found(text: str) -> set[str]:
    return {term for term, _ in found(text)}


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("you cunt", "cunt"),
        ("you c\u200bu\u200cn\u200dt", "cunt"),  # zero-width characters
        ("you сunt", "cunt"),  # Cyrillic с
        ("you ＣＵＮＴ", "cunt"),  # full width
        ("you 𝐜𝐮𝐧𝐭", "cunt"),  # mathematical bold
        ("you c u n t", "cunt"),  # spaced out
        ("you c.u.n.t!", "cunt"),
        ("you c-u-n-t", "cunt"),
        ("you cuuuuunt", "cunt"),  # repetition
        ("you c*u*n*t", "cunt"),
        ("n1gg3r", "nigger"),  # leetspeak
        ("N I G G E R", "nigger"),
        ("niiiggggerrr", "nigger"),
        ("a$$", "ass"),
        ("@ss", "ass"),
        ("sluuuuur", "slur"),
        ("s̷l̷u̷r̷", "slur"),  # combining strike-through
        ("I WILL KILL YOU", "i will kill you"),
        ("i will, kill... you", "i will kill you"),
        ("i   will   k1ll   you", "i will kill you"),
        ("iwillkillyou", "i will kill you"),
        ("retarded", "retard"),
        ("RETARDS", "retard"),
    ],
)
def test_evasions_are_caught(text: str, term: str) -> None:
    assert term in terms_found(text)


@pytest.mark.parametrize(
    "text",
    [
        # English
        "Scunthorpe United",
        "the assassin attended a classic class",
        "passage, embassy, bass, grass, assess",
        "the Niger river",  # one g: not the slur
        "a snigger",
        "spicy spice, despicable",
        "fire retardant",
        "i will kill the process",
        # Russian / Ukrainian
        "жидкость и жидкий азот",
        "хачапури и Хачатурян",
        "хохлома",
        "педикюр",
        "Москаленко",
        # Turkish
        "sıkıntı",
        "SIKINTI",
        "şikayet",
        "sikke",
        "götürmek",
        "götürdü",
        "gavurdağı",
        # Arabic
        "عبدالله",
        "معبد",
        "تكلبت",
        # Hebrew
        "חמורה",
        "חמורות",
        "ערבות",
        # Greek
        "αραπόσιτος",
    ],
)
def test_innocent_words_containing_a_term_are_not_hits(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "term", "quote"),
    [
        # Arabic prefixes: conjunction, preposition, article, chained; ال + ل written لل
        ("العبد", "عبد", "العبد"),
        ("وبعبد", "عبد", "وبعبد"),
        ("والعبد", "عبد", "والعبد"),
        ("اللص", "لص", "اللص"),
        ("فالكلب", "كلب", "فالكلب"),
        ("كلابهم", None, None),  # a broken plural is a different word
        ("كلبهم", "كلب", "كلبهم"),  # a stem takes pronoun suffixes
        ("فكلبهم", "كلب", "فكلبهم"),
        # Hebrew one-letter prefixes chain
        ("החמור", "חמור", "החמור"),
        ("וכשהחמור", "חמור", "וכשהחמור"),
        ("ערבושים", "ערבוש", "ערבושים"),
        ("והערבושים", "ערבוש", "והערבושים"),  # prefixes and a suffix on one stem
        # Russian and Ukrainian case endings on stems only
        ("жидам", "жид", "жидам"),
        ("хохлы", "хохл", "хохлы"),
        ("хохол", "хохол", "хохол"),
        ("москалів", "москал", "москалів"),
        # Turkish and Azerbaijani suffix chains
        ("gavurlar", "gavur", "gavurlar"),
        ("gavurlara", "gavur", "gavurlara"),
        ("götünü", "göt", "götünü"),
        ("dığalar", "dığa", "dığalar"),
        ("digalarin", "dığa", "digalarin"),  # typed on an ASCII keyboard
        ("kiro", "kıro", "kiro"),
        ("KIRO", "kıro", "KIRO"),  # I case-folds to i
        # Greek endings
        ("αράπηδες", "αράπ", "αράπηδες"),
        ("Αράπης", "αράπ", "Αράπης"),
    ],
)
def test_inflected_forms(text: str, term: str | None, quote: str | None) -> None:
    expected = [] if term is None else [(term, quote)]
    assert found(text) == expected


def test_a_term_that_is_not_a_stem_takes_no_endings() -> None:
    assert found("kırolar") == []
    assert found("хохолы") == []


def test_spans_quote_the_original_text() -> None:
    text = "Well, I  WILL   kill you — and you, Ｓ.Ｌ.Ｕ.Ｒ!"
    assert found(text) == [("i will kill you", "I  WILL   kill you"), ("slur", "Ｓ.Ｌ.Ｕ.Ｒ")]


def test_hits_in_mixed_language_text_are_ordered_by_position() -> None:
    text = "אתה חמור, and a slur, и жиды"
    assert [term for term, _ in found(text)] == ["חמור", "slur", "жид"]


def test_emoji_and_combining_mark_only_messages_have_no_hits() -> None:
    assert found("🙂" * 2000) == []
    assert found("\u0301" * 4096) == []
    assert found("") == []


def test_a_matcher_without_terms_finds_nothing() -> None:
    assert TermMatcher(()).find("anything at all") == []


def test_same_key_in_two_languages_reports_both() -> None:
    matcher = TermMatcher(parse_terms("ermeni dölü", "tr") + parse_terms("erməni dölü", "az"))
    hits = matcher.find("Ermeni dölü")
    assert {hit.term.language for hit in hits} == {"tr", "az"}
    assert {hit.span for hit in hits} == {(0, 11)}


_LETTERS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(_LETTERS, _LETTERS)
def test_a_whole_word_term_never_hits_inside_a_longer_word(before: str, after: str) -> None:
    # A repeated first or last letter is repetition ("ccunt"), which is meant to hit.
    assume(not before.endswith("c") and not after.startswith("t"))
    matcher = TermMatcher([Term("cunt", "en")])
    assert matcher.find(f"{before}cunt{after}") == []
    assert matcher.find(f"{before}cunt") == []
    assert matcher.find(f"cunt{after}") == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["\u200b", "\u00ad", "\u0301", "", "", ""]),
        min_size=4,
        max_size=4,
    ),
    st.lists(st.integers(min_value=1, max_value=4), min_size=4, max_size=4),
    st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_disguised_spellings_still_hit(
    inserts: list[str], repeats: list[int], upper: list[bool]
) -> None:
    letters = [
        (char.upper() if up else char) * times
        for char, times, up in zip("cunt", repeats, upper, strict=True)
    ]
    disguised = "".join(letter + insert for letter, insert in zip(letters, inserts, strict=True))
    assert {hit.term.text for hit in MATCHER.find(f"you {disguised}!")} == {"cunt"}
