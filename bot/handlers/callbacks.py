"""Signed callback data: a button press is acted on only if the bot itself made that button for the
person (or chat) pressing it.

Wire format (≤ 64 bytes, Telegram's limit): ``action|arg1|arg2~signature``. The signature is an HMAC
over the payload and the audience id (the user the button was made for), so forged data, data copied
from someone else's keyboard and buttons from a forwarded message are all refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from bot.domain.errors import BridgeError
from bot.domain.numbers import MAX_ID, NumberError, parse_int

MAX_CALLBACK_BYTES = 64
_SIG_BYTES = 9  # 72 bits: forging one by guessing is out of reach, and it costs 12 characters


@dataclass(frozen=True)
class Payload:
    action: str
    args: tuple[str, ...]

    def arg(self, index: int) -> str:
        return self.args[index] if index < len(self.args) else ""

    def number(self, index: int) -> int:
        """A numeric argument (an id, a seed, an answer). The bot signed it, so one that does not
        read as a number comes from a button it no longer makes: that button has expired."""
        try:
            return parse_int(self.arg(index), minimum=-MAX_ID, maximum=MAX_ID)
        except NumberError:
            raise BridgeError("stale_step") from None

    def choice(self, index: int, allowed: object) -> str:
        """Argument ``index`` if it is one of ``allowed``, else the button has expired."""
        value = self.arg(index)
        if value not in allowed:  # type: ignore[operator]
            raise BridgeError("stale_step")
        return value


def version_tag(value: object) -> str:
    """A short tag of the state a toggle button was drawn with. The button carries it, and a press
    whose tag no longer matches the current state (a double tap, an older copy of the message)
    changes nothing: toggles become "set from this state", so a repeat is idempotent."""
    digest = hashlib.sha256(repr(value).encode()).digest()
    return base64.urlsafe_b64encode(digest[:3]).decode()


def _mac(secret: bytes, audience: int, body: str) -> str:
    digest = hmac.new(secret, f"{audience}:{body}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_SIG_BYTES]).decode()


def sign(secret: bytes, audience: int, action: str, *args: object) -> str:
    body = "|".join([action, *(str(a) for a in args)])
    data = f"{body}~{_mac(secret, audience, body)}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def verify(secret: bytes, audience: int, data: str | None) -> Payload | None:
    """The payload if ``data`` was signed for ``audience``, else None."""
    if not data or "~" not in data or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    body, _, signature = data.rpartition("~")
    if not hmac.compare_digest(signature, _mac(secret, audience, body)):
        return None
    action, *args = body.split("|")
    return Payload(action, tuple(args))
