"""In the browser: one officer uploads next year's plan and a second activates it; the
same two clear a month. Screenshots go to HUIMIN_SCREENSHOT_DIR (default /tmp)."""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from huimin.accounts.testing import VerifiedClient
from huimin.insurance.models import BenefitPlan, ClearingBatch
from tests.insurance.officer_support import settle_outpatient
from tests.insurance.test_officer_plan_upload import next_year_text

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
SCREENSHOTS = Path(os.environ.get("HUIMIN_SCREENSHOT_DIR", "/tmp"))  # noqa: S108 (test output)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reference_data(transactional_db):
    """What the migrations seed and an earlier transactional test's flush wiped: the
    national region codes and the roles' permissions."""
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


@pytest.fixture
def browser(live_server):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


def tab_for(browser, live_server, user, failures):
    """A tab with the session of an officer who passed the password and the second factor."""
    client = VerifiedClient()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.on(
        "response",
        lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    return tab


def test_two_officers_activate_a_plan_and_clear_a_month(
    browser, live_server, reference_data, insured
):
    from playwright.sync_api import expect

    failures = []
    first = tab_for(browser, live_server, insured.officer, failures)
    first.goto("/insurance/plans/upload/")
    first.locator("textarea[name=document]").fill(next_year_text(**{'"2": "0.80"': '"2": "0.85"'}))
    first.get_by_role("button", name="校验并上传").click()
    expect(first.locator(".messages")).to_contain_text("待另一位经办人员复核启用")
    expect(first.locator("#four-eyes")).to_contain_text("须由另一位经办人员启用")
    expect(first.get_by_role("button", name="复核启用")).to_have_count(0)
    plan = BenefitPlan.objects.get(year=2027)

    second = tab_for(browser, live_server, insured.second_officer, failures)
    second.goto(f"/insurance/plans/{plan.pk}/")
    expect(second.locator("#comparison tr.changed")).to_have_count(1)
    expect(second.locator("#comparison tr.changed")).to_contain_text("0.85")
    second.screenshot(path=str(SCREENSHOTS / "officer-plan-comparison.png"), full_page=True)
    second.get_by_role("button", name="复核启用").click()
    expect(second.locator(".messages")).to_contain_text("方案已启用")
    plan.refresh_from_db()
    assert (plan.status, plan.activated_by) == ("active", insured.second_officer)

    settle_outpatient(insured, "MZ1")
    first.goto("/insurance/clearing/")
    first.get_by_label("医疗机构").first.select_option(str(insured.hospital.pk))
    first.locator("#create input[name=month]").fill("2026-03")
    first.get_by_role("button", name="生成清算批次").click()
    expect(first.locator(".messages")).to_contain_text("清算批次已生成")
    first.get_by_role("button", name="审核通过").click()
    expect(first.locator("#four-eyes")).to_contain_text("须由另一位经办人员复核")
    batch = ClearingBatch.objects.get()
    second.goto(f"/insurance/clearing/{batch.pk}/")
    second.get_by_role("button", name="复核拨付").click()
    expect(second.locator("#status")).to_have_text("已复核拨付")
    batch.refresh_from_db()
    expect(second.locator("#payment-reference")).to_have_text(batch.payment_reference)
    second.screenshot(path=str(SCREENSHOTS / "officer-clearing-confirmed.png"), full_page=True)
    second.goto("/insurance/settlements/?date_from=2026-03-01&date_to=2026-03-31")
    expect(second.locator("#settlements tbody tr")).to_have_count(1)
    second.screenshot(path=str(SCREENSHOTS / "officer-settlements.png"), full_page=True)
    second.goto("/insurance/ledger/?year=2026")
    expect(second.locator("#balanced")).to_contain_text("平衡")
    second.screenshot(path=str(SCREENSHOTS / "officer-ledger.png"), full_page=True)
    assert not failures, failures
