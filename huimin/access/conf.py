"""This app's settings (HUIMIN_PUBLIC_URL and HUIMIN_CREDENTIAL_DAYS are read strictly
in huimin/settings.py; a test's `settings` fixture may override them)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from huimin.core.env import env_int, env_str

TOKEN_PATH = "/api/v1/access/token"  # noqa: S105 (a path, not a secret)


def public_url() -> str:
    """The server's address as institutions reach it, without a trailing slash."""
    value = getattr(settings, "HUIMIN_PUBLIC_URL", None) or env_str(
        "HUIMIN_PUBLIC_URL", "http://127.0.0.1:8000"
    )
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise ImproperlyConfigured(
            f"HUIMIN_PUBLIC_URL must be an http(s) URL such as https://yb.example:8443, "
            f"got {value!r}"
        )
    return value.rstrip("/")


def token_audience() -> str:
    """The one `aud` a client assertion must carry: the token endpoint's full URL."""
    return public_url() + TOKEN_PATH


def credential_days() -> int:
    value = getattr(settings, "HUIMIN_CREDENTIAL_DAYS", None)
    if value is None:
        value = env_int("HUIMIN_CREDENTIAL_DAYS", 365, minimum=1)
    return int(value)
