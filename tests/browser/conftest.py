"""Headless Chromium (Debian's, never a downloaded one) against pytest-django's live server."""

import os
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# the test's own ORM calls as "called from an async context".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
# Root on a closed network: no sandbox, and no attempts to reach outside hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "Huimin#2026pass"  # what tests.factories.make_staff sets
SCREENSHOTS = Path(os.environ.get("HUIMIN_SCREENSHOT_DIR", "/tmp"))  # noqa: S108 (test output)


# Package scope: Playwright's sync API allows one running instance per thread, and other
# suites' browser tests start their own after this package is done.
@pytest.fixture(scope="package")
def browser(django_db_setup):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    opened = connections.all(initialized_only=True)
    with sync_playwright() as playwright:
        # From here on the tests run in Playwright's contextvars context, where Django's
        # context-local connections start empty: hand over the test database's connections
        # so the tests, the fixtures and the live server all use the same ones.
        for connection in opened:
            connections[connection.alias] = connection
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Put back what the migrations seed and every transactional test's flush wipes: the
    national region codes and the roles' permissions. (serialized_rollback cannot be used:
    after another suite's flush, post_migrate recreates content types under new ids and
    restoring the snapshot fails on them.)"""
    from django.core.cache import cache

    from huimin.policy.permissions import DEFAULT_GRANTS
    from huimin.registry.models import Region, RolePermission
    from huimin.registry.regions import load_national
    from tests import factories

    if not Region.objects.filter(code=factories.COUNTY).exists():
        load_national(Region)
    RolePermission.objects.bulk_create(
        [RolePermission(role=r, permission=p) for r, ps in DEFAULT_GRANTS.items() for p in ps],
        ignore_conflicts=True,
    )
    cache.clear()  # role grants are cached; entries from before a flush would be stale


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) per test; fails the test on any 4xx/5xx."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 860}
    )
    tab = context.new_page()
    # Generous: CI shares two cores with PostgreSQL and the live server.
    tab.set_default_timeout(25_000)
    failures = []
    tab.on(
        "response",
        lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    yield tab
    context.close()
    assert not failures, f"failed requests: {failures}"


def totp_now(device) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def log_in(page, user, password: str = PASSWORD) -> None:
    """Password, then the TOTP code when the role needs a second factor (an officer does)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="测试手机", confirmed=True)
    page.goto("/")
    page.get_by_label("用户名").fill(user.get_username())
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    if "/2fa/" in page.url:
        page.get_by_label("动态口令").fill(totp_now(device))
        page.get_by_role("button", name="验证").click()
        page.wait_for_url(lambda url: "/2fa/" not in url)
