"""Field encryption and blind indexes for personal data at rest.

AES-256-GCM (authenticated) with a per-value random nonce; the stored token is
`v1:` + base64(nonce || ciphertext||tag). The blind index is HMAC-SHA256 under a
key derived from the field key, so the database can find an exact value without
holding it. Both keys come from HUIMIN_FIELD_KEY; rotating it is a re-encryption job.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_VERSION = "v1"


@lru_cache(maxsize=4)
def _keys(master: bytes) -> tuple[bytes, bytes]:
    # Separate keys for encryption and indexing, derived from one configured secret.
    enc = hmac.new(master, b"huimin/field-encryption", hashlib.sha256).digest()
    idx = hmac.new(master, b"huimin/blind-index", hashlib.sha256).digest()
    return enc, idx


def _master() -> bytes:
    return settings.HUIMIN_FIELD_KEY


def encrypt(plaintext: str, *, context: str) -> str:
    """Encrypt; `context` (e.g. 'person.id_number') is bound as associated data."""
    enc_key, _ = _keys(_master())
    nonce = os.urandom(12)
    ct = AESGCM(enc_key).encrypt(nonce, plaintext.encode("utf-8"), context.encode())
    return f"{_VERSION}:" + base64.b64encode(nonce + ct).decode("ascii")


def decrypt(token: str, *, context: str) -> str:
    version, _, body = token.partition(":")
    if version != _VERSION:
        raise ValueError("unknown ciphertext version")
    enc_key, _ = _keys(_master())
    raw = base64.b64decode(body)
    return AESGCM(enc_key).decrypt(raw[:12], raw[12:], context.encode()).decode("utf-8")


def blind_index(value: str, *, context: str) -> str:
    _, idx_key = _keys(_master())
    return hmac.new(idx_key, f"{context}\x00{value}".encode(), hashlib.sha256).hexdigest()
