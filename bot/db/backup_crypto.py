"""The backup file's envelope: a passphrase-encrypted, authenticated stream (plain Python).

Layout: a fixed header (magic, scrypt salt and cost, nonce prefix, chunk size) followed by a key
check value, then chunks of at most ``CHUNK`` bytes, each sealed with AES-256-GCM. Every chunk's
nonce carries its number and its associated data carries the header, the number and whether it
is the last chunk, so chunks cannot be reordered, dropped, or cut off after any of them: a file
that ends before its last chunk is truncated, bytes after it are rejected.

Wrong passphrase and damaged file are told apart: the key check value (an HMAC under a second key
derived with the encryption key) is compared before any chunk is opened.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"BRIDGEBOT-BACKUP\x00\x01"
CHUNK = 1 << 20
# scrypt cost: 2**15 x 8 x 1 (32 MiB, about 0.1 s); stored in the header, so it can grow.
LOG2_N, R, P = 15, 8, 1
_HEADER = struct.Struct(">18s16sBBB8sI")  # magic, salt, log2 n, r, p, nonce prefix, chunk size
_LENGTH = struct.Struct(">I")
TAG = 16


class BadPassphrase(Exception):
    """The passphrase does not open this backup."""


class CorruptBackup(Exception):
    """The file is not a backup, or was damaged or cut short."""


def _keys(passphrase: bytes, salt: bytes, log2_n: int, r: int, p: int) -> tuple[bytes, bytes]:
    if not 10 <= log2_n <= 22 or not 1 <= r <= 32 or not 1 <= p <= 16:
        raise CorruptBackup("the key derivation parameters are out of range")
    material = Scrypt(salt=salt, length=64, n=2**log2_n, r=r, p=p).derive(passphrase)
    return material[:32], material[32:]


def _check_value(mac_key: bytes, header: bytes) -> bytes:
    return hmac.new(mac_key, b"bridgebot-backup-key-check" + header, hashlib.sha256).digest()


def _aad(header: bytes, number: int, last: bool) -> bytes:
    return header + struct.pack(">QB", number, 1 if last else 0)


class EncryptingWriter:
    """A write-only file object: what is written to it lands encrypted in ``out``."""

    def __init__(self, out: BinaryIO, passphrase: bytes) -> None:
        salt = os.urandom(16)
        self._prefix = os.urandom(8)
        self._header = _HEADER.pack(MAGIC, salt, LOG2_N, R, P, self._prefix, CHUNK)
        key, mac_key = _keys(passphrase, salt, LOG2_N, R, P)
        self._aead = AESGCM(key)
        self._out = out
        self._buffer = bytearray()
        self._number = 0
        self._closed = False
        out.write(self._header)
        out.write(_check_value(mac_key, self._header))

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        if not self._closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._closed = True
            self._out.flush()

    def _seal(self, plain: bytes, *, last: bool) -> None:
        nonce = self._prefix + struct.pack(">I", self._number)
        sealed = self._aead.encrypt(nonce, plain, _aad(self._header, self._number, last))
        self._out.write(_LENGTH.pack(len(sealed)))
        self._out.write(sealed)
        self._number += 1


class DecryptingReader:
    """A read-only file object over an encrypted backup; raises BadPassphrase on open and
    CorruptBackup on any damaged, reordered, missing or extra chunk."""

    def __init__(self, source: BinaryIO, passphrase: bytes) -> None:
        header = source.read(_HEADER.size)
        if len(header) < _HEADER.size or not header.startswith(MAGIC[:-1]):
            raise CorruptBackup("this is not a Bridgebot backup")
        magic, salt, log2_n, r, p, prefix, chunk = _HEADER.unpack(header)
        if magic != MAGIC:
            raise CorruptBackup("this backup was written in a format this version cannot read")
        check = source.read(32)
        key, mac_key = _keys(passphrase, salt, log2_n, r, p)
        if len(check) < 32:
            raise CorruptBackup("the backup is truncated")
        if not hmac.compare_digest(check, _check_value(mac_key, header)):
            raise BadPassphrase()
        self._header = header
        self._prefix = prefix
        self._limit = chunk + TAG
        self._aead = AESGCM(key)
        self._source = source
        self._number = 0
        self._buffer = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            self._buffer += self._next_chunk()
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def _next_chunk(self) -> bytes:
        raw = self._source.read(_LENGTH.size)
        if len(raw) < _LENGTH.size:
            raise CorruptBackup("the backup is truncated")
        (length,) = _LENGTH.unpack(raw)
        if not TAG <= length <= self._limit:
            raise CorruptBackup("the backup is damaged")
        sealed = self._source.read(length)
        if len(sealed) < length:
            raise CorruptBackup("the backup is truncated")
        nonce = self._prefix + struct.pack(">I", self._number)
        for last in (False, True):
            try:
                plain = self._aead.decrypt(nonce, sealed, _aad(self._header, self._number, last))
            except InvalidTag:
                continue
            self._number += 1
            if last:
                self._done = True
                if self._source.read(1):
                    raise CorruptBackup("the backup has unexpected bytes after its end")
            return plain
        raise CorruptBackup("the backup is damaged (a part fails its authentication)")
