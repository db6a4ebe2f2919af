"""Field encryption and blind indexes for personal data at rest.

AES-256-GCM (authenticated) with a per-value random nonce, or SM4-GCM with
HUIMIN_FIELD_CIPHER=sm4-gcm (token `s2:`; both are always read, and `huimin
rotate-field-key` rewrites old tokens under the configured cipher). A token names the key
that wrote it: `v2:<key-id>:` + base64(nonce || ciphertext||tag), where the key id is a short
fingerprint of the master key (it reveals nothing about the key). Older tokens are
`v1:` + base64(...) without a key id; they are still read.

The blind index is HMAC-SHA256 under a key derived from the field key, so the database
can find an exact value without holding it. Both derived keys come from the master key
HUIMIN_FIELD_KEY. Rotation (docs/operations.md): deploy the new key as HUIMIN_FIELD_KEY
with the old one in HUIMIN_FIELD_KEY_PREVIOUS, run `huimin rotate-field-key`, then drop
the previous key. Decryption accepts the current and the previous keys; encryption and
the blind index always use the current key.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_VERSION = "v2"  # AES-256-GCM
_SM4 = "s2"  # SM4-GCM (GB/T 32907), where the national standard is required
_LEGACY = "v1"
_CIPHERS = {"aes-256-gcm": _VERSION, "sm4-gcm": _SM4}
PREVIOUS_VARIABLE = "HUIMIN_FIELD_KEY_PREVIOUS"


class UnknownFieldKey(ValueError):
    """A token was written under a key that is neither the current nor a previous key."""

    def __init__(self, key_id: str):
        self.key_id = key_id
        super().__init__(
            f"ciphertext was encrypted under field key {key_id}, which is neither "
            f"HUIMIN_FIELD_KEY nor listed in {PREVIOUS_VARIABLE}"
        )


@lru_cache(maxsize=8)
def _keys(master: bytes) -> tuple[bytes, bytes]:
    # Separate keys for encryption and indexing, derived from one configured secret.
    enc = hmac.new(master, b"huimin/field-encryption", hashlib.sha256).digest()
    idx = hmac.new(master, b"huimin/blind-index", hashlib.sha256).digest()
    return enc, idx


@lru_cache(maxsize=8)
def key_id(master: bytes) -> str:
    """8 hex characters naming a master key: enough to tell a handful of keys apart."""
    return hmac.new(master, b"huimin/key-id", hashlib.sha256).hexdigest()[:8]


def _master() -> bytes:
    return settings.HUIMIN_FIELD_KEY


def previous_masters() -> tuple[bytes, ...]:
    """Keys still accepted for decryption (HUIMIN_FIELD_KEY_PREVIOUS, read at startup)."""
    return tuple(getattr(settings, PREVIOUS_VARIABLE, ()) or ())


def current_key_id() -> str:
    return key_id(_master())


def _decryption_keys() -> dict[str, bytes]:
    """key id → master key, the current key first."""
    keys = {key_id(_master()): _master()}
    for master in previous_masters():
        keys.setdefault(key_id(master), master)
    return keys


def _version() -> str:
    """The token version new values are written with (HUIMIN_FIELD_CIPHER)."""
    return _CIPHERS[getattr(settings, "HUIMIN_FIELD_CIPHER", "aes-256-gcm")]


def _sm4_seal(key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    encryptor = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _sm4_open(key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    decryptor = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce, sealed[-16:])).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(sealed[:-16]) + decryptor.finalize()


def encrypt(plaintext: str, *, context: str) -> str:
    """Encrypt; `context` (e.g. 'person.id_number') is bound as associated data."""
    master = _master()
    enc_key, _ = _keys(master)
    nonce = os.urandom(12)
    version = _version()
    data, aad = plaintext.encode("utf-8"), context.encode()
    if version == _SM4:
        ct = _sm4_seal(enc_key, nonce, data, aad)
    else:
        ct = AESGCM(enc_key).encrypt(nonce, data, aad)
    return f"{version}:{key_id(master)}:" + base64.b64encode(nonce + ct).decode("ascii")


def token_key_id(token: str) -> str | None:
    """The key id a v2 token names; None for a legacy v1 token (no key id)."""
    version, _, rest = token.partition(":")
    if version in (_VERSION, _SM4):
        return rest.partition(":")[0]
    if version == _LEGACY:
        return None
    raise ValueError("unknown ciphertext version")


def is_current(token: str) -> bool:
    """Whether a token is already written under the current key (rotation skips it)."""
    return token.startswith(f"{_version()}:{current_key_id()}:")


def _open(master: bytes, body: str, context: str, version: str = _VERSION) -> str:
    raw = base64.b64decode(body)
    enc_key, _ = _keys(master)
    if version == _SM4:
        return _sm4_open(enc_key, raw[:12], raw[12:], context.encode()).decode("utf-8")
    return AESGCM(enc_key).decrypt(raw[:12], raw[12:], context.encode()).decode("utf-8")


def decrypt(token: str, *, context: str) -> str:
    """Decrypt under the key the token names.

    Raises UnknownFieldKey for a v2 token under a key not held, InvalidTag for a tampered
    token, the wrong context, or a v1 token that no held key opens.
    """
    version, _, rest = token.partition(":")
    keys = _decryption_keys()
    if version in (_VERSION, _SM4):
        kid, _, body = rest.partition(":")
        if kid not in keys:
            raise UnknownFieldKey(kid)
        return _open(keys[kid], body, context, version)
    if version == _LEGACY:
        # No key id: try each key held, current first. GCM's tag tells the right one;
        # when none opens it, a wrong key and a damaged token look the same (InvalidTag).
        for master in keys.values():
            try:
                return _open(master, rest, context)
            except InvalidTag:
                continue
        raise InvalidTag()
    raise ValueError("unknown ciphertext version")


def blind_index(value: str, *, context: str) -> str:
    _, idx_key = _keys(_master())
    return hmac.new(idx_key, f"{context}\x00{value}".encode(), hashlib.sha256).hexdigest()


def blind_indexes(value: str, *, context: str) -> list[str]:
    """The value's index under the current key, then under each previous key.

    During a rotation some rows still carry an index under the previous key; a lookup
    with `index__in=blind_indexes(...)` finds both rotated and not yet rotated rows.
    """
    out = []
    for master in (_master(), *previous_masters()):
        _, idx_key = _keys(master)
        digest = hmac.new(idx_key, f"{context}\x00{value}".encode(), hashlib.sha256).hexdigest()
        if digest not in out:
            out.append(digest)
    return out
