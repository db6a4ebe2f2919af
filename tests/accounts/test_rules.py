"""The pure account rules, without a database."""

import datetime

import pytest

from huimin.accounts import rules

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)


def test_password_expiry_boundary():
    assert not rules.password_expired(NOW - datetime.timedelta(days=89, hours=23), NOW, 90)
    assert rules.password_expired(NOW - datetime.timedelta(days=90), NOW, 90)
    assert rules.password_expired(None, NOW, 90)


def test_dormancy_counts_from_last_use_or_creation():
    old = NOW - datetime.timedelta(days=91)
    assert rules.is_dormant(old, NOW - datetime.timedelta(days=400), NOW, 90)
    assert rules.is_dormant(None, old, NOW, 90)
    assert not rules.is_dormant(None, NOW - datetime.timedelta(days=5), NOW, 90)
    assert not rules.is_dormant(NOW - datetime.timedelta(days=1), old, NOW, 90)


def test_usernames():
    assert rules.check_username("wangwei") is None
    assert rules.check_username("wang.wei-2") is None
    for bad in ["Admin", "ROOT", "ab", "1abc", "wang wei", "王伟", "a" * 31, ""]:
        assert rules.check_username(bad) is not None, bad


def test_staff_place():
    ok = rules.check_staff_place("cashier", "430522", "430522100", "430522", True)
    assert ok == {}
    assert "institution" in rules.check_staff_place("doctor", "430522", None, "430522", True)
    assert "jurisdiction" in rules.check_staff_place("assessor", "4305", None, "430522", True)
    assert "role" in rules.check_staff_place("janitor", "430522", None, "430522", True)


def test_loan_decisions():
    kwargs = dict(
        approver_jurisdiction="430522101", person_village="430522101201", may_approve=True
    )
    assert rules.decision_problem(approver_id=2, requester_id=1, **kwargs) is None
    assert "自己" in rules.decision_problem(approver_id=1, requester_id=1, **kwargs)
    kwargs["approver_jurisdiction"] = "430522100"
    assert "辖区" in rules.decision_problem(approver_id=2, requester_id=1, **kwargs)


def test_loan_activity_window():
    start, end = NOW - datetime.timedelta(days=1), NOW + datetime.timedelta(days=1)
    assert rules.loan_is_active("approved", start, end, NOW)
    assert not rules.loan_is_active("approved", start, NOW, NOW)
    assert not rules.loan_is_active("ended", start, end, NOW)
    assert not rules.loan_is_active("requested", None, None, NOW)


def test_second_factor_roles():
    county, village = "430522", "430522100201"
    assert rules.needs_second_factor("system_admin", frozenset(), False, village)
    assert rules.needs_second_factor("assessor", frozenset({"person.unmask_id"}), False, village)
    assert rules.needs_second_factor("assessor", frozenset({"person.read"}), False, county)
    assert not rules.needs_second_factor("assessor", frozenset({"person.read"}), False, village)
    assert rules.needs_second_factor(None, frozenset(), True)
    assert not rules.needs_second_factor(None, frozenset(), False)


# ---------------------------------------------------------------- privileged accounts

READS = frozenset({"person.read"})


@pytest.mark.parametrize(
    "role, jurisdiction, perms, privileged",
    [
        ("audit_admin", "430522100201", frozenset({"audit.read"}), True),  # any reach
        ("system_admin", "430522", frozenset(), True),
        ("insurance_officer", "430522", READS, True),
        ("insurance_officer", "4305", READS, True),  # a city is wider still
        ("insurance_officer", "430522100", READS, False),  # one township
        ("township_clerk", "430522", READS, True),
        ("assessor", "430522", frozenset({"catalog.read"}), False),  # reads no one
        ("cashier", "430522", READS, False),  # scoped to the institution
        ("assessor", None, READS, True),  # unknown reach fails closed
        (None, "430522", READS, False),
    ],
)
def test_privileged_accounts_follow_role_permissions_and_reach(
    role, jurisdiction, perms, privileged
):
    assert rules.is_privileged(role, jurisdiction, perms) is privileged


def test_four_eyes_needs_someone_other_than_the_author_and_the_subject():
    assert rules.four_eyes(actor_id=1, requester_id=1, target_id=None)
    assert rules.four_eyes(actor_id=2, requester_id=1, target_id=2)
    assert rules.four_eyes(actor_id=3, requester_id=1, target_id=2) is None
    assert rules.four_eyes(actor_id=3, requester_id=1, target_id=None) is None
