"""Sealing the answers that wait to be written: AES-GCM under a key derived from the server secret.

A waiting answer must survive a crash (so it is on disk), but a copy of the files must not read it
nor tell when it came. The bundle of one survey instance's waiting answers is sealed whole, with a
fresh nonce each time it is rewritten, padded to a multiple of ``PAD`` bytes (its length tells only
roughly how many answers wait), and bound to its instance (associated data), so a bundle cannot be
moved to another survey. The key is derived from the server secret, which is kept apart from the
data (docs/PRIVACY.md), so the data folder alone opens nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SEAL_DOMAIN = b"bridgebot/pending-answers/v1"
NONCE_BYTES = 12
PAD = 1024


class SealBroken(Exception):
    """A bundle that does not open under this secret (another secret, or tampered with)."""


def seal_key(secret: bytes) -> bytes:
    return hmac.new(secret, SEAL_DOMAIN, hashlib.sha256).digest()


def _aad(instance_id: int) -> bytes:
    return SEAL_DOMAIN + b"\x00" + str(int(instance_id)).encode()


def seal(key: bytes, instance_id: int, entries: list[dict[str, Any]]) -> bytes:
    body = json.dumps(entries, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    # Length prefix, then zero padding up to a multiple of PAD.
    framed = len(body).to_bytes(4, "big") + body
    framed += b"\x00" * (-len(framed) % PAD)
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, framed, _aad(instance_id))


def unseal(key: bytes, instance_id: int, sealed: bytes) -> list[dict[str, Any]]:
    if not sealed:
        return []
    nonce, ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        framed = AESGCM(key).decrypt(nonce, ciphertext, _aad(instance_id))
    except InvalidTag:
        raise SealBroken(instance_id) from None
    length = int.from_bytes(framed[:4], "big")
    entries: list[dict[str, Any]] = json.loads(framed[4 : 4 + length].decode("utf-8"))
    return entries
