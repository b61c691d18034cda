"""Encryption at rest and keyed hashes for personal data, with the deployment's keys.

ID numbers and phones are encrypted with AES-256-GCM (``cryptography``) under keys
derived from the deployment secret for their purpose (``people.id``, ``people.phone``);
each value gets a fresh random 96-bit nonce, stored in front of the ciphertext, and the
column's name as associated data, so a ciphertext moved to another column does not
decrypt. An ID number is also hashed with HMAC-SHA256 under ``people.id.hash``: the
hash finds a volunteer by ID and refuses a second registration, without decrypting
anything. Nothing here logs or keeps plaintext.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wenming.secrets import Secrets

_NONCE = 12
_AAD_ID = b"wm_volunteer.id_number"
_AAD_PHONE = b"wm_volunteer.phone"


class Vault:
    """Encrypts, decrypts and hashes one deployment's personal data."""

    __slots__ = ("_hash_key", "_id", "_phone")

    def __init__(self, secrets: Secrets) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._id = AESGCM(secrets.key("people.id"))
        self._phone = AESGCM(secrets.key("people.phone"))
        self._hash_key = secrets.key("people.id.hash")

    def __repr__(self) -> str:
        return "Vault()"

    def id_hash(self, number: str) -> str:
        """The keyed hash of a normalised ID number, for look-up and de-duplication:
        HMAC-SHA256 truncated to 128 bits (hex), which keeps the unique index small."""
        return hmac.digest(self._hash_key, number.encode("ascii"), "sha256")[:16].hex()

    def request_digest(self, text: str) -> str:
        """A keyed digest of a request that holds personal data (an idempotent
        registration's), so a retry can be compared without keeping the request: keyed,
        because an ID number alone is easy to guess from a plain hash."""
        return hmac.digest(self._hash_key, b"request\0" + text.encode("utf-8"), "sha256").hex()

    def id_hashes(self, numbers: Iterable[str]) -> list[str]:
        key = self._hash_key
        return [hmac.digest(key, n.encode("ascii"), "sha256")[:16].hex() for n in numbers]

    def encrypt_id(self, number: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._id.encrypt(nonce, number.encode("ascii"), _AAD_ID)

    def encrypt_ids(self, numbers: Iterable[str]) -> list[bytes]:
        """Encrypt a batch (one call per value, no per-row Python objects beyond the bytes)."""
        enc, rnd = self._id.encrypt, os.urandom
        out = []
        for n in numbers:
            nonce = rnd(_NONCE)
            out.append(nonce + enc(nonce, n.encode("ascii"), _AAD_ID))
        return out

    def decrypt_id(self, blob: bytes) -> str:
        blob = bytes(blob)
        return self._id.decrypt(blob[:_NONCE], blob[_NONCE:], _AAD_ID).decode("ascii")

    def encrypt_phone(self, phone: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._phone.encrypt(nonce, phone.encode("ascii"), _AAD_PHONE)

    def encrypt_phones(self, phones: Iterable[str | None]) -> list[bytes | None]:
        enc, rnd = self._phone.encrypt, os.urandom
        out: list[bytes | None] = []
        for p in phones:
            if p is None:
                out.append(None)
                continue
            nonce = rnd(_NONCE)
            out.append(nonce + enc(nonce, p.encode("ascii"), _AAD_PHONE))
        return out

    def decrypt_phone(self, blob: bytes | None) -> str | None:
        if blob is None:
            return None
        blob = bytes(blob)
        return self._phone.decrypt(blob[:_NONCE], blob[_NONCE:], _AAD_PHONE).decode("ascii")
