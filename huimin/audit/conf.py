"""The audit app's configuration, read strictly from HUIMIN_* environment variables.

Read at call time (not import time) so an operator's command sees the current value and
a malformed one stops the command with a message naming the variable.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from huimin.audit.chain import Keyring

RETENTION_VAR = "HUIMIN_AUDIT_RETENTION_DAYS"
RETENTION_DEFAULT = 183
# Six months is the least the network-security rules accept for keeping logs.
RETENTION_MINIMUM = 180
ARCHIVE_DIR_VAR = "HUIMIN_AUDIT_ARCHIVE_DIR"
CHECKPOINT_DIR_VAR = "HUIMIN_AUDIT_CHECKPOINT_DIR"
CHECKPOINT_SYSLOG_VAR = "HUIMIN_AUDIT_CHECKPOINT_SYSLOG"


def retention_days() -> int:
    raw = os.environ.get(RETENTION_VAR, "").strip()
    if not raw:
        return RETENTION_DEFAULT
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{RETENTION_VAR} must be an integer, got {raw!r}") from None
    if value < RETENTION_MINIMUM:
        raise ImproperlyConfigured(
            f"{RETENTION_VAR} must be at least {RETENTION_MINIMUM} days, got {value}"
        )
    return value


def archive_dir() -> Path:
    raw = os.environ.get(ARCHIVE_DIR_VAR, "").strip()
    return Path(raw) if raw else Path(settings.BASE_DIR) / "var" / "audit-archive"


def checkpoint_dir() -> Path:
    """Where chain heads are checkpointed: one append-only file per chain. Keep it off the
    database's disk and out of the database owner's reach (docs/operations.md)."""
    raw = os.environ.get(CHECKPOINT_DIR_VAR, "").strip()
    return Path(raw) if raw else Path(settings.BASE_DIR) / "var" / "audit-checkpoints"


def checkpoint_syslog() -> str | tuple[str, int] | None:
    """Where checkpoints are also sent by syslog: a socket path (/dev/log) or host:port
    (UDP); unset means nowhere."""
    raw = os.environ.get(CHECKPOINT_SYSLOG_VAR, "").strip()
    if not raw:
        return None
    if raw.startswith("/"):
        return raw
    host, _, port = raw.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ImproperlyConfigured(
            f"{CHECKPOINT_SYSLOG_VAR} must be a socket path or host:port, got {raw!r}"
        )
    return host.strip("[]"), int(port)


def keyring():
    """The audit keys from settings (HUIMIN_AUDIT_KEY and HUIMIN_AUDIT_KEY_PREVIOUS)."""
    return Keyring(
        current=settings.HUIMIN_AUDIT_KEY,
        previous=tuple(getattr(settings, "HUIMIN_AUDIT_KEY_PREVIOUS", ()) or ()),
    )


# Parallel hash chains appends spread over (services._locked_head): enough that the
# transactions open at once on a busy server rarely all hold one. Chains once used are
# verified whatever this says; lowering it only stops new appends to the higher ones.
CHAINS = 8
