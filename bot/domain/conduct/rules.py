"""A program's conduct rules, compiled once, and the check every participant message goes through.

Captions and edited messages go through the same check (the caller passes their text); an edit
is not a new message, so it does not count towards flood limits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.conduct.flood import (
    DEFAULT_GROUP_LIMIT,
    DEFAULT_PERSON_LIMIT,
    FloodState,
    RateLimit,
)
from bot.domain.conduct.links import LinkPolicy, link_violations
from bot.domain.conduct.matcher import TermMatcher
from bot.domain.conduct.terms import Term, all_starter_terms, parse_terms
from bot.domain.conduct.violation import Rule, Violation


@dataclass(frozen=True)
class ConductRules:
    """What a program enforces in its groups.

    ``terms`` maps a language id to the program's own list text (see terms.py for the format);
    they are added to the shipped starter lists of every shipped language unless
    ``use_starter_lists`` is off.
    """

    terms: Mapping[str, str] = field(default_factory=dict)
    use_starter_lists: bool = True
    person_limit: RateLimit = DEFAULT_PERSON_LIMIT
    group_limit: RateLimit = DEFAULT_GROUP_LIMIT
    links: LinkPolicy = field(default_factory=LinkPolicy)
    forwards_allowed: bool = True
    # The program's languages: an ordinary word of one of them (bot/data/innocent) never counts
    # as another language's term there (French "en retard" is not English retard).
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompiledRules:
    """ConductRules ready to check messages; build with ``compile_rules`` and share freely."""

    rules: ConductRules
    matcher: TermMatcher


def program_terms(rules: ConductRules) -> tuple[Term, ...]:
    """Every blocked term the rules enforce (starter lists first).

    Raises ConductError ``empty_term`` / ``term_too_short`` for a bad line in the program's lists.
    """
    own = tuple(term for lang, text in rules.terms.items() for term in parse_terms(text, lang))
    return (all_starter_terms() if rules.use_starter_lists else ()) + own


def compile_rules(rules: ConductRules) -> CompiledRules:
    """Build the term automata (about half a second for ten thousand terms, tens of
    milliseconds for the starter lists): once per program and rules change, not per message."""
    matcher = TermMatcher(program_terms(rules), innocent_languages=rules.languages)
    return CompiledRules(rules=rules, matcher=matcher)


def check_message(
    compiled: CompiledRules,
    text: str,
    *,
    sender_id: int,
    now: datetime,
    flood_state: FloodState,
    is_forward: bool = False,
    is_edit: bool = False,
    extra_urls: Iterable[str] = (),
) -> list[Violation]:
    """Every rule a participant message breaks, in a stable order: flood, raid, forward, link,
    blocked terms (by position). An empty list means the message is fine.

    ``text`` is the message text or media caption ("" for neither); ``extra_urls`` are the hidden URLs of its
    Telegram entities (text links). ``flood_state`` is the chat's and is updated (except for
    edits); ``now`` is an aware UTC datetime.
    """
    rules = compiled.rules
    violations: list[Violation] = []
    if not is_edit:
        counts = flood_state.record(sender_id, now, rules.person_limit, rules.group_limit)
        if counts.person > rules.person_limit.count:
            violations.append(
                Violation(Rule.FLOOD, count=counts.person, window=rules.person_limit.window)
            )
        if counts.group > rules.group_limit.count:
            violations.append(
                Violation(Rule.RAID, count=counts.group, window=rules.group_limit.window)
            )
    if is_forward and not rules.forwards_allowed:
        violations.append(Violation(Rule.FORWARD))
    violations += link_violations(rules.links, text, extra_urls)
    violations += [
        Violation(Rule.BLOCKED_TERM, match=hit.term.text, language=hit.term.language, span=hit.span)
        for hit in compiled.matcher.find(text)
    ]
    return violations
