"""`huimin disable-dormant-accounts` disables accounts unused for HUIMIN_DORMANT_DAYS."""

import datetime
import io

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from huimin.audit.models import AuditEvent
from tests import factories

User = get_user_model()


def run() -> str:
    out = io.StringIO()
    call_command("disable_dormant_accounts", stdout=out)
    return out.getvalue()


def test_unused_and_never_used_old_accounts_are_disabled(county, monkeypatch):
    monkeypatch.setenv("HUIMIN_DORMANT_DAYS", "90")
    now = timezone.now()
    old = factories.make_staff("old", "assessor", factories.COUNTY)
    never = factories.make_staff("never", "assessor", factories.COUNTY)
    recent = factories.make_staff("recent", "assessor", factories.COUNTY)
    new = factories.make_staff("newbie", "assessor", factories.COUNTY)
    User.objects.filter(pk=old.pk).update(
        last_login=now - datetime.timedelta(days=91), date_joined=now - datetime.timedelta(days=400)
    )
    User.objects.filter(pk=never.pk).update(date_joined=now - datetime.timedelta(days=91))
    User.objects.filter(pk=recent.pk).update(
        last_login=now - datetime.timedelta(days=89), date_joined=now - datetime.timedelta(days=400)
    )
    User.objects.filter(pk=new.pk).update(date_joined=now - datetime.timedelta(days=10))
    out = run()
    active = dict(User.objects.values_list("username", "is_active"))
    assert active == {"old": False, "never": False, "recent": True, "newbie": True}
    assert "共停用 2 个" in out
    assert AuditEvent.objects.filter(action="suspend", reason="dormant").count() == 2


def test_the_period_comes_from_the_environment(county, monkeypatch):
    user = factories.make_staff("old", "assessor", factories.COUNTY)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now() - datetime.timedelta(days=31))
    monkeypatch.setenv("HUIMIN_DORMANT_DAYS", "60")
    run()
    assert User.objects.get(pk=user.pk).is_active
    monkeypatch.setenv("HUIMIN_DORMANT_DAYS", "30")
    run()
    assert not User.objects.get(pk=user.pk).is_active
