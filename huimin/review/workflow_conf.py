"""The reviewer workflow's settings, parsed strictly at start-up (a bad value names the
variable and stops the process, never a silent default).

- HUIMIN_REVIEW_SECOND_REVIEW_ABOVE: a confirmation recovering more than this many yuan
  needs a second reviewer (default 1000.00).
- HUIMIN_REVIEW_APPEAL_DAYS: days after the confirmation an institution may appeal
  (default 15).
"""

import os
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured

from huimin.core.env import env_int


def env_amount(name: str, default: str) -> Decimal:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return Decimal(default)
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be an amount in yuan, got {raw!r}") from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise ImproperlyConfigured(f"{name} must be >= 0 with at most 2 decimals, got {raw!r}")
    return value.quantize(Decimal("0.01"))


SECOND_REVIEW_ABOVE = env_amount("HUIMIN_REVIEW_SECOND_REVIEW_ABOVE", "1000.00")
APPEAL_DAYS = env_int("HUIMIN_REVIEW_APPEAL_DAYS", 15, minimum=1, maximum=365)
