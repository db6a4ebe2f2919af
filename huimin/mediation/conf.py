"""The mediation app's HUIMIN_* variables, read strictly on each call (a malformed value
names the variable), as the other apps' conf modules do."""

import os

from django.core.exceptions import ImproperlyConfigured

from huimin.mediation import rules


def step_days() -> dict[str, int]:
    """HUIMIN_MEDIATION_STEP_DAYS ("acceptance=5,evidence=30,…"): days per step."""
    try:
        return rules.parse_step_days(os.environ.get("HUIMIN_MEDIATION_STEP_DAYS"))
    except ValueError as exc:
        raise ImproperlyConfigured(f"HUIMIN_MEDIATION_STEP_DAYS: {exc}") from None
