"""What every insurance transaction shares: the refusal type and run-once per key."""

from decimal import Decimal

from django.db import IntegrityError

from huimin.core import idempotency
from huimin.core.errors import DomainError

ZERO = Decimal("0.00")


class Refused(DomainError):
    """A transaction refused for a business reason, with its machine code."""

    status = 422


# ---------------------------------------------------------------- idempotency


def once(institution, key, operation: str, body: dict, run, *, answer, replay, clash=None):
    """Run an institution transaction once per (institution, Idempotency-Key): the rules
    are huimin.core.idempotency's. Returns (result, replayed).

    `clash`: what a unique-constraint failure in the write means (settle, reverse: a
    key recorded on a settlement row but not in the idempotency table, i.e. written
    before that table or by the bulk generator)."""
    try:
        return idempotency.run_once(
            f"institution:{institution.pk}",
            key,
            operation,
            body,
            run,
            answer=answer,
            replay=replay,
            region_code=institution.region_id or "",
        )
    except IntegrityError:
        if clash is None:
            raise
        raise clash from None


# ---------------------------------------------------------------- lookups
