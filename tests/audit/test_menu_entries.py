"""The audit menu: 审计查询 for audit.read, 安全告警 for alerts.manage, 业务提醒 for the
audiences of business notices (the officer, through mediation.manage), nothing for others."""

import pytest

from huimin.oversight.nav import menu_items


def labels(user):
    return [item["label"] for item in menu_items(user, user.staff.role)]


@pytest.mark.django_db
def test_menu_entries_follow_permissions(auditor, security_admin, officer, township_clerk):
    assert labels(auditor) == ["审计查询"]
    assert labels(security_admin) == ["安全告警"]
    assert labels(officer) == ["业务提醒"]
    assert labels(township_clerk) == []


@pytest.mark.django_db
def test_the_auditor_sees_the_entry_in_the_page_menu(client, auditor):
    client.force_login(auditor)
    page = client.get("/audit/").content.decode()
    assert 'href="/audit/"' in page and "审计查询" in page
