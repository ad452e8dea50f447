"""The conduct filter in Georgian, Serbian (both scripts) and Albanian."""

import pytest

from bot.domain.conduct import all_starter_terms, parse_terms
from bot.domain.conduct.matcher import TermMatcher
from bot.domain.conduct.normalize import normalize
from bot.features.moderation.rules import check_language

ALL = TermMatcher(all_starter_terms())


def terms_found(text: str, matcher: TermMatcher = ALL) -> set[str]:
    return {hit.term.text for hit in matcher.find(text)}


@pytest.mark.parametrize(
    ("message", "term"),
    [
        # Georgian: case endings and postpositions glued on, chained
        ("ბოზი", "ბოზ"),
        ("ბოზებისთვის", "ბოზ"),
        ("ნაბიჭვრებო!", "ნაბიჭვრ"),
        ("ისინი ქვეადამიანები არიან", "ქვეადამიან"),
        ("მოგკლავ", "მოგკლავ"),
        ("სიკვდილი ოსებს", "სიკვდილი ოსებს"),
        # Georgian in Mtavruli capitals and in the old Asomtavruli / Nuskhuri letters
        ("ᲛᲝᲒᲙᲚᲐᲕ", "მოგკლავ"),
        ("ႫႭႢႩႪႠႥ", "მოგკლავ"),
        ("ⴋⴍⴂⴉⴊⴀⴅ", "მოგკლავ"),
        ("მ ო გ კ ლ ა ვ", "მოგკლავ"),
        # Serbian: a Cyrillic term matches Latin text and the other way round
        ("шиптари", "шиптар"),
        ("šiptari", "шиптар"),
        ("SIPTARI", "шиптар"),  # typed without diacritics
        ("ubiću te", "убићу те"),
        ("ubicu te", "убићу те"),
        ("ЂУБРЕ ЈЕДНО", "ђубре једно"),
        ("djubre jedno", "ђубре једно"),
        ("đubre jedno", "ђубре једно"),
        ("smrt albancima", "смрт албанцима"),
        ("ви нисте људи", "ви нисте људи"),
        ("vi niste ljudi", "ви нисте људи"),
        ("VI NISTE LJUDI", "ви нисте људи"),
        # Albanian: definite and case endings, apostrophes, no diacritics
        ("shkijet", "shkije"),
        ("shkijeve", "shkije"),
        ("do t'ju vrasim", "do t'ju vrasim"),
        ("do tju vrasim", "do t'ju vrasim"),
        ("ju jeni kafshe", "ju jeni kafshë"),
        ("VDEKJE SERBËVE", "vdekje serbëve"),
    ],
)
def test_terms_are_found_in_their_forms_and_scripts(message: str, term: str) -> None:
    assert term in terms_found(message)


def test_a_programs_own_serbian_term_matches_both_scripts() -> None:
    matcher = TermMatcher(parse_terms("kreten*\nљигавац", "sr"))
    assert terms_found("Ти си кретен", matcher) == {"kreten"}
    assert terms_found("kretenu jedan", matcher) == {"kreten"}
    assert terms_found("ljigavac", matcher) == {"љигавац"}


@pytest.mark.parametrize(
    "message",
    [
        "Педагог Педерсен и балајаж.",
        "Pedagog Pedersen, toplovod i balajaž.",
        "Kurveleshi është krahinë; shkaku ishte trafiku.",
        "ჰიგსის ბოზონი და ბოზონები; პედიკიური შაბათს.",
    ],
)
def test_near_words_do_not_hit(message: str) -> None:
    assert terms_found(message) == set()


def test_georgian_scripts_fold_to_mkhedruli() -> None:
    assert normalize("ᲡᲘᲙᲕᲓᲘᲚᲘ").text == normalize("ႱႨႩႥႣႨႪႨ").text == "სიკვდილი"
    assert normalize("ⴑⴈⴉⴅⴃⴈⴊⴈ").text == "სიკვდილი"


def test_serbian_latin_terms_go_to_the_serbian_list() -> None:
    assert check_language("sr-Latn") == "sr"
    assert check_language("sr") == "sr"
    assert check_language("ka") == "ka"
    assert check_language("sq") == "sq"
