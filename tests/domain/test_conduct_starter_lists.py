from importlib import resources

import pytest

from bot.domain.conduct.affixes import affix_rules
from bot.domain.conduct.errors import ConductError, ConductErrorCode
from bot.domain.conduct.matcher import TermMatcher
from bot.domain.conduct.normalize import normalize
from bot.domain.conduct.terms import (
    SHIPPED_LANGUAGES,
    Term,
    all_starter_terms,
    parse_terms,
    starter_terms,
)

ALL = TermMatcher(all_starter_terms())


def terms_found(text: str) -> list[str]:
    return [hit.term.text for hit in ALL.find(text)]


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_every_shipped_language_has_a_modest_list(language: str) -> None:
    terms = starter_terms(language)
    assert 20 <= len(terms) <= 60
    assert all(term.language == language for term in terms)


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_every_listed_term_is_found_as_written(language: str) -> None:
    for term in starter_terms(language):
        assert term.text in terms_found(f"«{term.text.upper()}»"), term


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_the_list_file_is_utf8_text_with_comments(language: str) -> None:
    path = (
        resources.files("bot").joinpath("data").joinpath("blocklists").joinpath(f"{language}.txt")
    )
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#")


@pytest.mark.parametrize(
    ("language", "message", "term"),
    [
        ("en", "You're all cockroaches? No: you are cockroaches, all of you.", "are cockroaches"),
        ("en", "I'll kill you.", "i'll kill you"),
        ("ru", "Эти ХОХЛЫ опять...", "хохл"),
        ("ru", "Я тебя убью!", "я тебя убью"),
        ("uk", "Москалі, ви таргани.", "москал"),
        ("uk", "Я тебе вбʼю", "я тебе вб'ю"),
        ("ar", "والله سأقتلك", "سأقتلك"),
        ("ar", "ساقتلك", "سأقتلك"),  # typed without hamza
        ("he", "ערבושים מסריחים", "ערבוש"),
        ("he", "אני אהרוג אותך", "אני אהרוג אותך"),
        ("tr", "Gavurlara bak", "gavur"),
        ("tr", "seni oldurecegim", "seni öldüreceğim"),  # typed without Turkish letters
        ("az", "SƏNİ ÖLDÜRƏCƏYƏM", "səni öldürəcəyəm"),
        ("az", "erməni iti", "erməni iti"),
        ("el", "Τουρκόσποροι!", "τουρκόσπορ"),
        ("el", "θα σε σκοτωσω", "θα σε σκοτώσω"),  # typed without accents
        ("hy", "Կսպանեմ քեզ", "կսպանեմ քեզ"),
        ("hy", "ենթամարդը", "ենթամարդ"),
    ],
)
def test_listed_terms_are_found_in_context(language: str, message: str, term: str) -> None:
    assert term in terms_found(message)
    assert any(hit.term.language == language for hit in ALL.find(message))


@pytest.mark.parametrize(
    "message",
    [
        "Scunthorpe is a town in England, and the assassin's class was a classic.",
        "We visited Niger and Nigeria; the spices made everything spicy.",
        "Use a fire retardant coating. I will kill the process and restart it.",
        "Cockroaches are insects, and those are animals in the zoo.",
        "Жидкость испарилась, а мы ели хачапури у Хачатуряна.",
        "Хохлома — народный промысел. Запишись на педикюр. Виталий Чуркин был дипломатом.",
        "Москалёв приехал, у нас тараканы на кухне.",
        "Москаленко прийшов. Руснаки живуть у Закарпатті. Рідина витекла.",
        "Sıkıntı yok, şikayet etme. Sikke koleksiyonu. Eşyaları götürmek lazım.",
        "Gavurdağı yüksek bir dağdır. İbn Rüşd bir filozoftu. Öldürücü bir virüs.",
        "Ermənistan və Azərbaycan. Erməni dili. Bu it çox yaxşıdır.",
        "عبدالله ذهب إلى المعبد. كلبي لطيف جدا. الدخول مجاني. قتلت الوقت.",
        "خول له القانون ذلك. الخولي صديقي.",
        "אני בכושר טוב. ערבות בנקאית. החמור אכל. ג'וקים במטבח.",
        "Ο αραπόσιτος είναι καλαμπόκι. Το γυφτοσκέπαρνο είναι εργαλείο.",
        "Η Τουρκία και η Ελλάδα. Οι κατσαρίδες στην κουζίνα.",
        "Շունը բակում է։ Թուրքիան և Հայաստանը հարևաններ են։",
    ],
)
def test_everyday_sentences_have_no_hits(message: str) -> None:
    assert terms_found(message) == []


def test_prefix_letters_fold_to_themselves() -> None:
    # The Arabic and Hebrew prefix patterns are written in folded form.
    for language, letters in (("ar", "وفبكلا"), ("he", "והבכלמש")):
        assert affix_rules(language).allows_prefix(letters[0])
        assert normalize(letters).text == letters


def test_list_format() -> None:
    text = "# comment\n\nfoo bar   # trailing comment\nstem*\n  spaced stem *\nfoo bar\n"
    assert parse_terms(text, "en") == (
        Term("foo bar", "en"),
        Term("stem", "en", stem=True),
        Term("spaced stem", "en", stem=True),
    )


@pytest.mark.parametrize(
    ("line", "code"),
    [("🙂🙂", ConductErrorCode.EMPTY_TERM), ("x", ConductErrorCode.TERM_TOO_SHORT)],
)
def test_bad_lines_are_refused_with_their_line_number(line: str, code: ConductErrorCode) -> None:
    with pytest.raises(ConductError) as caught:
        parse_terms(f"fine\n{line}\n", "en")
    assert caught.value.code is code
    assert caught.value.params == {"term": line, "language": "en", "line": 2}


def test_unknown_language_has_no_starter_list() -> None:
    with pytest.raises(ConductError) as caught:
        starter_terms("xx")
    assert caught.value.code is ConductErrorCode.UNKNOWN_LANGUAGE
