"""Field keys for rotation tests, and the legacy (v1) token format written before key ids."""

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_A = b"A" * 32
KEY_B = b"B" * 32
KEY_C = b"C" * 32


def legacy_token(plaintext: str, master: bytes, context: str) -> str:
    """A `v1:` token as crypto.py wrote it before tokens named their key."""
    enc = hmac.new(master, b"huimin/field-encryption", hashlib.sha256).digest()
    nonce = os.urandom(12)
    ct = AESGCM(enc).encrypt(nonce, plaintext.encode(), context.encode())
    return "v1:" + base64.b64encode(nonce + ct).decode()


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()
