"""The demo's second insurance officer (officer2) is a demo account like officer: it logs
in with the demo password and `huimin demo-totp officer2`, so four-eyes steps (plan
activation, clearing confirmation) can be shown from a fresh `make demo`."""

import datetime
import io

import pytest
from django.core.management import call_command

from huimin.accounts.demo import DEMO_PASSWORD
from huimin.insurance.models import BenefitPlan
from huimin.insurance.seed.plan import seed_plan
from tests.accounts.conftest import login


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    call_command(
        "generate",
        residents=50,
        seed=7,
        as_of=datetime.date(2026, 11, 24),
        no_progress=True,
        stdout=out,
    )
    call_command("demo_accounts", stdout=out)
    return out.getvalue()


def test_officer2_logs_in_with_the_demo_password_and_code(demo, client, monkeypatch):
    assert "officer2" in demo
    monkeypatch.setenv("HUIMIN_DEMO", "1")
    out = io.StringIO()
    call_command("demo_totp", "officer2", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    response = login(client, "officer2", DEMO_PASSWORD)
    assert response["Location"].startswith("/accounts/2fa/")
    assert client.post("/accounts/2fa/", {"code": code}).status_code == 302
    assert client.get("/insurance/plans/").status_code == 200


def test_the_seeded_plan_is_activated_by_that_account(demo):
    seed_plan("430522", 2026)
    plan = BenefitPlan.objects.get()
    assert (plan.uploaded_by.username, plan.activated_by.username) == ("officer", "officer2")
    assert plan.activated_by.check_password(DEMO_PASSWORD)
