"""Finding fingerprints: one finding per rule and subject (and period), so a rerun of
the batch or a retried settlement finds the same fingerprint and adds nothing."""

import hashlib


def _digest(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def claim_fingerprint(rule: str, settlement_id: int) -> str:
    return _digest("claim", rule, settlement_id)


def subject_fingerprint(rule: str, subject_kind: str, subject: str, period: str) -> str:
    return _digest("subject", rule, subject_kind, subject, period)
