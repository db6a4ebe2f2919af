"""A cashier finds an item by pinyin initials as they type, and opens its versions."""

import datetime
import os
import re
from pathlib import Path

import pytest

from tests.catalog.conftest import DRUG, make_item, terms

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs in this thread

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
PASSWORD = "Huimin#2026pass"  # what tests.factories.make_staff sets

pytestmark = [
    pytest.mark.browser,
    # The live server reads from another thread: data must be committed; serialized
    # rollback brings back the migrations' rows after the flush.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def page(live_server, settings):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    project_static = settings.BASE_DIR / "huimin" / "static"
    dirs = [Path(d) for d in getattr(settings, "STATICFILES_DIRS", [])]
    if project_static not in dirs:
        settings.STATICFILES_DIRS = [*dirs, project_static]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(base_url=live_server.url, locale="zh-CN")
        tab = context.new_page()
        tab.set_default_timeout(10_000)
        failures = []
        tab.on("response", lambda r: failures.append(r.url) if r.status >= 400 else None)
        yield tab
        browser.close()
    assert not failures, failures


def test_cashier_searches_as_they_type(page, cashier, amino):
    from playwright.sync_api import expect

    make_item(DRUG, "drug", [(datetime.date(2020, 1, 1), None, terms("盐酸左氧氟沙星注射液", "A"))])
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.browser.conftest import totp_now

    # A county hospital's cashier reads beyond one village: a second factor too.
    device = TOTPDevice.objects.create(user=cashier, name="测试手机", confirmed=True)
    page.goto("/login/")
    page.get_by_label("用户名").fill("cashier")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    if "/2fa/" in page.url:
        page.get_by_label("动态口令").fill(totp_now(device))
        page.get_by_role("button", name="验证").click()
        page.wait_for_url(lambda url: "/2fa/" not in url)

    page.goto("/catalog/")
    results = page.locator("#results")
    expect(results).to_contain_text("盐酸左氧氟沙星注射液")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("查找").fill("ffaj")
    expect(results).not_to_contain_text("盐酸左氧氟沙星注射液")
    expect(results).to_contain_text("复方氨基酸注射液")
    assert page.evaluate("window.notReloaded") is True
    expect(page).to_have_url(re.compile(r"[?&]q=ffaj"))

    results.get_by_role("link", name="XB05BAA015B002010100445").click()
    expect(page.get_by_role("heading", name=re.compile("复方氨基酸注射液"))).to_be_visible()
    expect(page.locator("table")).to_contain_text("2025-12-31")
    expect(page.locator("tr[aria-current]")).to_contain_text("现行")
