"""Conduct rules: blocked terms, flood and raid limits, link and forward policy, escalation.

Pure domain code: no Telegram, no database; ``now`` is always passed in. The fold itself,
``bot.domain.conduct.normalize.normalize``, is not re-exported, so that the package attribute
``normalize`` stays the module.
"""

from bot.domain.conduct.errors import ConductError, ConductErrorCode
from bot.domain.conduct.flood import (
    DEFAULT_GROUP_LIMIT,
    DEFAULT_PERSON_LIMIT,
    FloodCounts,
    FloodState,
    RateLimit,
)
from bot.domain.conduct.ladder import (
    DEFAULT_STRIKE_EXPIRY,
    Ladder,
    Step,
    StepKind,
    Strike,
    default_ladder,
)
from bot.domain.conduct.links import FoundLink, LinkMode, LinkPolicy, find_links, host_of
from bot.domain.conduct.matcher import TermHit, TermMatcher
from bot.domain.conduct.normalize import NormalizedText, normalize_variants
from bot.domain.conduct.rules import (
    CompiledRules,
    ConductRules,
    check_message,
    compile_rules,
    program_terms,
)
from bot.domain.conduct.terms import (
    SHIPPED_LANGUAGES,
    Term,
    all_starter_terms,
    parse_terms,
    starter_terms,
)
from bot.domain.conduct.violation import Rule, Violation

__all__ = [
    "DEFAULT_GROUP_LIMIT",
    "DEFAULT_PERSON_LIMIT",
    "DEFAULT_STRIKE_EXPIRY",
    "SHIPPED_LANGUAGES",
    "CompiledRules",
    "ConductError",
    "ConductErrorCode",
    "ConductRules",
    "FloodCounts",
    "FloodState",
    "FoundLink",
    "Ladder",
    "LinkMode",
    "LinkPolicy",
    "NormalizedText",
    "RateLimit",
    "Rule",
    "Step",
    "StepKind",
    "Strike",
    "Term",
    "TermHit",
    "TermMatcher",
    "Violation",
    "all_starter_terms",
    "check_message",
    "compile_rules",
    "default_ladder",
    "find_links",
    "host_of",
    "normalize_variants",
    "parse_terms",
    "program_terms",
    "starter_terms",
]
