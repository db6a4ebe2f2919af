"""In Chromium: an officer's first login enrols a TOTP app from the page's QR code and
secret, then reaches the home page; a locked-out address sees the Chinese lockout page."""

import base64
import os
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# the test's own ORM calls as "called from an async context".
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
PASSWORD = "Huimin#2026pass"


@pytest.fixture
def tab(live_server):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(base_url=live_server.url, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        browser.close()


@pytest.fixture
def seeded():
    # A transactional test starts from a flushed database: put back what migrations seed.
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
    cache.clear()
    factories.make_regions()


def code_for(secret: str) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(base64.b32decode(secret))
    totp.time = time.time()
    return f"{totp.token():06d}"


def sign_in(tab, username, password=PASSWORD):
    tab.goto("/login/")
    tab.get_by_label("用户名").fill(username)
    tab.get_by_label("密码").fill(password)
    tab.get_by_role("button", name="登录").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_first_login_enrols_the_authenticator_and_reaches_home(tab, seeded):
    from tests import factories

    factories.make_staff("officer", "insurance_officer", factories.COUNTY)
    sign_in(tab, "officer")
    tab.wait_for_url("**/accounts/2fa/enrol/**")
    assert tab.locator(".qr svg").is_visible()
    secret = tab.locator("#secret").inner_text().strip()
    tab.get_by_label("动态口令").fill(code_for(secret))
    tab.get_by_role("button", name="确认绑定").click()
    tab.wait_for_url(lambda url: "/accounts/2fa/" not in url)
    tab.get_by_role("link", name="我的账号").click()
    assert tab.get_by_text("已绑定").is_visible()
    assert tab.get_by_role("cell", name="成功").first.is_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_locked_out_address_sees_the_lockout_page(tab, seeded):
    from tests import factories

    factories.make_staff("assessor1", "assessor", factories.COUNTY)
    for _ in range(5):
        sign_in(tab, "assessor1", "Wrong#pass1")
    assert tab.get_by_role("heading", name="账号已锁定").is_visible()
    sign_in(tab, "assessor1")
    assert tab.get_by_text("锁定期间即使密码正确也无法登录").is_visible()
