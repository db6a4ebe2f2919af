"""In a real browser: the security administrator finds an alert, is refused closing it
without a note, then closes it with one."""

import os
from pathlib import Path

import pytest

from huimin.audit.models import SecurityAlert
from tests import factories

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SHOTS = Path(os.environ.get("HUIMIN_SCREENSHOT_DIR", "/tmp"))  # noqa: S108 (test output)


def _session_cookie(user, live_server):
    """A logged-in session that has passed the second factor, as after the login page."""
    from django.conf import settings

    from huimin.accounts.testing import VerifiedClient

    client = VerifiedClient()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_closing_an_alert_needs_a_note(live_server):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    admin = factories.make_staff("secadmin", "security_admin", "430522")
    alert = SecurityAlert.objects.create(
        rule="failed_login_burst",
        severity="high",
        subject="ip:10.9.9.9",
        summary="IP 10.9.9.9 在 10 分钟内登录失败 7 次",
        details={"count": 7},
        dedupe_key="browser-1",
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context()
        context.add_cookies([_session_cookie(admin, live_server)])
        page = context.new_page()
        page.goto(f"{live_server.url}/audit/alerts/")
        page.get_by_role("link", name="安全告警").first.wait_for()
        page.screenshot(path=str(SHOTS / "audit-alert-list.png"), full_page=True)
        page.get_by_role("link", name=alert.summary).click()

        close = page.locator(f"form[action='/audit/alerts/{alert.pk}/close/']")
        close.locator("textarea").fill("   ")  # passes the browser's `required`, not ours
        close.get_by_role("button", name="关闭告警").click()
        page.get_by_text("关闭告警须填写处理说明").wait_for()
        alert.refresh_from_db()
        assert alert.status == "new"

        close = page.locator(f"form[action='/audit/alerts/{alert.pk}/close/']")
        close.locator("textarea").fill("已封禁该IP，核实为外部扫描")
        close.get_by_role("button", name="关闭告警").click()
        page.get_by_text("已封禁该IP，核实为外部扫描").wait_for()
        page.screenshot(path=str(SHOTS / "audit-alert-closed.png"), full_page=True)
        browser.close()

    alert.refresh_from_db()
    assert alert.status == "closed"
    assert alert.handled_by == admin
