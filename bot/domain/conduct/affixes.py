"""Per-language rules for what may be glued to a blocked term and still count as that term.

Prefixes (Arabic and Hebrew articles, conjunctions and prepositions are written as part of the word)
apply to every term of those languages. Suffixes apply only to terms marked as stems (``*`` in a
list): a language's inflection endings, or for Turkish and Azerbaijani a chain of up to four
inflectional suffixes. Only inflection is listed, never derivation: a derivational suffix makes a
new word, and most Scunthorpe hits come from exactly those ("хачапури", "жидкость", "götürmek").

Affixes are written as people spell them and folded once with the same normaliser as messages, so
they compare with folded text (Cyrillic look-alikes become Latin, Turkish ş becomes s, runs
collapse). A language without rules here gets whole-word matching only; ``*`` then has no effect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.domain.conduct.normalize import normalize
from bot.domain.serbian import to_latin


@dataclass(frozen=True)
class _Spec:
    prefix: str | None = None  # regex over folded text; prefix letters fold to themselves
    suffixes: tuple[str, ...] = ()
    max_suffixes: int = 1
    dotless_i_variants: bool = False  # also accept each suffix typed with i for ı


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_TURKIC_CASES = _words(
    "ı i u ü yı yi yu yü a e ya ye da de ta te dan den tan ten n na ne nda nde ndan nden "
    "ın in un ün nın nin nun nün la le yla yle"
)
_TURKIC_POSSESSIVES = _words(
    "m ım im um üm ımız imiz umuz ümüz mız miz muz müz ınız iniz unuz ünüz nız niz nuz nüz "
    "sı si su sü ları leri"
)
_TURKIC_COPULAS = _words(
    "dır dir dur dür tır tir tur tür sın sin sun sün sınız siniz sunuz sünüz "
    "yım yim yum yüm ım im um üm ız iz uz üz yız yiz yuz yüz"
)

# Serbian case endings, in both scripts (a term is keyed in both: see matcher.py).
_SERBIAN_ENDINGS = _words("а е и о у ом ем ама има ог ога ому ој их им ими")
_SERBIAN_ENDINGS += tuple(to_latin(ending) for ending in _SERBIAN_ENDINGS)

_SPECS: dict[str, _Spec] = {
    "en": _Spec(suffixes=_words("s es ed d ing er ers")),
    "ru": _Spec(
        suffixes=_words(
            "а я ы и у ю е о ой ей ом ем ам ям ами ями ах ях ов ев ою ею ь "
            "ий ый ая яя ое ее ые ие ого его ому ему ым им ых их ую юю"
        )
    ),
    "uk": _Spec(
        suffixes=_words(
            "а я и і ї у ю е є о ом ем єм ам ям ами ями ах ях ів їв ей ою ею єю ові еві єві "
            "ий ій ого ього ому ьому ої ім их іх им ими ую юю"
        )
    ),
    "el": _Spec(
        suffixes=_words(
            "ος ου ο ε οι ων ους α ας ες η ης ι ια ιου ιων ηδες ηδων ισσα ισσες ισσας ισσων"
        )
    ),
    "hy": _Spec(
        suffixes=_words("ը ն ի ու ով ում ից ին ս դ ներ եր"),
        max_suffixes=2,
    ),
    "tr": _Spec(
        suffixes=_words("lar ler") + _TURKIC_CASES + _TURKIC_POSSESSIVES + _TURKIC_COPULAS,
        max_suffixes=4,
        dotless_i_variants=True,
    ),
    "az": _Spec(
        suffixes=_words("lar lər ı i u ü a ə ya yə da də dan dən ın in un ün nın nin nun nün")
        + _words("na nə nda ndə ndan ndən la lə yla ylə m ım im um üm ımız imiz umuz ümüz")
        + _words("ınız iniz unuz ünüz sı si su sü ları ləri dır dir dur dür san sən")
        + _words("sınız siniz ıq ik uq ük yıq yik"),
        max_suffixes=4,
        dotless_i_variants=True,
    ),
    # Georgian: plural -ებ-, the seven case endings, and the postpositions written as part of the
    # word (-ში "in", -ზე "on", -თან "at", -ისთვის "for", -იდან "from", ...), chained:
    # ბოზ+ებ+ის+თვის. Stems that drop a vowel before an ending (ნაბიჭვარი, ნაბიჭვრები) are listed
    # in both forms.
    "ka": _Spec(
        suffixes=_words("ი მა ს ის ით ად ო ებ ში ზე თან თვის დან იდან გან კენ ვით მდე ამდე ც"),
        max_suffixes=3,
    ),
    "sr": _Spec(suffixes=_SERBIAN_ENDINGS),
    # Albanian: the definite article and case endings glued to the noun, after a plural ending.
    "sq": _Spec(
        suffixes=_words("i u in un it ut a ja n në s së e ë ra ve t të et ët at ave eve sh ësh"),
        max_suffixes=2,
    ),
    # Spanish: number and gender endings (sudaca+s, maricón+es, bollera+s).
    "es": _Spec(suffixes=_words("s es a as o os")),
    # French: gender and number endings (youpin+e, bougnoule+s). No prefix rule for the elided
    # article (d'enculé folds to dencule): a prefix would key every French stem bare, run over
    # every Latin text; the list spells the few elided forms out instead.
    "fr": _Spec(suffixes=_words("s x e es")),
    # German: case and number endings of nouns and adjectives (Kanake+n, Untermensch+en,
    # Schwuchtel+n); compounds are word formation and are not matched.
    "de": _Spec(suffixes=_words("e en n er es s em ern"), max_suffixes=1),
    # Korean particles (josa) and the plural 들 are written glued to the noun: 빨갱이들, 빨갱이가,
    # 병신아. Hangul folds to whole syllables, so an ending is a run of syllables; a term ending
    # in an open syllable never matches a syllable with a final consonant (개새 is not 개색).
    "ko": _Spec(
        suffixes=_words(
            "들 이 가 은 는 을 를 의 에 에게 한테 께 도 만 과 와 랑 이랑 아 야 여 이여 "
            "로 으로 처럼 보다 이다 다 이야 이냐 냐 이네 네 이지 지 이라 라"
        ),
        max_suffixes=2,
    ),
    # Conjunction (wa/fa), then preposition (bi/ka/li), then the article al-; li + al- is
    # written لل, which folds to ل like the bare preposition.
    "ar": _Spec(
        prefix="[وف]?[بكل]?(?:ال)?",
        suffixes=_words("ون ين ات ة ه ها هم هن ي ك كم ان ية يين"),
        max_suffixes=2,
    ),
    # One-letter prefixes chain: ו ה ב כ ל מ ש (and, the, in, as, to, from, that): וכשה.
    "he": _Spec(
        prefix="[והבכלמש]{1,4}",
        suffixes=_words("ים ות ה ית י יות ך כם הם ו"),
    ),
}


@dataclass(frozen=True)
class AffixRules:
    """What may precede / follow a term of one language inside the same word."""

    prefix: re.Pattern[str] | None = None
    suffix: re.Pattern[str] | None = None

    def allows_prefix(self, folded: str) -> bool:
        return self.prefix is not None and self.prefix.fullmatch(folded) is not None

    def allows_suffix(self, folded: str) -> bool:
        return self.suffix is not None and self.suffix.fullmatch(folded) is not None


def _suffix_pattern(spec: _Spec) -> re.Pattern[str] | None:
    spelled = set(spec.suffixes)
    if spec.dotless_i_variants:
        spelled |= {suffix.replace("ı", "i") for suffix in spec.suffixes}
    folded = {normalize(suffix).text for suffix in spelled} - {""}
    if not folded:
        return None
    # Longest first so the engine tries whole morphemes before their prefixes.
    alternatives = "|".join(re.escape(s) for s in sorted(folded, key=lambda s: (-len(s), s)))
    return re.compile(f"(?:{alternatives}){{1,{spec.max_suffixes}}}")


@cache
def affix_rules(language: str) -> AffixRules:
    """The rules for a language id (``"tr"``); a language without rules gets whole words only."""
    spec = _SPECS.get(language)
    if spec is None:
        return AffixRules()
    prefix = re.compile(spec.prefix) if spec.prefix else None
    return AffixRules(prefix=prefix, suffix=_suffix_pattern(spec))
