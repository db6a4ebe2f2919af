"""Retention and appraisal dates, worked by hand; the four-eyes rule; name masking."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from huimin.core.names import mask_name
from huimin.records import archive_rules as rules
from huimin.records import conf

D = dt.date


def test_retention_runs_fifteen_years_from_closing_by_default(monkeypatch):
    monkeypatch.delenv("HUIMIN_RECORD_RETENTION_YEARS", raising=False)
    assert conf.retention_years() == 15
    # Closed 2010-06-01 + 15 years = 2025-06-01: eligible that day, not the day before.
    assert rules.eligible_on(D(2010, 6, 1), 15) == D(2025, 6, 1)
    assert rules.is_eligible(D(2010, 6, 1), D(2025, 6, 1), 15)
    assert not rules.is_eligible(D(2010, 6, 1), D(2025, 5, 31), 15)
    assert not rules.is_eligible(None, D(2099, 1, 1), 15)


def test_a_record_closed_on_29_february_is_kept_until_1_march():
    # 2012-02-29 + 15 years: 2027 has no 29 February, so the record waits a day longer.
    assert rules.eligible_on(D(2012, 2, 29), 15) == D(2027, 3, 1)
    assert not rules.is_eligible(D(2012, 2, 29), D(2027, 2, 28), 15)
    # 2012-02-29 + 16 years lands on 2028-02-29, a real day.
    assert rules.eligible_on(D(2012, 2, 29), 16) == D(2028, 2, 29)


def test_the_indexed_cutoff_agrees_with_the_rule_on_every_day_around_leap_years():
    for years in (1, 4, 15):
        on = D(2027, 1, 1)
        while on < D(2029, 1, 1):
            cutoff = rules.latest_eligible_closing(on, years)
            near = [cutoff + dt.timedelta(days=k) for k in range(-2, 3)]
            for closed in [*near, D(2012, 2, 29), D(2024, 2, 29), D(2027, 2, 28)]:
                assert (closed <= cutoff) == rules.is_eligible(closed, on, years), (on, closed)
            on += dt.timedelta(days=1)


def test_the_retention_setting_is_read_strictly(monkeypatch):
    monkeypatch.setenv("HUIMIN_RECORD_RETENTION_YEARS", "30")
    assert conf.retention_years() == 30
    monkeypatch.setenv("HUIMIN_RECORD_RETENTION_YEARS", "10")
    with pytest.raises(ImproperlyConfigured, match="HUIMIN_RECORD_RETENTION_YEARS"):
        conf.retention_years()
    monkeypatch.setenv("HUIMIN_RECORD_RETENTION_YEARS", "fifteen")
    with pytest.raises(ImproperlyConfigured):
        conf.retention_years()


def test_two_approvals_by_two_people_neither_the_requester():
    def problem(status, approver, first=None):
        refusal = rules.approval_problem(
            status=status, requester_id=1, first_approver_id=first, approver_id=approver
        )
        return refusal and refusal.code

    assert problem("requested", 1) == "self_approval"
    assert problem("requested", 2) is None
    assert problem("first_approved", 2, first=2) == "same_approver"
    assert problem("first_approved", 1, first=2) == "self_approval"
    assert problem("first_approved", 3, first=2) is None
    assert problem("destroyed", 3, first=2) == "destruction_not_pending"
    assert problem("refused", 3) == "destruction_not_pending"


def test_closing_dates_and_reasons():
    today, opened = D(2026, 11, 24), D(2020, 1, 1)

    def errors(reason, closed_on, death=None):
        return rules.close_problems(
            reason, closed_on, today=today, opened_on=opened, death_date=death
        )

    assert errors("death", D(2026, 3, 2), death=D(2026, 3, 1)) == {}
    assert "reason" in errors("death", D(2026, 3, 2))  # no death in the registry
    assert "closed_on" in errors("death", D(2026, 2, 28), death=D(2026, 3, 1))
    assert "closed_on" in errors("emigration", D(2026, 11, 25))
    assert "closed_on" in errors("other", D(2019, 12, 31))
    assert "reason" in errors("lost", D(2026, 1, 1))


def test_names_are_masked_for_the_register():
    assert mask_name("王大爷") == "王**"
    assert mask_name("李四") == "李*"
    assert mask_name("欧") == "欧*"
    assert mask_name("") == ""


def test_work_lists_keep_the_last_character_registers_do_not():
    assert mask_name("王大爷", keep_last=True) == "王*爷"
    assert mask_name("李四", keep_last=True) == "李*"
    assert mask_name("欧阳娜娜", keep_last=True) == "欧**娜"
    assert mask_name("欧阳娜娜") == "欧***"
