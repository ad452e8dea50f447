"""Links in a message and the program's link policy: allow all, deny all, or allow listed domains.

Found in the text: URLs with a scheme (``https://``, ``tg://``), ``www.`` addresses, and bare
host names with a real top-level domain (``example.com/x``, ``t.me/joinchat/...``). The TLD check
keeps "e.g.", "file.txt" and "3.14" from counting; a bare host must be written in lower case, or
all upper case, so a missing blank after a full stop ("agree.It is") is not a link. Hidden URLs of
Telegram entities (text links) are passed in by the caller. Spelled-out evasions ("example dot
com") are not detected.

An allowlisted domain also allows its subdomains; hosts are compared in IDNA (punycode) form so
``пример.рф`` and ``xn--e1afmkfd.xn--p1ai`` are the same host.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from urllib.parse import urlsplit

import pycountry

from bot.domain.conduct.errors import ConductError, ConductErrorCode
from bot.domain.conduct.violation import Rule, Violation

# Generic TLDs seen in real links; country codes come from pycountry (ISO 3166 = ccTLDs).
_GENERIC_TLDS = frozenset(
    """
    com net org info biz edu gov mil int name pro mobi asia tel travel aero coop museum jobs cat
    app dev io ai xyz site online top club shop store link live news blog tech space website
    cloud page art fun icu vip win bid life world today email digital media group team center
    academy ltd llc inc company agency network solutions support social chat zone one now
    su eu uk ac xn--p1ai xn--j1amh xn--90ais xn--y9a3aq xn--qxam xn--4dbrk0ce
    рф укр бел срб қаз мкд мон հայ ελ
    """.split()
)

_DOT = "[.\u3002\uff0e\uff61]"  # full stop and the ideographic / full-width ones people paste
# Possessive repeats and the look-behind keep the scan linear: a label is never re-tried from
# the middle of a word, and never backtracked into.
_LABEL = r"[^\W_][\w-]*+"
_URL_TAIL = r"[^\s<>\"'`]*+"
_URL = re.compile(
    rf"(?P<scheme>\b(?i:https?|ftp|tg)://{_URL_TAIL})"
    rf"|(?P<www>\b(?i:www){_DOT}{_URL_TAIL})"
    rf"|(?<![\w@.\-])(?P<bare>(?P<host>(?:{_LABEL}{_DOT})++(?P<tld>{_LABEL}))"
    rf"(?::\d{{1,5}})?(?:[/?#]{_URL_TAIL})?)(?![\w@])"
)
# Separate scans, because each starting with a plain character is far faster in ``re`` than one
# alternation or a non-ASCII character class.
_ASCII_DOT_CANDIDATE = re.compile(r"\.[^\W_]")
_WIDE_DOT_CANDIDATE = re.compile(r"[\u3002\uff0e\uff61][^\W_]")
_SCHEME_CANDIDATE = re.compile("://")
_BLANK = re.compile(r"\s")
_TRAILING_PUNCTUATION = ".,;:!?)]}»”'\"\u3002"


class LinkMode(StrEnum):
    ALLOW = "allow"
    DENY = "deny"
    ALLOWLIST = "allowlist"  # only the listed domains (and their subdomains)


@dataclass(frozen=True)
class FoundLink:
    url: str
    host: str  # lower case, IDNA form, no "www."
    span: tuple[int, int] | None  # in the text; None for a URL passed in separately


@cache
def _country_tlds() -> frozenset[str]:
    return frozenset(country.alpha_2.lower() for country in pycountry.countries)


def _is_tld(label: str) -> bool:
    folded = label.casefold()
    return folded in _GENERIC_TLDS or (len(folded) == 2 and folded in _country_tlds())


def normalize_host(host: str) -> str | None:
    """Lower case, IDNA (punycode) form, without a trailing dot or leading ``www.``; None if
    it is not a host name."""
    cleaned = unicodedata.normalize("NFKC", host).strip().rstrip(".").casefold()
    cleaned = re.sub(_DOT, ".", cleaned)
    if not cleaned or any(char.isspace() for char in cleaned):
        return None
    try:
        cleaned = cleaned.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    cleaned = cleaned.removeprefix("www.")
    return cleaned if re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*", cleaned) else None


def host_of(url: str) -> str | None:
    """The normalised host of a URL with or without a scheme; ``tg://`` links count as t.me."""
    text = re.sub(_DOT, ".", unicodedata.normalize("NFKC", url.strip()))
    if text.casefold().startswith("tg:"):
        return "t.me"
    if "://" not in text:
        text = "http://" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    return normalize_host(host) if host else None


def _bare_host_is_plausible(host: str, tld: str) -> bool:
    if not _is_tld(tld):
        return False
    # "agree.It is" is a sentence without a blank, not an Italian host.
    return tld == tld.lower() or host == host.upper()


def _chunk_around(text: str, position: int) -> tuple[int, int]:
    """Bounds of the blank-free stretch around ``position`` (a URL never spans a blank).

    Only ordinary blanks are looked for; a rarer one inside the stretch just makes it longer,
    which the URL pattern handles.
    """
    start = max(text.rfind(blank, 0, position) for blank in " \n\t") + 1
    after = _BLANK.search(text, position)
    return start, after.start() if after else len(text)


def _candidates(text: str) -> list[int]:
    """Where a link may be: a dot followed by a letter or digit, or "://". Most messages have
    none (a full stop ends a sentence before a blank), so the full pattern rarely runs."""
    positions = [match.start() for match in _ASCII_DOT_CANDIDATE.finditer(text)]
    if "://" in text:
        positions += [match.start() for match in _SCHEME_CANDIDATE.finditer(text)]
    if "\u3002" in text or "\uff0e" in text or "\uff61" in text:
        positions += [match.start() for match in _WIDE_DOT_CANDIDATE.finditer(text)]
    return sorted(positions)


def find_links(text: str) -> list[FoundLink]:
    """Every link written in ``text``, in order."""
    links: list[FoundLink] = []
    scanned_to = 0
    for position in _candidates(text):
        if position < scanned_to:
            continue
        start, scanned_to = _chunk_around(text, position)
        for match in _URL.finditer(text, start, scanned_to):
            bare = match["bare"] is not None
            if bare and not _bare_host_is_plausible(match["host"], match["tld"]):
                continue
            url = match.group().rstrip(_TRAILING_PUNCTUATION)
            host = host_of(url)
            if host is not None:
                span = (match.start(), match.start() + len(url))
                links.append(FoundLink(url=url, host=host, span=span))
    return links


@dataclass(frozen=True)
class LinkPolicy:
    """What a group accepts; ``domains`` matter only for ``allowlist`` (subdomains included).

    Domains are normalised on creation (a pasted URL or ``www.`` prefix is fine); raises
    ConductError ``bad_domain`` (params domain) for an entry that is not a host name.
    """

    mode: LinkMode = LinkMode.ALLOW
    domains: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        normalised: list[str] = []
        for domain in self.domains:
            host = host_of(domain.removeprefix("*."))
            if host is None or "." not in host:
                raise ConductError(ConductErrorCode.BAD_DOMAIN, domain=domain)
            normalised.append(host)
        object.__setattr__(self, "domains", tuple(dict.fromkeys(normalised)))

    def allows(self, host: str) -> bool:
        if self.mode is LinkMode.ALLOW:
            return True
        if self.mode is LinkMode.DENY:
            return False
        return any(host == domain or host.endswith("." + domain) for domain in self.domains)


def link_violations(
    policy: LinkPolicy, text: str, extra_urls: Iterable[str] = ()
) -> list[Violation]:
    """One violation per link the policy refuses: those in ``text``, then the ``extra_urls``
    (hidden URLs of Telegram entities). A URL whose host cannot be read is refused unless links
    are allowed outright."""
    if policy.mode is LinkMode.ALLOW:
        return []
    found = find_links(text)
    found += [FoundLink(url=url, host=host_of(url) or "", span=None) for url in extra_urls]
    return [
        Violation(rule=Rule.LINK, match=link.host or link.url, span=link.span)
        for link in found
        if not link.host or not policy.allows(link.host)
    ]
