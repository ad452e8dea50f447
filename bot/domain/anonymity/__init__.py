"""Anonymity of feedback: receipts instead of identities, scrubbed text, suppressed small cells.

Pure domain code: no telegram, no sqlalchemy, ``now`` passed in; problems are AnonymityError
with a machine-readable code.
"""

from bot.domain.anonymity.audit import Line
from bot.domain.anonymity.errors import AnonymityError, AnonymityErrorCode, ScrubError
from bot.domain.anonymity.names import KnownNames
from bot.domain.anonymity.receipts import (
    load_or_create_secret,
    new_response_id,
    receipt,
    response_day,
)
from bot.domain.anonymity.scrub import (
    DEFAULT_PHONE_REGIONS,
    MAX_FREE_TEXT_LENGTH,
    ScrubKind,
    ScrubResult,
    relabel_placeholders,
    scrub,
)
from bot.domain.anonymity.suppression import (
    DEFAULT_K,
    MIN_K,
    BreakdownSuppression,
    TableSuppression,
    ThresholdKind,
    is_primary,
    reaches_k,
    suppress_breakdown,
    suppress_linked,
    suppress_table,
    validate_k,
    visible_comments,
)

__all__ = [
    "DEFAULT_K",
    "DEFAULT_PHONE_REGIONS",
    "MAX_FREE_TEXT_LENGTH",
    "MIN_K",
    "AnonymityError",
    "AnonymityErrorCode",
    "BreakdownSuppression",
    "KnownNames",
    "Line",
    "ScrubError",
    "ScrubKind",
    "ScrubResult",
    "TableSuppression",
    "ThresholdKind",
    "is_primary",
    "load_or_create_secret",
    "new_response_id",
    "reaches_k",
    "receipt",
    "relabel_placeholders",
    "response_day",
    "scrub",
    "suppress_breakdown",
    "suppress_linked",
    "suppress_table",
    "validate_k",
    "visible_comments",
]
