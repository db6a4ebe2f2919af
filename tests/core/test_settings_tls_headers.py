"""With HUIMIN_PUBLIC_URL on https: Secure, SameSite cookies and HSTS; CSP always, and
HUIMIN_PASSWORD_MIN_LENGTH read strictly (never below 10)."""

import base64
import json
import os
import subprocess
import sys

GOOD_KEY = base64.b64encode(b"k" * 32).decode()
PRINT = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
    "s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE, s.HUIMIN_TLS, "
    "s.AUTH_PASSWORD_VALIDATORS[0]['OPTIONS']['min_length']]))"
)


def start(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUIMIN_")}
    clean.update(
        {
            "HUIMIN_ENV_FILE": os.devnull,
            "DJANGO_SETTINGS_MODULE": "huimin.settings",
            "HUIMIN_SECRET_KEY": "s" * 40,
            "HUIMIN_FIELD_KEY": GOOD_KEY,
            "HUIMIN_AUDIT_KEY": GOOD_KEY,
        }
    )
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", PRINT], env=clean, capture_output=True, text=True, timeout=60
    )


def test_https_public_url_makes_cookies_secure_and_samesite():
    r = start({"HUIMIN_PUBLIC_URL": "https://yb.xinshao.example"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [True, True, "Lax", "Lax", True, 10]


def test_plain_http_keeps_cookies_usable_on_the_demo():
    r = start({"HUIMIN_PUBLIC_URL": "http://127.0.0.1:8000", "HUIMIN_PASSWORD_MIN_LENGTH": "12"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [False, False, "Lax", "Lax", False, 12]


def test_a_minimum_length_below_ten_refuses_to_start():
    r = start({"HUIMIN_PASSWORD_MIN_LENGTH": "8"})
    assert r.returncode != 0
    assert "HUIMIN_PASSWORD_MIN_LENGTH" in r.stderr


def test_hsts_only_when_the_public_url_is_https(client, settings, db):
    settings.HUIMIN_TLS = False
    plain = client.get("/login/")
    assert "Strict-Transport-Security" not in plain.headers
    settings.HUIMIN_TLS = True
    secure = client.get("/login/")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_every_page_carries_a_script_policy_without_inline_scripts(client, db):
    policy = client.get("/login/").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
