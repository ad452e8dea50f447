"""The server secret (BRIDGEBOT_SECRET): signs buttons and keys anonymous-feedback receipts.

When it is not set, one is generated on first run and kept in a file readable only by the owner, so
restarts keep signatures and receipts valid; the log warns that production should set it explicitly.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.config import ConfigError
from bot.domain.anonymity import AnonymityError, load_or_create_secret

log = logging.getLogger(__name__)


def load_or_create(env_value: str | None, path: Path) -> bytes:
    try:
        secret, created = load_or_create_secret(env_value, path)
    except AnonymityError as exc:
        if exc.code == "secret_too_short":
            raise ConfigError(
                "BRIDGEBOT_SECRET is too short: use at least 16 random characters."
            ) from None
        raise ConfigError(
            f"the secret file {path} is unreadable or too short; delete it or set BRIDGEBOT_SECRET."
        ) from None
    if created:
        log.warning(
            "BRIDGEBOT_SECRET is not set: generated one in %s. Back it up or set BRIDGEBOT_SECRET; "
            "losing it invalidates buttons and feedback receipts.",
            path,
        )
    return secret
