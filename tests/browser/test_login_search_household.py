"""An officer logs in, finds a resident by pinyin initials, and follows them to their household."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from huimin.registry import services
from tests import factories
from tests.browser.conftest import SCREENSHOTS, log_in

pytestmark = [
    pytest.mark.browser,
    # The live server reads the database from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def zhang_family(officer):
    zhang = factories.make_person("张三")
    wang = factories.make_person("王芳", sex="2", birth=datetime.date(1982, 9, 30))
    son = factories.make_person("张小明", birth=datetime.date(2010, 6, 1))
    home = factories.make_household(zhang, others=[wang], relation="10")
    factories.make_household(son)
    # He moves in with his parents: his old household keeps the membership as history.
    services.do_move_member(officer, son.pk, home.pk, "20", "随父母居住", datetime.date(2024, 3, 1))
    factories.make_person("李四", village=factories.VILLAGES[2])
    return {"zhang": zhang, "wang": wang}


def test_officer_finds_resident_by_pinyin_and_sees_household(page, officer, zhang_family):
    log_in(page, officer)
    expect(page.get_by_role("heading", name="首页")).to_be_visible()
    expect(page.locator(".who")).to_contain_text("县医保经办人员")
    # The dashboard's counts arrive through htmx after the page.
    expect(page.locator(".stats")).to_contain_text("在册居民")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="居民").click()
    expect(page.get_by_role("heading", name="居民")).to_be_visible()
    page.evaluate("window.notReloaded = true")
    page.get_by_label("查找").fill("zs")
    results = page.locator("#results")
    expect(results.get_by_role("link", name="张三")).to_be_visible()
    expect(results).not_to_contain_text("李四")
    # Updated in place (the page was not reloaded) and the address bar follows the search.
    assert page.evaluate("window.notReloaded") is True
    expect(page).to_have_url(re.compile(r"[?&]q=zs"))
    page.screenshot(path=str(SCREENSHOTS / "huimin-person-search.png"), full_page=True)

    results.get_by_role("link", name="张三").click()
    expect(page.get_by_role("heading", name="张三")).to_be_visible()
    expect(page.locator("dl.fields")).to_contain_text(zhang_family["zhang"].id_number_masked)

    page.locator("section", has_text="现属家庭户").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name=re.compile("家庭户"))).to_be_visible()
    members = page.locator("#members")
    expect(members.get_by_role("row", name=re.compile("张三.*户主"))).to_be_visible()
    expect(members.get_by_role("row", name=re.compile("王芳.*配偶"))).to_be_visible()
    expect(members.get_by_role("row", name=re.compile("张小明.*子"))).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "huimin-household.png"), full_page=True)


def test_logout_ends_the_session(page, officer):
    log_in(page, officer)
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    page.goto("/registry/people/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    expect(page.get_by_role("button", name="登录")).to_be_visible()
