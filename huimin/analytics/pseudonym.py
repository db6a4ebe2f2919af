"""The export's person key: HMAC-SHA256 under the export key (HUIMIN_EXPORT_KEY) of the
person's blind index of the ID number.

Keyed on the ID number (through its blind index, never the number itself) rather than on
the database id, so a person keeps one key across re-registrations and across counties
that share the index key; keyed with a secret kept outside the export, so nobody holding
the files can test a guessed ID number against them. 128 bits (32 hex digits) are kept:
collisions are out of reach for a province's tens of millions.
"""

import hashlib
import hmac

from django.conf import settings

CONTEXT = b"huimin/analytics-person\x00"


class NoExportKey(Exception):
    """HUIMIN_EXPORT_KEY is not set (production has no development default)."""


def export_key() -> bytes:
    key = getattr(settings, "HUIMIN_EXPORT_KEY", None)
    if not key:
        raise NoExportKey("未设置 HUIMIN_EXPORT_KEY（32字节密钥的 base64）：没有它不能导出化名数据")
    return key


def key_id(key: bytes) -> str:
    """Names which key an export used (for the audit and the manifest), not the key."""
    return hmac.new(key, b"huimin/analytics-key-id", hashlib.sha256).hexdigest()[:8]


class Keyer:
    """person_key(index) with a small memo: a person's rows come together (a stay's
    visit, settlement and forms), and HMAC is most of a row's cost."""

    def __init__(self, key: bytes):
        self._key = key
        self._memo: dict[str, str] = {}

    def __call__(self, index: str | None) -> str | None:
        if index is None:
            return None
        found = self._memo.get(index)
        if found is None:
            if len(self._memo) > 100_000:  # bounded memory
                self._memo.clear()
            mac = hmac.new(self._key, CONTEXT + index.encode(), hashlib.sha256)
            found = self._memo[index] = mac.hexdigest()[:32]
        return found
