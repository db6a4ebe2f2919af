"""In Chromium: an officer enters an institution's application, a second officer reviews
it, the security administrator approves it, issues a credential and registers the
institution's public key; the institution's system then gets a token and calls whoami;
after the administrator suspends access in the browser, the same call is refused."""

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from joserfc import jwt

from huimin.access import conf
from tests import factories
from tests.access import helpers

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# the test's own ORM calls as "called from an async context".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
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
TERMINAL = "HIS-BROWSER-01"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser(django_db_setup):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    opened = connections.all(initialized_only=True)
    with sync_playwright() as playwright:
        # Playwright runs the test in its own contextvars context, where Django's
        # connections start empty; hand the test database's connections over.
        for connection in opened:
            connections[connection.alias] = connection
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def open_tab(browser, live_server):
    """Fresh browser contexts (one per person, no shared cookies); any 4xx/5xx fails."""
    contexts, failures = [], []

    def open_():
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        tab.on(
            "response",
            lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        return tab

    yield open_
    for context in contexts:
        context.close()
    assert not failures, f"failed requests: {failures}"


def with_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="手机", confirmed=True)


def totp_now(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def log_in(tab, user, device: TOTPDevice) -> None:
    """Password, then the TOTP second factor when the account asks for it."""
    tab.goto("/")
    tab.get_by_label("用户名").fill(user.username)
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    tab.wait_for_url(lambda url: "/login/" not in url)
    if "/accounts/2fa/" in tab.url:
        tab.get_by_label("动态口令").fill(totp_now(device))
        tab.get_by_role("button", name="验证").click()
        tab.wait_for_url(lambda url: "/accounts/2fa/" not in url)


def open_application(tab, app_id: int) -> None:
    tab.get_by_role("navigation", name="主导航").get_by_role("link", name="接入管理").click()
    tab.get_by_role("link", name=f"#{app_id}", exact=True).click()
    tab.wait_for_url(f"**/access/applications/{app_id}/")


def call(url: str, *, data: dict | None = None, headers: dict) -> tuple[int, dict]:
    """The institution's system: plain HTTP, no browser, no cookies."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 (live_server)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def get_token(base: str, client_id: str, key) -> tuple[int, dict]:
    now = int(time.time())
    assertion = jwt.encode(
        {"alg": "ES256", "kid": key.kid},
        {
            "iss": client_id,
            "sub": client_id,
            "aud": conf.token_audience(),
            "exp": now + 240,
            "iat": now,
            "jti": uuid.uuid4().hex,
        },
        key,
    )
    return call(
        f"{base}/api/v1/access/token",
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
        headers={"X-Huimin-Terminal": TERMINAL},
    )


def whoami(base: str, token: str) -> tuple[int, dict]:
    return call(
        f"{base}/api/v1/access/whoami",
        headers={"Authorization": f"Bearer {token}", "X-Huimin-Terminal": TERMINAL},
    )


def test_onboard_call_and_suspend(open_tab, live_server, settings):
    settings.HUIMIN_PUBLIC_URL = live_server.url
    factories.make_regions()
    institution = factories.make_institution("新邵县人民医院")
    officer = factories.make_staff("officer_a", "insurance_officer")
    reviewer = factories.make_staff("officer_b", "insurance_officer")
    admin = factories.make_staff("secadmin", "security_admin")
    devices = {u.pk: with_device(u) for u in (officer, reviewer, admin)}
    key = helpers.new_key("his-2026")  # the institution's; only its public half leaves

    # 1. The officer enters the application on the institution's behalf.
    tab = open_tab()
    log_in(tab, officer, devices[officer.pk])
    tab.get_by_role("navigation", name="主导航").get_by_role("link", name="接入管理").click()
    tab.get_by_role("link", name="录入接入申请").click()
    tab.get_by_label("医疗机构").select_option(
        label=f"新邵县人民医院（{institution.insurance_code}）"
    )
    tab.get_by_label("申请类型").select_option("institution")
    tab.get_by_label("负责人", exact=True).fill("王主任")
    tab.get_by_label("负责人电话").fill("13807391234")
    # The live server on localhost sees the test's calls coming from loopback.
    tab.get_by_label("网络地址段").fill("127.0.0.0/8\n::1/128\n10.1.2.0/24")
    tab.get_by_label("终端（每行").fill(f"{TERMINAL} 门诊收费1号窗口")
    tab.get_by_label("医保结算").check()
    tab.get_by_label("目录查询").check()
    tab.get_by_role("button", name="提交申请").click()
    tab.wait_for_url("**/access/applications/*/")
    assert tab.locator("#app-status").inner_text() == "已提交"
    app_id = int(tab.url.rstrip("/").rsplit("/", 1)[1])
    assert tab.get_by_role("button", name="初审通过").count() == 0  # not one's own

    # 2. A second officer reviews it.
    tab = open_tab()
    log_in(tab, reviewer, devices[reviewer.pk])
    open_application(tab, app_id)
    tab.get_by_role("button", name="初审通过").click()
    tab.wait_for_load_state()
    assert tab.locator("#app-status").inner_text() == "已初审"
    assert tab.get_by_role("button", name="复核批准").count() == 0

    # 3. The security administrator approves, issues a credential, registers the key.
    admin_tab = open_tab()
    log_in(admin_tab, admin, devices[admin.pk])
    open_application(admin_tab, app_id)
    admin_tab.get_by_role("button", name="复核批准").click()
    admin_tab.wait_for_url(f"**/access/institutions/{institution.pk}/")
    assert admin_tab.locator("#access-status").inner_text() == "正常"
    admin_tab.get_by_role("button", name="签发新凭证").click()
    admin_tab.wait_for_load_state()
    client_id = admin_tab.locator(".client-id").first.inner_text()
    assert client_id.startswith("hm-")
    credential = admin_tab.locator(".credential").first
    credential.get_by_label("JWK Set（公钥）").fill(helpers.public_jwks(key))
    credential.get_by_role("button", name="登记公钥").click()
    admin_tab.wait_for_load_state()
    assert "已登记1个公钥" in admin_tab.locator(".messages").inner_text()
    assert credential.get_by_role("cell", name="his-2026", exact=True).count() == 1

    # 4. The institution's system gets a token and calls the API.
    status, body = get_token(live_server.url, client_id, key)
    assert status == 200, body
    token = body["access_token"]
    status, body = whoami(live_server.url, token)
    assert status == 200, body
    assert body["institution"]["name"] == "新邵县人民医院"
    assert body["terminal"] == TERMINAL
    assert body["scopes"] == ["catalog.read", "settlement"]

    # 5. Suspended in the browser: the very next call with the same token is refused.
    admin_tab.get_by_label("暂停理由").fill("违规收费核查")
    admin_tab.get_by_role("button", name="暂停接入").click()
    admin_tab.wait_for_load_state()
    assert admin_tab.locator("#access-status").inner_text() == "已暂停"
    status, body = whoami(live_server.url, token)
    assert status == 403
    assert body["error"]["code"] == "institution_suspended"
    status, body = get_token(live_server.url, client_id, key)
    assert (status, body["error"]["code"]) == (403, "institution_suspended")
