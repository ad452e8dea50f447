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
    # м folds to m (its capital М looks like M); з and ь look like no Latin letter.
    assert normalize("мразь").text == "m" + "pa" + "зь"


@pytest.mark.parametrize(
    ("disguised", "plain"),
    [
        ("ВТМКН", "втмкн"),  # Latin capitals B T M K H standing for Cyrillic letters
        ("BTMKH", "втмкн"),
        ("ТRАΝΝΥ", "tranny"),  # Cyrillic and Greek capitals in a Latin word
        ("Τranny", "tranny"),
        ("ΚΙΚΕ", "kike"),
        ("tоυρkόσπορ", "τουρκόσπορ"),  # Latin t and k in a Greek word
        ("εβραίοι", "eβραίοι"),
        ("ΑΛΒΑΝΟΣ", "AΛBANOΣ"),  # Greek Ν folds to n by its case (the matcher keys capitals too)
    ],
)
def test_capital_look_alikes_fold_with_their_lower_case(disguised: str, plain: str) -> None:
    assert normalize(disguised).text == normalize(plain).text


def test_spaced_out_words_keep_digraph_letters_together() -> None:
    assert normalize("թ ու ր ք").text == normalize("թուրք").text
    assert normalize("τ ου ρ κ ο ς").text == normalize("τουρκος").text
    assert normalize("Τ ΟΥ Ρ Κ").text == normalize("ΤΟΥΡΚ").text
    # Two-letter words of ordinary text are not joined.
    assert normalize("we go to it").text == "we go to it"


def test_three_reads_as_ze_in_cyrillic_words() -> None:
    assert normalize("3дохни").text == normalize("здохни").text
    assert normalize("h3ll0").text == normalize("hello").text


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
    assert folded.text.startswith("mи" + "p peace שלומ سلام mи")
    assert folded.source_span(0, len(folded.text))[0] == 0
