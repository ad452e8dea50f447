"""Scrubbing free-text feedback of what identifies people, before it is stored.

Replaced by placeholders: e-mail addresses ``[email]``, links with or without a scheme ``[link]``,
phone numbers in international and local forms ``[phone]``, street addresses ``[address]`` (rules
in addresses.py), @usernames ``[@user]`` and the names and usernames of people the bot knows in
the program ``[name]`` (rules in names.py). Phones and e-mails spelled out in words ("four one
five ...", "john dot smith at gmail dot com") are found too (rules in spelled.py).

Where matches overlap, their union is replaced once, labelled by the strongest kind (e-mail,
link, phone, address, username, name), so no fragment of an address or name survives next to the
placeholder. Consecutive names ("Anna Petrova") become one ``[name]``.

The scrubber leans towards removing too much: a phone-like run of digits or a word ending in a
country-code TLD ("ok.so") is removed even when it was innocent.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import phonenumbers
import pycountry

from bot.domain.anonymity import spelled
from bot.domain.anonymity.addresses import address_spans
from bot.domain.anonymity.errors import AnonymityErrorCode, ScrubError
from bot.domain.anonymity.names import KnownNames

MAX_FREE_TEXT_LENGTH = 2000
DEFAULT_PHONE_REGIONS = ("AM", "AZ", "TR", "RU", "UA", "GR", "IL", "US", "GB")
# The shortest phone numbers of the default regions have 7 digits; fewer digits in the whole text
# mean the (comparatively slow) phone matcher has nothing to find.
_MIN_PHONE_DIGITS = 7


class ScrubKind(StrEnum):
    """What was removed; the order of members is the priority when matches overlap."""

    EMAIL = "email"
    LINK = "link"
    PHONE = "phone"
    ADDRESS = "address"
    USERNAME = "username"
    NAME = "name"

    @property
    def placeholder(self) -> str:
        return _PLACEHOLDERS[self]


_PLACEHOLDERS = {
    ScrubKind.EMAIL: "[email]",
    ScrubKind.LINK: "[link]",
    ScrubKind.PHONE: "[phone]",
    ScrubKind.ADDRESS: "[address]",
    ScrubKind.USERNAME: "[@user]",
    ScrubKind.NAME: "[name]",
}
_PRIORITY = {kind: rank for rank, kind in enumerate(ScrubKind)}
_KIND_OF_PLACEHOLDER = {placeholder: kind for kind, placeholder in _PLACEHOLDERS.items()}
_PLACEHOLDER_IN_TEXT = re.compile("|".join(re.escape(p) for p in _PLACEHOLDERS.values()))


@dataclass(frozen=True, slots=True)
class ScrubResult:
    text: str
    counts_by_kind: Mapping[ScrubKind, int]  # only kinds that occurred

    @property
    def changed(self) -> bool:
        return bool(self.counts_by_kind)


def scrub(
    text: str,
    known_names: Iterable[str] | KnownNames = (),
    default_regions: Iterable[str] = DEFAULT_PHONE_REGIONS,
) -> ScrubResult:
    """``text`` with contact details and known names replaced by placeholders.

    ``known_names`` are the full names, first/last names and usernames of the program's people
    (pass a ``KnownNames`` built once when scrubbing many texts). ``default_regions`` are the
    ISO 3166 regions whose local phone formats are recognised; "+..." numbers are always found.
    Raises ScrubError ``too_long`` (params: length, limit) above 2,000 characters.
    """
    if len(text) > MAX_FREE_TEXT_LENGTH:
        raise ScrubError(AnonymityErrorCode.TOO_LONG, length=len(text), limit=MAX_FREE_TEXT_LENGTH)
    names = (
        known_names if isinstance(known_names, KnownNames) else KnownNames.from_names(known_names)
    )
    regions = tuple(default_regions)
    spelled_out = spelled.find(text, regions, _known_tlds())
    spans = [
        *_tagged(ScrubKind.EMAIL, _email_spans(text)),
        *_tagged(ScrubKind.EMAIL, spelled_out.emails),
        *_tagged(ScrubKind.LINK, _link_spans(text)),
        *_tagged(ScrubKind.PHONE, _phone_spans(text, regions)),
        *_tagged(ScrubKind.PHONE, spelled_out.phones),
        *_tagged(ScrubKind.ADDRESS, address_spans(text)),
        *_tagged(ScrubKind.USERNAME, _username_spans(text)),
        *_tagged(ScrubKind.NAME, names.spans(text)),
    ]
    merged = _join_adjacent_names(text, _merge_overlaps(spans))
    pieces: list[str] = []
    cursor = 0
    for start, end, kind in merged:
        pieces.append(text[cursor:start])
        pieces.append(kind.placeholder)
        cursor = end
    pieces.append(text[cursor:])
    counts = Counter(kind for _, _, kind in merged)
    return ScrubResult(text="".join(pieces), counts_by_kind=dict(counts))


def relabel_placeholders(text: str, label: Callable[[ScrubKind], str]) -> str:
    """A scrubbed ``text`` with each placeholder replaced by ``label(kind)``.

    Stored comments keep the language-neutral tokens ("[name]"); reports show them in their
    reader's language through this.
    """
    return _PLACEHOLDER_IN_TEXT.sub(lambda match: label(_KIND_OF_PLACEHOLDER[match.group()]), text)


_Span = tuple[int, int, ScrubKind]


def _tagged(kind: ScrubKind, spans: Iterable[tuple[int, int]]) -> Iterator[_Span]:
    return ((start, end, kind) for start, end in spans if end > start)


def _merge_overlaps(spans: list[_Span]) -> list[_Span]:
    merged: list[_Span] = []
    for start, end, kind in sorted(spans):
        if merged and start < merged[-1][1]:
            last_start, last_end, last_kind = merged[-1]
            strongest = min(last_kind, kind, key=_PRIORITY.__getitem__)
            merged[-1] = (last_start, max(last_end, end), strongest)
        else:
            merged.append((start, end, kind))
    return merged


_NAME_GAP = re.compile(r"[ \t\u00a0\-‐'’_]{1,3}")


def _join_adjacent_names(text: str, spans: list[_Span]) -> list[_Span]:
    joined: list[_Span] = []
    for start, end, kind in spans:
        if (
            joined
            and kind is ScrubKind.NAME
            and joined[-1][2] is ScrubKind.NAME
            and _NAME_GAP.fullmatch(text, joined[-1][1], start)
        ):
            joined[-1] = (joined[-1][0], end, kind)
        else:
            joined.append((start, end, kind))
    return joined


_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+(?:@|\s?[\[({]at[\])}]\s?)[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}",
    re.IGNORECASE,
)


def _email_spans(text: str) -> Iterator[tuple[int, int]]:
    return (match.span() for match in _EMAIL.finditer(text))


# Generic TLDs people actually type, plus the internationalized ones of the region.
_GENERIC_TLDS = (
    "com net org info biz edu gov mil int io app dev xyz online site store shop tech blog news "
    "club top live pro name mobi asia tel travel jobs museum ai uk eu su ac рф срб укр бел қаз "
    "мон ею հայ გე ελ"
).split()
_TRAILING_PUNCTUATION = ".,;:!?'\"»”’…"


@lru_cache(maxsize=1)
def _known_tlds() -> frozenset[str]:
    return frozenset(
        {*(country.alpha_2.lower() for country in pycountry.countries), *_GENERIC_TLDS}
    )


@lru_cache(maxsize=1)
def _link_pattern() -> re.Pattern[str]:
    # Longest first, so "com" does not stop "community" from being tried.
    tlds = sorted(_known_tlds(), key=len, reverse=True)
    return re.compile(
        r"(?:\b(?:https?|ftp|tg)://|\bwww\d?\.)[^\s<>\"]+"
        r"|(?<![\w@.-])(?P<domain>(?:[^\W_](?:[\w-]*[^\W_])?\.)+"
        rf"(?P<tld>{'|'.join(tlds)}))(?![\w-])(?P<rest>(?::\d{{2,5}})?(?:/[^\s<>\"]*)?)",
        re.IGNORECASE,
    )


def _link_spans(text: str) -> Iterator[tuple[int, int]]:
    for match in _link_pattern().finditer(text):
        if match.group("tld") and not match.group("rest") and _is_sentence_joint(match):
            continue
        start, end = match.span()
        while end > start and (
            text[end - 1] in _TRAILING_PUNCTUATION
            or (text[end - 1] == ")" and text.count("(", start, end) < text.count(")", start, end))
        ):
            end -= 1
        yield start, end


def _is_sentence_joint(match: re.Match[str]) -> bool:
    """ "Good.It was" is a missing space, not a domain: a capitalised TLD in a lowercase name."""
    tld, domain = match.group("tld"), match.group("domain")
    return tld != tld.lower() and domain != domain.upper()


# Safety nets for numbers phonenumbers rejects (fictional or newly allocated ranges, odd
# grouping): anything written in international form, and long unbroken runs of digits.
_INTERNATIONAL_LOOKING = re.compile(r"\+\d(?:[\s().-]?\d){6,}")
_LONG_DIGIT_RUN = re.compile(r"(?<!\d)\d{9,}(?!\d)")


def _phone_spans(text: str, regions: tuple[str, ...]) -> Iterator[tuple[int, int]]:
    if sum(ch.isdigit() for ch in text) < _MIN_PHONE_DIGITS:
        return
    for region in regions or (None,):
        for match in phonenumbers.PhoneNumberMatcher(text, region):
            yield match.start, match.end
    for pattern in (_INTERNATIONAL_LOOKING, _LONG_DIGIT_RUN):
        for found in pattern.finditer(text):
            yield found.span()


# Telegram allows 5-32 of [A-Za-z0-9_]; shorter handles and dotted ones (other networks) are
# removed too, since they identify people just as well.
_USERNAME = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{2,}(?:\.[A-Za-z0-9_]+)*")


def _username_spans(text: str) -> Iterator[tuple[int, int]]:
    return (match.span() for match in _USERNAME.finditer(text))
