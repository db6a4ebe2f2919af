"""Finding fingerprints: one finding per rule, subject and period, however often it is found.

Real time and the nightly batch both store findings; they share these functions so a
batch run over a day the counter already reviewed finds the same fingerprint and leaves
the finding (and any reviewer's decision on it) alone.
"""

import hashlib


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def claim_fingerprint(rule: str, settlement_id: int) -> str:
    """A claim rule on a settlement: the same whether real time or the batch found it."""
    return _sha256(f"{rule}|claim|{settlement_id}")


def subject_fingerprint(rule: str, subject_kind: str, subject: str, period: str) -> str:
    """A pattern rule on a terminal, institution or doctor over a period (a burst's start,
    a month): `period` says which occurrence it is."""
    return _sha256(f"{rule}|{subject_kind}|{subject}|{period}")
