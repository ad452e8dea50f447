"""What links a person to a survey without linking them to their answers.

A response row carries a random id and a UTC day, never who gave it or when exactly. "Has this
person already answered?" is answered by a separate receipt: an HMAC of (person, survey instance)
under the server secret. Without the secret a receipt cannot be tied back to a person, and it is
stored with no reference to the response, so reminders consult receipts, never responses.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from bot.domain.anonymity.errors import AnonymityError, AnonymityErrorCode

# Bumped if the message layout below ever changes, so old and new receipts can never collide.
RECEIPT_DOMAIN = b"bridgebot/feedback-receipt/v1"
MIN_SECRET_BYTES = 16
GENERATED_SECRET_BYTES = 32


def receipt(secret: bytes, person_id: int, instance_key: str) -> str:
    """The receipt of ``person_id`` for one survey instance: 64 lowercase hex characters.

    Deterministic for (secret, person, instance), so a second answer is recognised; a different
    instance or secret gives an unrelated value. Raises AnonymityError ``secret_too_short`` or
    ``empty_instance_key``.
    """
    _check_secret(secret)
    if not instance_key:
        raise AnonymityError(AnonymityErrorCode.EMPTY_INSTANCE_KEY)
    # NUL separators keep (person, instance) pairs unambiguous: "1"+"2x" never equals "12"+"x".
    message = b"\x00".join(
        (RECEIPT_DOMAIN, str(int(person_id)).encode(), instance_key.encode("utf-8"))
    )
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def new_response_id() -> str:
    """A random response id (32 hex characters) that reveals neither order nor time."""
    return secrets.token_hex(16)


def response_day(now: datetime) -> date:
    """The only time a response keeps: its UTC calendar day."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(UTC).date()


def load_or_create_secret(env_value: str | None, path: Path | str) -> tuple[bytes, bool]:
    """The server secret and whether it was generated just now (the caller then logs a warning).

    An explicit ``env_value`` wins (its UTF-8 bytes; blank counts as unset). Otherwise the secret
    is read from ``path``, or generated there (64 hex characters, mode 0600) on first run. The file
    keeps the same format as ``bot/secret.py`` so either loader reads the other's file.
    Raises AnonymityError ``secret_too_short`` or ``secret_file_invalid``.
    """
    if env_value is not None and env_value.strip():
        secret = env_value.strip().encode("utf-8")
        _check_secret(secret)
        return secret, False
    path = Path(path)
    created = _create_secret_file(path)
    secret = path.read_bytes().strip()
    if len(secret) < MIN_SECRET_BYTES:
        raise AnonymityError(AnonymityErrorCode.SECRET_FILE_INVALID, path=str(path))
    return secret, created


def _create_secret_file(path: Path) -> bool:
    """Write a fresh secret to ``path`` unless one is there; True if this call wrote it.

    The secret is written to a private temporary file and hard-linked into place, so a second
    instance starting at the same moment either wins the link or reads a complete file, never a
    half-written one, and the file never exists with wider permissions than 0600.
    """
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-")
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp already created it 0600
            handle.write(secrets.token_hex(GENERATED_SECRET_BYTES).encode("ascii"))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _check_secret(secret: bytes) -> None:
    if len(secret) < MIN_SECRET_BYTES:
        raise AnonymityError(
            AnonymityErrorCode.SECRET_TOO_SHORT, length=len(secret), minimum=MIN_SECRET_BYTES
        )
