"""This app's HUIMIN_* variables, read strictly (a malformed value names the variable).

Read on each call rather than at import so an operator's change needs only a restart and a
test can set the environment; AccountsConfig.ready() reads them all once so a bad value
stops startup instead of the first request that needs it.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from huimin.core import net


def _int(name: str, default: int, minimum: int, maximum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def password_max_age_days() -> int:
    return _int("HUIMIN_PASSWORD_MAX_AGE_DAYS", 90, 1, 3650)


def dormant_days() -> int:
    return _int("HUIMIN_DORMANT_DAYS", 90, 1, 3650)


def loan_max_days() -> int:
    return _int("HUIMIN_LOAN_MAX_DAYS", 7, 1, 365)


def demo_enabled() -> bool:
    raw = os.environ.get("HUIMIN_DEMO", "").strip().lower()
    if raw in {"", "0", "false", "no", "off"}:
        return False
    if raw in {"1", "true", "yes", "on"}:
        return True
    raise ImproperlyConfigured(f"HUIMIN_DEMO must be one of 1/0/true/false, got {raw!r}")


def check_all() -> None:
    password_max_age_days()
    dormant_days()
    loan_max_days()
    demo_enabled()
    net.trusted_proxies()
