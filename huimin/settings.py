"""Huimin settings: one module, configured only through HUIMIN_* environment variables.

Every variable is read through a strict helper; a malformed value stops the process
with a message naming the variable. In production (HUIMIN_DEBUG off) secrets have no
defaults: a missing HUIMIN_SECRET_KEY, HUIMIN_FIELD_KEY or HUIMIN_AUDIT_KEY is a startup
error.
"""

import base64
import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from huimin.core.env import (
    env_bool,
    env_int,
    env_key32,
    env_key32_list,
    env_str,
    load_env_file,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VERSION = "0.1.0"


load_env_file(Path(os.environ.get("HUIMIN_ENV_FILE", BASE_DIR / ".env")))


DEBUG = env_bool("HUIMIN_DEBUG", False)

# Development values exist only with HUIMIN_DEBUG on; production must set both secrets.
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789" if DEBUG else None
_DEV_FIELD_KEY = base64.b64encode(b"huimin-dev-only-field-key-32byte").decode() if DEBUG else None

SECRET_KEY = env_str("HUIMIN_SECRET_KEY", _DEV_SECRET)
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("HUIMIN_SECRET_KEY must be at least 32 characters")
HUIMIN_FIELD_KEY = env_key32("HUIMIN_FIELD_KEY", _DEV_FIELD_KEY)
# aes-256-gcm, or sm4-gcm (GB/T 32907) where the national cipher is required.
HUIMIN_FIELD_CIPHER = env_str("HUIMIN_FIELD_CIPHER", "aes-256-gcm")
if HUIMIN_FIELD_CIPHER not in ("aes-256-gcm", "sm4-gcm"):
    raise ImproperlyConfigured(
        f"HUIMIN_FIELD_CIPHER must be aes-256-gcm or sm4-gcm, got {HUIMIN_FIELD_CIPHER!r}"
    )
# Keys being rotated out: still read, never written (docs/operations.md).
HUIMIN_FIELD_KEY_PREVIOUS = env_key32_list("HUIMIN_FIELD_KEY_PREVIOUS")

# The audit chain's HMAC key, kept outside the database (docs/operations.md, "Audit
# key"): strict like the field key, with a development value only under HUIMIN_DEBUG.
_DEV_AUDIT_KEY = base64.b64encode(b"huimin-dev-only-audit-key-32byte").decode() if DEBUG else None
HUIMIN_AUDIT_KEY = env_key32("HUIMIN_AUDIT_KEY", _DEV_AUDIT_KEY)
# Keys rotated out: events and checkpoints under them still verify; nothing new is signed.
HUIMIN_AUDIT_KEY_PREVIOUS = env_key32_list("HUIMIN_AUDIT_KEY_PREVIOUS")
# A chain head is checkpointed outside the database after this many appends to it, or
# when this many minutes have passed since this process last checkpointed it.
HUIMIN_AUDIT_CHECKPOINT_EVERY = env_int("HUIMIN_AUDIT_CHECKPOINT_EVERY", 1000, minimum=1)
HUIMIN_AUDIT_CHECKPOINT_MINUTES = env_int("HUIMIN_AUDIT_CHECKPOINT_MINUTES", 10, minimum=1)

# The key of the analytics export's person hash (HMAC-SHA256, docs/analytics.md): a
# development value under HUIMIN_DEBUG; in production unset means None and
# `huimin export parquet` refuses to run (the server itself does not need it).
_DEV_EXPORT_KEY = base64.b64encode(b"huimin-dev-only-exportkey-32byte").decode() if DEBUG else None
HUIMIN_EXPORT_KEY = (
    env_key32("HUIMIN_EXPORT_KEY", _DEV_EXPORT_KEY)
    if os.environ.get("HUIMIN_EXPORT_KEY") or DEBUG
    else None
)

ALLOWED_HOSTS = [
    h.strip()
    for h in env_str("HUIMIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

_default_db = f"sqlite:///{BASE_DIR / 'var' / 'huimin.sqlite3'}"
_db_url = env_str("HUIMIN_DATABASE_URL", _default_db)
try:
    DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=60)}
except Exception as exc:  # dj-database-url raises several types for a bad URL
    raise ImproperlyConfigured(f"HUIMIN_DATABASE_URL is not a valid database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the demo server read while the generator or a test writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound on the server, and a statement run a few times on a connection
    # is prepared there (psycopg's automatic preparation): PostgreSQL parses and plans
    # the counter's statements once per session instead of on every call. Prepared
    # statements belong to a session, so no transaction-pooling proxy (PgBouncer in
    # transaction mode) between Huimin and PostgreSQL.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=2
    )

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "huimin.core",
    "huimin.policy",
    "huimin.registry",
    "huimin.accounts",
    "huimin.audit",
    "huimin.oversight",
    "huimin.access",
    "huimin.ops",
    "huimin.insurance",
    "huimin.insurance.ledger",
    "huimin.insurance.catalog",
    "huimin.insurance.enrollment",
    "huimin.records",
    "huimin.review",
    "huimin.mediation",
    "huimin.reports",
    "huimin.analytics",
    "huimin.assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Request line and header limits in the contract's shape (gunicorn.conf.py's are higher).
    "huimin.core.middleware.RequestLimitsMiddleware",
    # CSP always, HSTS when HUIMIN_PUBLIC_URL is https.
    "huimin.accounts.middleware.SecurityHeadersMiddleware",
    "huimin.core.middleware.ApiErrorShapeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which is the first to read a page POST's body.
    "huimin.core.middleware.MalformedBodyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Second factor and password expiry: after OTP (is_verified) and messages.
    "huimin.accounts.middleware.AccountGateMiddleware",
    # Before any view reads a form value; after the gates, so its page knows the user.
    "huimin.core.middleware.PageInputGuardMiddleware",
    "huimin.core.urlguard.PersonalNumberInUrlGuard",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A RateLimited raised by a page's view becomes the 429 page (the API answers JSON).
    "huimin.core.ratelimit.RateLimitedPageMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "huimin.urls"
WSGI_APPLICATION = "huimin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "huimin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "huimin.core.context_processors.navigation",
            ],
        },
    },
]

# 等保2.0 level 3: 10+ characters (HUIMIN_PASSWORD_MIN_LENGTH) with upper case, lower case,
# digits and symbols together, not containing the username, not one of the last five,
# expiry (HUIMIN_PASSWORD_MAX_AGE_DAYS, read in huimin/accounts/conf.py).
HUIMIN_PASSWORD_MIN_LENGTH = env_int("HUIMIN_PASSWORD_MIN_LENGTH", 10, minimum=10)
if HUIMIN_PASSWORD_MIN_LENGTH > 128:
    raise ImproperlyConfigured("HUIMIN_PASSWORD_MIN_LENGTH must be at most 128")
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "huimin.accounts.validators.ComplexityValidator",
        "OPTIONS": {
            "min_length": HUIMIN_PASSWORD_MIN_LENGTH,
            "min_classes": 4,
            "forbid_username": True,
        },
    },
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "huimin.accounts.validators.PasswordHistoryValidator"},
]
AUTHENTICATION_BACKENDS = [
    "huimin.accounts.backends.LockoutBackend",  # django-axes' lockout check first
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout: 5 failures lock (username, address) together for 15 minutes, so one shared
# proxy address cannot lock everybody out and one user is not locked everywhere.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # locked 15 minutes, not forever
AXES_CLIENT_IP_CALLABLE = "huimin.core.net.client_ip"  # HUIMIN_TRUSTED_PROXIES
AXES_LOCKOUT_CALLABLE = "huimin.accounts.views.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # accounts.LoginEvent is the login history
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "惠民"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("HUIMIN_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from here and the finders
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATICFILES_DIRS = [BASE_DIR / "huimin" / "static"]  # the project's own (htmx, css)
WHITENOISE_USE_FINDERS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("HUIMIN_SESSION_IDLE_SECONDS", 15 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout: each request extends the session
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-free meta tag
# A CSRF failure in Chinese with the code csrf_failed: JSON under /api/, a page elsewhere.
CSRF_FAILURE_VIEW = "huimin.core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "forbidden_on_one_line": {"()": "huimin.core.logfilters.forbidden_on_one_line"},
        "personal_numbers_masked": {"()": "huimin.core.logfilters.personal_numbers_masked"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_numbers_masked"]}
    },
    "loggers": {"django.request": {"filters": ["forbidden_on_one_line"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

HUIMIN_PAGE_SIZE = env_int("HUIMIN_PAGE_SIZE", 50, minimum=5)

# Rate limits (huimin/core/ratelimit.py), counted in the database so every worker agrees:
# name -> (hits per window, window in seconds, what the 429 names). Per staff account,
# per institution credential and per address alike; docs/security.md explains each.
HUIMIN_RATE_LIMITS = {
    "list": (env_int("HUIMIN_RATE_LISTS_PER_MINUTE", 60, minimum=1), 60, "查询、列表与导出"),
    "list_address": (
        env_int("HUIMIN_RATE_LISTS_PER_ADDRESS_PER_MINUTE", 600, minimum=1),
        60,
        "本网络地址的查询、列表与导出",
    ),
    "rows": (env_int("HUIMIN_RATE_ROWS_PER_HOUR", 10000, minimum=100), 3600, "批量查询记录"),
    "token": (env_int("HUIMIN_RATE_TOKENS_PER_MINUTE", 30, minimum=1), 60, "令牌申请"),
    "auth_failure": (
        env_int("HUIMIN_RATE_AUTH_FAILURES_PER_MINUTE", 20, minimum=1),
        60,
        "认证失败",
    ),
}

# The address institutions use: the token endpoint's expected `aud` is built from it.
HUIMIN_PUBLIC_URL = env_str("HUIMIN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
_public = urlsplit(HUIMIN_PUBLIC_URL)
if _public.scheme not in ("http", "https") or not _public.netloc or _public.query:
    raise ImproperlyConfigured(
        f"HUIMIN_PUBLIC_URL must be an http(s) URL such as https://yb.example:8443, "
        f"got {HUIMIN_PUBLIC_URL!r}"
    )
HUIMIN_CREDENTIAL_DAYS = env_int("HUIMIN_CREDENTIAL_DAYS", 365, minimum=1)

# TLS deployments (HUIMIN_PUBLIC_URL is https): cookies only over TLS, and browsers told
# to use nothing else (HSTS, sent by huimin.accounts.middleware.SecurityHeadersMiddleware
# whatever the proxy in front says, since TLS usually ends there). CSP is sent always.
HUIMIN_TLS = _public.scheme == "https"
SESSION_COOKIE_SECURE = HUIMIN_TLS
CSRF_COOKIE_SECURE = HUIMIN_TLS
CSRF_COOKIE_SAMESITE = "Lax"
HUIMIN_HSTS_SECONDS = env_int("HUIMIN_HSTS_SECONDS", 31536000, minimum=0)
# Scripts only from our own files (htmx and the apps' static JS: no inline scripts or
# on* attributes anywhere); inline style attributes are allowed, they run no code.
HUIMIN_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# Uploaded documents (huimin/core/documents.py): kept outside the database, named by
# their SHA-256; the limit applies to one file.
HUIMIN_DOCUMENT_ROOT = Path(env_str("HUIMIN_DOCUMENT_ROOT", str(BASE_DIR / "var" / "documents")))
HUIMIN_DOCUMENT_MAX_BYTES = env_int(
    "HUIMIN_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024, maximum=1024 * 1024 * 1024
)
