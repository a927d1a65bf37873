"""The deployment's secret keys: keyed hashes of texts and numbers, and sealed (encrypted) payloads at rest.

``WEAVE_SECRET_KEYS`` holds one or more secrets, newest first. The first keys every hash and seals every payload;
the others only open payloads sealed before a rotation, so a rotation loses no task or batch in flight. Each use has
a key of its own derived from the secret (HMAC-SHA256 of the secret and the use's label): a leaked hash key opens no
payload, and a hash of a text here matches no hash of it elsewhere.

Why keyed: an unkeyed hash of a short text (a one-time code, "엄마 나 폰 고장났어") or of a phone number is undone by
hashing every candidate. With a secret the hashes in Redis, in logs and in answers tell nothing without it.
Rotating the first secret changes every hash: cached scores are missed once (scored again), campaign senders are
counted anew, and late answers of requests in flight are lost.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import struct
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from weave_ml.settings import ConfigError, get_settings

# A secret must carry at least this many characters (``secrets.token_urlsafe(32)`` gives 43).
MIN_SECRET_LENGTH = 32
# Sealed payload: format byte, the key's id (4 bytes), a random nonce (12), then AES-GCM's ciphertext and tag.
_FORMAT = b"\x01"
_KEY_ID = struct.Struct(">I")
_NONCE_BYTES = 12
_HEADER = len(_FORMAT) + _KEY_ID.size + _NONCE_BYTES


class SealError(ValueError):
    """A payload could not be opened: sealed by a key no longer configured, corrupted, or not sealed at all."""


def _derive(secret: str, label: str) -> bytes:
    return hmac.digest(secret.encode(), f"weave-ml/{label}".encode(), "sha256")


class Secrets:
    """Keyed hashing and sealing with the deployment's secrets (newest first)."""

    def __init__(self, secrets: Sequence[str]) -> None:
        if not secrets:
            raise ConfigError("WEAVE_SECRET_KEYS is not set: " + HOW_TO_SET)
        for secret in secrets:
            if len(secret) < MIN_SECRET_LENGTH:
                raise ConfigError(f"WEAVE_SECRET_KEYS: each secret needs {MIN_SECRET_LENGTH} characters or more")
        self._hash = hmac.new(_derive(secrets[0], "message-hash"), digestmod=hashlib.sha256)
        self._digest_key = _derive(secrets[0], "digest")
        sealing = [AESGCM(_derive(secret, "seal")[:16]) for secret in secrets]
        ids = [_KEY_ID.unpack(_derive(secret, "seal-id")[:4])[0] for secret in secrets]
        self._sealer = (ids[0], sealing[0])
        self._openers = dict(zip(ids, sealing, strict=True))

    def message_hash(self, payload: bytes) -> str:
        """Return ``sha256:<hex>``, the HMAC-SHA256 of a message's hash input (see ``weave_ml.model.text``)."""
        keyed = self._hash.copy()
        keyed.update(payload)
        return "sha256:" + keyed.hexdigest()

    def digest(self, label: str, value: str, size: int = 16) -> str:
        """Return a keyed hash (hex, ``size`` bytes) of ``value`` for one use (``label``: "sender", "number", …)."""
        return hashlib.blake2b(
            value.encode("utf-8", "surrogatepass"), key=self._digest_key, person=label.encode()[:16], digest_size=size
        ).hexdigest()

    def seal(self, data: bytes) -> bytes:
        """Encrypt and authenticate ``data`` with the newest secret."""
        key_id, cipher = self._sealer
        nonce = os.urandom(_NONCE_BYTES)
        return _FORMAT + _KEY_ID.pack(key_id) + nonce + cipher.encrypt(nonce, data, None)

    def open(self, sealed: bytes) -> bytes:
        """Return the data :meth:`seal` sealed, with whichever configured secret sealed it."""
        if len(sealed) < _HEADER or sealed[:1] != _FORMAT:
            raise SealError("not a sealed payload")
        (key_id,) = _KEY_ID.unpack_from(sealed, 1)
        cipher = self._openers.get(key_id)
        if cipher is None:
            raise SealError("sealed with a secret that is not in WEAVE_SECRET_KEYS")
        nonce = sealed[1 + _KEY_ID.size : _HEADER]
        try:
            data: bytes = cipher.decrypt(nonce, sealed[_HEADER:], None)
        except InvalidTag:
            raise SealError("the payload was altered or sealed with another secret") from None
        return data


HOW_TO_SET = (
    "give every process the same comma-separated list of secrets, newest first, e.g. "
    "WEAVE_SECRET_KEYS=$(python -c 'import secrets; print(secrets.token_urlsafe(32))') "
    "(`make run` makes one and keeps it in var/)"
)


@functools.cache
def current() -> Secrets:
    """Return the secrets of this process's settings (``WEAVE_SECRET_KEYS``); ConfigError when none are set."""
    return Secrets(get_settings().secret_keys)
