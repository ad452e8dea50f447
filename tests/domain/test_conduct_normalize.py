import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.conduct.normalize import normalize, normalize_variants


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Hello,   World!", "helo world"),  # case, punctuation, blanks; ll is one l repeated
        ("ＦＵＬＬ ｗｉｄｔｈ", "ful width"),
        ("𝐛𝐨𝐥𝐝 𝓼𝓬𝓻𝓲𝓹𝓽", "bold script"),
        (
            "z\u200be\u200dr\u2060o\u00ad",
            "zero",
        ),  # zero-width space/joiner, word joiner, soft hyphen
        ("zá̴̡̛l̷g̶o", "zalgo"),  # stacked combining marks
        ("s l u r", "slur"),
        ("s.l.u.r", "slur"),
        ("s-l-u-r and s_l_u_r", "slur and slur"),
        ("sluuuuur", "slur"),
        ("h3ll0 w0rld", "helo world"),
        ("$l@t", "slat"),
        ("2024-05-01 10:30", "2024 05 01 10 30"),  # numbers are not leetspeak
        ("don't", "dont"),
        ("п'ять", "пять"),  # the Ukrainian apostrophe sits inside words
        ("ё й ї", "е и i"),  # diacritics go; Ukrainian і folds to Latin i (a look-alike)
        ("İSTANBUL ırmak", "istanbul ırmak"),  # dotless ı stays a letter of its own
        ("erməni", "ermeni"),  # schwa is commonly typed as e
        ("שָׁלוֹם", "שלומ"),  # niqqud gone, final mem folded
        ("مَرْحَبًا أهلاً", "مرحبا اهلا"),  # harakat gone, hamza-alef folded
        ("كـــلب", "كلب"),  # tatweel
        ("մի՞թե", "միթե"),  # Armenian question mark inside the word
        ("🙂🙂 👍", ""),
        ("\u0301\u0301\u0301", ""),
    ],
)
def test_folding(written: str, folded: str) -> None:
    assert normalize(written).text == normalize(folded).text
    assert normalize(written).text == normalize(normalize(written).text).text


def test_look_alike_letters_fold_to_one_script() -> None:
    latin, cyrillic, greek = "paco", "расо", "ραсο"
    assert normalize(latin).text == normalize(cyrillic).text == normalize(greek).text == "paco"


def test_cyrillic_words_without_look_alikes_keep_their_letters() -> None:
    assert normalize("мразь").text == "м" + "pa" + "зь"


def test_greek_sigma_is_not_folded_to_o() -> None:
    # σ and ο are different Greek letters; folding both to o would merge Greek words.
    assert normalize("σου").text != normalize("οου").text


def test_one_is_read_as_i_and_as_l_only_when_a_lettered_token_has_it() -> None:
    readings = normalize_variants("k1ll")
    assert [r.text for r in readings] == ["kil", "kl"]
    assert [r.one_reads_as for r in readings] == ["i", "l"]
    assert len(normalize_variants("call me at 10:15")) == 1


def test_run_lengths_are_kept() -> None:
    folded = normalize("sluuuur asss")
    assert folded.text == "slur as"
    assert [folded.run_length(i) for i in range(len(folded.text))] == [1, 1, 4, 1, 1, 1, 3]


def test_source_span_points_back_to_what_was_written() -> None:
    source = "Hey, Ｓ.Ｌ.Ｕ.Ｒ!!"
    folded = normalize(source)
    assert folded.text == "hey slur"
    start = folded.text.index("slur")
    begin, end = folded.source_span(start, start + 4)
    assert source[begin:end] == "Ｓ.Ｌ.Ｕ.Ｒ"


def test_source_span_of_a_repeated_letter_covers_the_whole_run() -> None:
    source = "no wayyyyy"
    folded = normalize(source)
    begin, end = folded.source_span(len(folded.text) - 3, len(folded.text))
    assert source[begin:end] == "wayyyyy"


_TRICKY_CHARACTERS = "aAsSlL1305@$ .-_'’\u200b\u0301\u05b8оОсСаеxкııİשלםمرأـ🙂\t\n,ss"
_TRICKY = st.sampled_from([*_TRICKY_CHARACTERS, "ﬁ", "ß", "𝐛", "ǅ", "ŉ", "½", "\u3164", "١", "①"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_TRICKY, max_size=40).map("".join) | st.text(max_size=40))
def test_tracked_folding_agrees_with_the_fast_path(source: str) -> None:
    for reading in normalize_variants(source):
        text = reading.text
        assert text == text.strip() and "  " not in text
        for index in range(len(text)):
            begin, end = reading.source_span(index, index + 1)
            assert 0 <= begin < end <= len(source)
            assert reading.run_length(index) >= 1
        if text:
            assert reading.source_span(0, len(text))[1] <= len(source)


def test_long_message_folds_without_error() -> None:
    source = ("Мир 🙂 peace שלום سلام\u0301 " * 300)[:4096]
    folded = normalize(source)
    assert folded.text.startswith("ми" + "p peace שלומ سلام ми")
    assert folded.source_span(0, len(folded.text))[0] == 0
