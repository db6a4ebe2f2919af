"""A township clerk enrolls a household and takes a cash payment in the browser."""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from huimin.accounts.testing import VerifiedClient
from huimin.insurance.enrollment.models import Enrollment, Payment

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

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tab(live_server, settings):
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
        page = context.new_page()
        page.set_default_timeout(10_000)
        failures = []
        # The refused payment below answers 422 on purpose; anything else is a failure.
        page.on(
            "response",
            lambda r: (
                failures.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.status != 422
                else None
            ),
        )
        yield page
        browser.close()
    assert not failures, failures


def logged_in(tab, live_server, user):
    """The session of a clerk who passed the password and the second factor."""
    client = VerifiedClient()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    tab.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_enroll_and_pay_cash(tab, live_server, reference_data, township_clerk, this_year, family):
    from playwright.sync_api import expect

    logged_in(tab, live_server, township_clerk)
    tab.goto(f"/enrollment/?year={this_year.year}")
    tab.get_by_label("查找家庭户").fill("王父")
    tab.get_by_role("button", name="查找").click()
    tab.get_by_role("link", name=f"{this_year.year}年度参保缴费").click()
    expect(tab.locator("#members")).to_contain_text("未登记")
    tab.get_by_role("button", name=f"为所选成员登记{this_year.year}年度参保").click()
    expect(tab.locator(".messages")).to_contain_text("已登记 3 人")
    row = tab.locator(f"#member-{family['father'].pk}")
    expect(row).to_contain_text("待缴费")
    # A wrong amount is refused with the reason; what was typed stays.
    row.get_by_label("金额（元）").fill("300")
    row.get_by_label("票据号").fill("XS-0001")
    row.get_by_role("button", name="收取现金").click()
    expect(tab.locator(".error-box")).to_contain_text("个人应缴400.00元")
    row = tab.locator(f"#member-{family['father'].pk}")
    expect(row.get_by_label("票据号")).to_have_value("XS-0001")
    row.get_by_label("金额（元）").fill("400.00")
    row.get_by_role("button", name="收取现金").click()
    expect(tab.locator(".messages")).to_contain_text("已收取 王父 个人缴费 400.00 元")
    expect(tab.locator(f"#member-{family['father'].pk}")).to_contain_text("已缴费")
    assert Enrollment.objects.get(person=family["father"]).status == "paid"
    assert Payment.objects.get(enrollment__person=family["father"]).receipt_no == "XS-0001"
