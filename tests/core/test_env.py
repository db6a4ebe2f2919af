"""Configuration is read strictly: a malformed HUIMIN_* value names the variable and the
reason instead of falling back to a default (core/env.py, used by every conf module)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from huimin.accounts import conf as accounts_conf
from huimin.core.env import env_bool, env_int, env_key32
from huimin.records import conf as records_conf


def test_an_integer_out_of_range_names_the_variable(monkeypatch):
    monkeypatch.setenv("HUIMIN_X", "3651")
    with pytest.raises(ImproperlyConfigured, match="HUIMIN_X must be at most 3650, got 3651"):
        env_int("HUIMIN_X", 90, 1, 3650)
    monkeypatch.setenv("HUIMIN_X", "ninety")
    with pytest.raises(ImproperlyConfigured, match="HUIMIN_X must be an integer"):
        env_int("HUIMIN_X", 90, 1, 3650)
    monkeypatch.setenv("HUIMIN_X", " 30 ")
    assert env_int("HUIMIN_X", 90, 1, 3650) == 30


def test_a_boolean_is_one_of_the_known_words(monkeypatch):
    monkeypatch.setenv("HUIMIN_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="HUIMIN_X must be one of"):
        env_bool("HUIMIN_X", False)
    monkeypatch.setenv("HUIMIN_X", "Yes")
    assert env_bool("HUIMIN_X", False) is True


def test_a_key_must_be_base64_of_32_bytes(monkeypatch):
    monkeypatch.setenv("HUIMIN_X", "c2hvcnQ=")
    with pytest.raises(ImproperlyConfigured, match="HUIMIN_X must decode to 32 bytes"):
        env_key32("HUIMIN_X")


def test_the_apps_conf_modules_read_through_it(monkeypatch):
    monkeypatch.setenv("HUIMIN_DEMO", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="HUIMIN_DEMO"):
        accounts_conf.demo_enabled()
    monkeypatch.setenv("HUIMIN_RECORD_RETENTION_YEARS", "10")
    with pytest.raises(
        ImproperlyConfigured, match="HUIMIN_RECORD_RETENTION_YEARS must be at least 15"
    ):
        records_conf.retention_years()
