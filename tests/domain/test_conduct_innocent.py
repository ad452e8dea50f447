"""Ordinary sentences in every shipped language must never be punished (tests/domain/innocent/).

They run against the starter lists plus common insults a program is likely to add, chosen
because ordinary words hold them behind a prefix or before an ending (Hebrew מחזיר holds חזיר,
Turkish pişman holds pis): only the word-list check of lexicon.py tells those apart.
"""

from pathlib import Path

import pytest

from bot.domain.conduct import SHIPPED_LANGUAGES, all_starter_terms, parse_terms
from bot.domain.conduct.lexicon import is_own_word
from bot.domain.conduct.matcher import TermMatcher

CORPUS = Path(__file__).parent / "innocent"
PROGRAM_TERMS = {
    "en": "rat*\nspic*",
    "he": "חזיר\nאפס",
    "ar": "خنزير*\nحيوان",
    "tr": "pis*\nkıro*",
    "ru": "скот*",
    "el": "μαλάκ*",
}
MATCHER = TermMatcher(
    all_starter_terms()
    + tuple(term for lang, text in PROGRAM_TERMS.items() for term in parse_terms(text, lang))
)
# Per corpus: every starter list, and the program terms of that corpus's language (a program's
# Turkish list is not run against Azerbaijani sentences: Turkish pis* does hit Azerbaijani
# pişiyimiz "our cat"; cross-language hits of a program's own terms are a known limit), as in a
# program of that language (its ordinary words are never another language's term: French
# retard, German Kurve).
MATCHERS = {
    language: TermMatcher(
        all_starter_terms() + parse_terms(PROGRAM_TERMS.get(language, ""), language),
        innocent_languages=(language,),
    )
    for language in SHIPPED_LANGUAGES
}


def sentences(language: str) -> list[str]:
    lines = (CORPUS / f"{language}.txt").read_text("utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_innocent_sentences_have_no_hits(language: str) -> None:
    corpus = sentences(language)
    assert len(corpus) >= 30
    matcher = MATCHERS[language]
    hits = [(s, [h.term.text for h in matcher.find(s)]) for s in corpus if matcher.find(s)]
    assert hits == []


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("החזיר", "חזיר"),  # "the pig": the article is glued on, still the insult
        ("לחזיר", "חזיר"),
        ("האפס", "אפס"),
        ("الخنزير", "خنزير"),
        ("والخنزير", "خنزير"),
        ("μαλάκα", "μαλάκ"),  # the insult; μαλακό "soft" is curated innocent
        ("orospunun", "orospu"),  # a case ending on a listed stem
        ("pisler", "pis"),
        ("москалі", "москал"),  # a stem that is no word: its forms always count
        ("хохлов", "хохл"),
        ("rats", "rat"),
    ],
)
def test_affixed_forms_of_a_term_still_hit(text: str, term: str) -> None:
    assert term in {hit.term.text for hit in MATCHER.find(text)}


def test_a_glued_word_is_its_own_word_only_when_the_list_says_so() -> None:
    assert is_own_word("he", "מחזיר", "חזיר", "מ", before=True)
    assert not is_own_word("he", "החזיר", "חזיר", "ה", before=True)
    # A word the list does not know is never taken for an innocent one.
    assert not is_own_word("he", "מחזירזזז", "חזיר", "מ", before=True)
    assert is_own_word("tr", "itme", "it", "me", before=False)  # curated (bot/data/innocent)
