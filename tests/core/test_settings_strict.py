"""Configuration is read strictly: a bad or missing secret stops startup, naming the variable."""

import base64
import os
import subprocess
import sys

import pytest

GOOD_KEY = base64.b64encode(b"k" * 32).decode()


def start(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUIMIN_")}
    clean.update({"HUIMIN_ENV_FILE": os.devnull, "DJANGO_SETTINGS_MODULE": "huimin.settings"})
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_key_refuses_to_start():
    r = start({"HUIMIN_FIELD_KEY": GOOD_KEY})
    assert r.returncode != 0
    assert "HUIMIN_SECRET_KEY" in r.stderr


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("not-base64!!", "base64"),
        (base64.b64encode(b"short").decode(), "32 bytes"),
    ],
)
def test_malformed_field_key_refuses_to_start(value, reason):
    r = start({"HUIMIN_SECRET_KEY": "s" * 40, "HUIMIN_FIELD_KEY": value})
    assert r.returncode != 0
    assert "HUIMIN_FIELD_KEY" in r.stderr and reason in r.stderr


def test_malformed_boolean_names_the_variable():
    r = start({"HUIMIN_DEBUG": "maybe"})
    assert r.returncode != 0
    assert "HUIMIN_DEBUG" in r.stderr


def test_bad_database_url_names_the_variable():
    r = start(
        {
            "HUIMIN_SECRET_KEY": "s" * 40,
            "HUIMIN_FIELD_KEY": GOOD_KEY,
            "HUIMIN_AUDIT_KEY": GOOD_KEY,
            "HUIMIN_DATABASE_URL": "nosuchdb://x",
        }
    )
    assert r.returncode != 0
    assert "HUIMIN_DATABASE_URL" in r.stderr


def test_good_production_configuration_starts():
    r = start(
        {
            "HUIMIN_SECRET_KEY": "s" * 40,
            "HUIMIN_FIELD_KEY": GOOD_KEY,
            "HUIMIN_AUDIT_KEY": GOOD_KEY,
            "HUIMIN_DATABASE_URL": "sqlite:///:memory:",
        }
    )
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize(
    ("value", "reason"),
    [("not-base64!", "not base64"), (base64.b64encode(b"short").decode(), "32 bytes")],
)
def test_malformed_previous_field_key_refuses_to_start(value, reason):
    r = start(
        {
            "HUIMIN_SECRET_KEY": "s" * 40,
            "HUIMIN_FIELD_KEY": GOOD_KEY,
            "HUIMIN_FIELD_KEY_PREVIOUS": f"{GOOD_KEY},{value}",
        }
    )
    assert r.returncode != 0
    assert "HUIMIN_FIELD_KEY_PREVIOUS entry 2" in r.stderr and reason in r.stderr


def test_unknown_field_cipher_refuses_to_start():
    r = start(
        {
            "HUIMIN_SECRET_KEY": "s" * 40,
            "HUIMIN_FIELD_KEY": GOOD_KEY,
            "HUIMIN_AUDIT_KEY": GOOD_KEY,
            "HUIMIN_FIELD_CIPHER": "des",
        }
    )
    assert r.returncode != 0
    assert "HUIMIN_FIELD_CIPHER" in r.stderr


def test_production_without_audit_key_refuses_to_start():
    r = start({"HUIMIN_SECRET_KEY": "s" * 40, "HUIMIN_FIELD_KEY": GOOD_KEY})
    assert r.returncode != 0
    assert "HUIMIN_AUDIT_KEY is required" in r.stderr


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("HUIMIN_AUDIT_KEY", "not-base64!!", "HUIMIN_AUDIT_KEY must be base64"),
        ("HUIMIN_AUDIT_KEY", base64.b64encode(b"short").decode(), "32 bytes"),
        ("HUIMIN_AUDIT_KEY_PREVIOUS", "not-base64!", "HUIMIN_AUDIT_KEY_PREVIOUS entry 1"),
        ("HUIMIN_AUDIT_CHECKPOINT_EVERY", "0", "HUIMIN_AUDIT_CHECKPOINT_EVERY must be at least"),
    ],
)
def test_malformed_audit_key_settings_refuse_to_start(variable, value, reason):
    env = {
        "HUIMIN_SECRET_KEY": "s" * 40,
        "HUIMIN_FIELD_KEY": GOOD_KEY,
        "HUIMIN_AUDIT_KEY": GOOD_KEY,
    }
    r = start({**env, variable: value})
    assert r.returncode != 0
    assert variable in r.stderr and reason in r.stderr


def test_debug_gives_a_development_audit_key():
    r = start({"HUIMIN_DEBUG": "1", "HUIMIN_DATABASE_URL": "sqlite:///:memory:"})
    assert r.returncode == 0, r.stderr
