"""Loaded by pytest (`-p huimin.core.pytest_plugin`) before Django settings are read.

Gives the test run its own secrets so it never depends on a developer's `.env`, while
an explicitly exported variable (e.g. HUIMIN_DATABASE_URL for PostgreSQL) still wins.
"""

import base64
import os

os.environ["HUIMIN_ENV_FILE"] = os.devnull
os.environ.setdefault("HUIMIN_SECRET_KEY", "test-secret-key-0123456789-abcdefghijklmnop")
os.environ.setdefault("HUIMIN_FIELD_KEY", base64.b64encode(b"T" * 32).decode())
os.environ.setdefault("HUIMIN_DATABASE_URL", "sqlite:///:memory:")
