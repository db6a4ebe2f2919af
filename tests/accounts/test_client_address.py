"""The client's address: X-Forwarded-For is believed only from HUIMIN_TRUSTED_PROXIES."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from huimin.core.net import client_ip, trusted_proxies


def request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(monkeypatch):
    monkeypatch.delenv("HUIMIN_TRUSTED_PROXIES", raising=False)
    assert client_ip(request("10.0.0.5", "203.0.113.9")) == "10.0.0.5"


def test_a_trusted_proxy_passes_the_client_on(monkeypatch):
    monkeypatch.setenv("HUIMIN_TRUSTED_PROXIES", "10.9.0.1")
    assert client_ip(request("10.9.0.1", "192.168.3.4")) == "192.168.3.4"


def test_a_client_cannot_prepend_an_address_of_its_choice(monkeypatch):
    # The client sent "1.2.3.4" itself; the trusted proxy appended the real peer.
    monkeypatch.setenv("HUIMIN_TRUSTED_PROXIES", "10.9.0.0/24")
    assert client_ip(request("10.9.0.1", "1.2.3.4, 192.168.3.4")) == "192.168.3.4"


def test_a_chain_of_trusted_proxies_is_walked(monkeypatch):
    monkeypatch.setenv("HUIMIN_TRUSTED_PROXIES", "10.9.0.1, 10.9.0.2")
    assert client_ip(request("10.9.0.1", "192.168.3.4, 10.9.0.2")) == "192.168.3.4"


def test_an_untrusted_peer_sending_the_header_is_itself_the_client(monkeypatch):
    monkeypatch.setenv("HUIMIN_TRUSTED_PROXIES", "10.9.0.1")
    assert client_ip(request("172.16.0.8", "192.168.3.4")) == "172.16.0.8"


def test_a_malformed_setting_names_the_variable(monkeypatch):
    monkeypatch.setenv("HUIMIN_TRUSTED_PROXIES", "10.9.0.1, not-an-ip")
    with pytest.raises(ImproperlyConfigured, match="HUIMIN_TRUSTED_PROXIES"):
        trusted_proxies()


def test_lockout_counts_the_forwarded_client_behind_a_trusted_proxy(client, cashier, monkeypatch):
    from tests.accounts.conftest import PASSWORD, login

    monkeypatch.setenv("HUIMIN_TRUSTED_PROXIES", "10.9.0.1")
    for _ in range(5):
        login(client, "cashier1", "Wrong#pass1", ip="10.9.0.1", HTTP_X_FORWARDED_FOR="192.168.3.4")
    locked = login(client, "cashier1", PASSWORD, ip="10.9.0.1", HTTP_X_FORWARDED_FOR="192.168.3.4")
    assert locked.status_code == 429
    other = login(client, "cashier1", PASSWORD, ip="10.9.0.1", HTTP_X_FORWARDED_FOR="192.168.3.5")
    assert other.status_code == 302
