"""Korean and Chinese in the conduct filter: Hangul folding, particles, and Han text without blanks.

The rule for Han: Chinese puts no blanks between words, so a Han term matches inside any run of
Han characters, and blanks or punctuation between two Han characters are ignored. What would be
a false hit, the term inside an ordinary longer word (支那 in 印度支那, 畜生 in 牲畜生产), is
cancelled by the curated innocent compounds of bot/data/innocent/zh_*.txt when the text holds
the whole compound around the hit. The edge of a term that is not Han (傻B, 死gay, a program's
sb) still needs a word edge, and a Han character next to it is one: 你傻B吧 hits, 傻Bxx and usb
do not. Korean is written with blanks between words, so Korean terms match whole words, and
stems (*) take the particles glued to them.
"""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.conduct import TermMatcher, all_starter_terms, parse_terms
from bot.domain.conduct.normalize import normalize, normalize_variants

PROGRAM = {"zh_Hans": "sb\n操你", "ko": "시발*\nㅅㅂ\n개새*"}
MATCHER = TermMatcher(
    all_starter_terms()
    + tuple(term for lang, text in PROGRAM.items() for term in parse_terms(text, lang))
)


def found(text: str) -> set[str]:
    return {hit.term.text for hit in MATCHER.find(text)}


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("你这个傻逼吧", "傻逼"),  # inside a run of Han characters, no blanks anywhere
        ("你这个支那人滚出去", "支那人"),
        ("你們這些支那豬", "支那豬"),
        ("我知道你住哪，小心点", "我知道你住哪"),
        ("傻 逼", "傻逼"),  # blanks and punctuation between Han characters say nothing
        ("傻.逼", "傻逼"),
        ("傻\u200b逼", "傻逼"),
        ("⼈渣", "人渣"),  # a Kangxi radical folds to the ideograph (NFKC)
        ("你傻B吧", "傻B"),  # the Latin edge sits next to a Han character: a word edge
        ("你傻Ｂ吧", "傻B"),  # full-width Latin folds to Latin
        ("你這死gay", "死gay"),
        ("你sb吧", "sb"),  # a Latin program term between Han characters
        ("ＳＢ", "sb"),
        ("印度支那和支那人", "支那人"),  # the compound is innocent, the second hit is not
    ],
)
def test_han_terms_match_inside_runs_of_han(text: str, term: str) -> None:
    assert term in found(text)


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("印度支那半岛有很多国家", "支那"),  # a longer ordinary word holds the term
        ("這個地區的牲畜生產發展得很快", "畜生"),
        ("这项政策不会削弱智能制造的发展", "弱智"),
        ("心智障礙者的就業", "智障"),
        ("傻Bxx", "傻B"),  # a Latin edge needs a word edge
        ("死gayxx", "死gay"),
        ("usb 接口坏了", "sb"),
        ("这个操作很简单", "操你"),  # 操 alone is too short to list; 操作 holds no term
    ],
)
def test_han_terms_do_not_hit_inside_innocent_words(text: str, term: str) -> None:
    assert term not in found(text)


def test_han_hit_quotes_what_was_written() -> None:
    text = "你这个傻 逼吧"
    hit = next(hit for hit in MATCHER.find(text) if hit.term.text == "傻逼")
    assert text[slice(*hit.span)] == "傻 逼"


def test_digits_next_to_han_stay_numbers() -> None:
    assert normalize("2026年3月10日").text == "2026 年 3 月 10 日"
    assert normalize("你sb吧").text == "你 sb 吧"


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("빨갱이들아", "빨갱이"),  # particles and the plural glued to a stem
        ("빨갱이가 또 왔네", "빨갱이"),
        ("이 병신아", "병신"),
        (unicodedata.normalize("NFD", "이 병신아"), "병신"),  # conjoining jamo (NFD)
        ("병 신", "병신"),  # two syllables spaced out
        ("병.신", "병신"),
        ("병병병신", "병신"),  # a repeated syllable
        ("병\u3164신", "병신"),  # a Hangul filler inside the word
        ("ㅅㅂ", "ㅅㅂ"),  # compatibility jamo
        ("시발놈의 시발아", "시발"),
        ("죽여버릴거야", "죽여 버릴 거야"),  # a phrase written without blanks
    ],
)
def test_korean_terms_hit(text: str, term: str) -> None:
    assert term in found(text)


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("이 역이 경부선의 시발점이에요", "시발"),  # 始發點: not a particle after the stem
        ("2016년은 병신년이었다", "병신"),  # 丙申年
        ("개색", "개새"),  # a final consonant is part of the syllable, not an ending
        ("우리 개 새끼들이 귀여워요", "개새끼"),  # "the dog's puppies", written apart
    ],
)
def test_korean_terms_do_not_hit_ordinary_words(text: str, term: str) -> None:
    assert term not in found(text)


def test_hangul_folds_alike_in_every_spelling() -> None:
    word = "빨갱이들"
    assert normalize(unicodedata.normalize("NFD", word)).text == normalize(word).text == word
    assert normalize("ㅂㅏㄹ").text == normalize("바ᄅ").text  # jamo compose where they can


_CJK = st.sampled_from(
    [
        *"병신빨갱이 傻逼支那人 ab1.",
        "ᄇ",
        "ᅧ",
        "ᆼ",
        "ㅅ",
        "ㅂ",
        "\u3164",
        "\u200b",
        "⼈",
        "Ｂ",
        "年",
        "3",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_CJK, max_size=30).map("".join))
def test_tracked_folding_agrees_with_the_fast_path_on_cjk(source: str) -> None:
    for reading in normalize_variants(source):
        text = reading.text
        assert text == text.strip() and "  " not in text
        for index in range(len(text)):
            begin, end = reading.source_span(index, index + 1)
            assert 0 <= begin < end <= len(source)


def test_program_lists_take_the_new_language_codes_as_people_type_them() -> None:
    from bot.features.moderation.rules import check_language

    assert check_language("zh-hans") == "zh_Hans"
    assert check_language("ZH_HANT") == "zh_Hant"
    assert check_language("ko") == "ko"
