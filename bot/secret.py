"""The server secret (BRIDGEBOT_SECRET): signs buttons and keys anonymous-feedback receipts.

When it is not set, one is generated on first run and kept in a file readable only by the owner, so
restarts keep signatures and receipts valid; the log warns that production should set it explicitly.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)


def load_or_create(env_value: str | None, path: Path) -> bytes:
    if env_value:
        return env_value.encode()
    if path.exists():
        return path.read_bytes().strip()
    value = secrets.token_hex(32).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(value)
    log.warning(
        "BRIDGEBOT_SECRET is not set: generated one in %s. Back it up or set BRIDGEBOT_SECRET; "
        "losing it invalidates buttons and feedback receipts.",
        path,
    )
    return value
