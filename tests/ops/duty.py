"""Helpers for duty-log tests: administrators and entries written through the service."""

import datetime

from django.utils import timezone

from huimin.ops import rules, services
from huimin.ops.models import DutyEntry
from tests import factories


def admin(username="sysadmin", role="system_admin", jurisdiction=factories.COUNTY):
    return factories.make_staff(username, role, jurisdiction)


ROUTINE = "巡检：核心交换机、防火墙、VPN网关运行正常"


def write(user, kind="routine", text=ROUTINE, **extra) -> DutyEntry:
    data = {
        "shift_date": timezone.localdate(),
        "shift": "day",
        "kind": kind,
        "text": text,
        "severity": "general" if kind == "incident" else "",
        **extra,
    }
    return services.do_create_duty_entry(user, rules.EntryInput(**data))


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)
