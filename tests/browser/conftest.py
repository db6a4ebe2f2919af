"""Headless Chromium (Debian's, never a downloaded one) against pytest-django's live server."""

import os
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


@pytest.fixture(scope="session")
def browser(django_db_setup):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    opened = connections.all(initialized_only=True)
    with sync_playwright() as playwright:
        # From here on the tests run in Playwright's contextvars context, where Django's
        # context-local connections start empty; without the hand-over a fresh connection
        # lacks the test database's snapshot and serialized_rollback silently restores nothing.
        for connection in opened:
            connections[connection.alias] = connection
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def project_static(settings):
    """Serve huimin/static (htmx, the stylesheet) even while settings.py does not list it.

    A stopgap so the browser flows can be checked: tests/registry/test_pages_static.py
    fails until STATICFILES_DIRS includes it, and this becomes a no-op once it does.
    """
    project_dir = settings.BASE_DIR / "huimin" / "static"
    dirs = [Path(d) for d in getattr(settings, "STATICFILES_DIRS", [])]
    if project_dir not in dirs:
        settings.STATICFILES_DIRS = [*dirs, project_dir]


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) per test; fails the test on any 4xx/5xx."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 860}
    )
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    failures = []
    tab.on(
        "response",
        lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    yield tab
    context.close()
    assert not failures, f"failed requests: {failures}"


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)
