"""Each alert rule as a pure function over hand-made rows."""

import datetime

from huimin.oversight import rules
from huimin.oversight.rules import DailyCount, IpFirstSeen, Row, RuleConfig

TZ = rules.LOCAL_TZ
T0 = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


def minutes(n):
    return T0 + datetime.timedelta(minutes=n)


# ---------------------------------------------------------------- (a)


def test_failed_logins_at_the_threshold_within_the_window_raise_one_finding():
    rows = [
        Row(at=minutes(i), action="login_failed", object_id="zhang", source_ip=f"10.0.0.{i}")
        for i in range(5)
    ]
    found = rules.failed_login_burst(rows, RuleConfig(threshold=5, window_minutes=10))
    assert [f.subject for f in found] == ["user:zhang"]
    assert found[0].details["count"] == 5


def test_failed_logins_spread_wider_than_the_window_raise_nothing():
    rows = [Row(at=minutes(i * 4), action="login_failed", object_id="zhang") for i in range(5)]
    assert rules.failed_login_burst(rows, RuleConfig(5, 10)) == []


def test_one_ip_trying_many_usernames_is_a_burst():
    rows = [
        Row(at=minutes(i), action="login_failed", object_id=f"user{i}", source_ip="10.9.9.9")
        for i in range(6)
    ]
    found = rules.failed_login_burst(rows, RuleConfig(5, 10))
    assert [f.subject for f in found] == ["ip:10.9.9.9"]


def test_a_long_burst_is_one_finding_per_window_and_keys_are_stable():
    rows = [Row(at=minutes(i * 0.5), action="login_failed", object_id="li") for i in range(12)]
    cfg = RuleConfig(5, 10)
    first = rules.failed_login_burst(rows, cfg)
    again = rules.failed_login_burst(rows[:8], cfg)
    assert len(first) == 1
    assert again[0].dedupe_key == first[0].dedupe_key


def test_successful_logins_do_not_count():
    rows = [Row(at=minutes(i), action="login", object_id="zhang") for i in range(9)]
    assert rules.failed_login_burst(rows, RuleConfig(5, 10)) == []


# ---------------------------------------------------------------- (b)

TODAY = datetime.date(2026, 3, 2)


def _history(actor, per_day, today_count, days=30):
    counts = [
        DailyCount(actor, f"u{actor}", TODAY - datetime.timedelta(days=d), per_day)
        for d in range(1, days + 1)
    ]
    return [*counts, DailyCount(actor, f"u{actor}", TODAY, today_count)]


def test_reads_far_above_the_accounts_median_and_above_the_floor_are_bulk():
    cfg = RuleConfig(5, 1440, {"floor": 200, "baseline_days": 30})
    found = rules.bulk_reads(_history(1, 80, 500), TODAY, cfg)
    assert [f.subject for f in found] == ["user:u1"]
    assert found[0].details["median"] == "80"


def test_a_busy_but_usual_day_is_not_bulk():
    cfg = RuleConfig(5, 1440, {"floor": 200, "baseline_days": 30})
    assert rules.bulk_reads(_history(1, 150, 600), TODAY, cfg) == []


def test_below_the_floor_is_never_bulk_even_for_a_new_account():
    cfg = RuleConfig(5, 1440, {"floor": 200, "baseline_days": 30})
    assert rules.bulk_reads([DailyCount(7, "new", TODAY, 150)], TODAY, cfg) == []
    found = rules.bulk_reads([DailyCount(7, "new", TODAY, 201)], TODAY, cfg)
    assert [f.dedupe_key for f in found] == ["bulk_reads:7:2026-03-02"]


# ---------------------------------------------------------------- (c)


def _read_at(hour, minute=0, actor=3, day=2):
    at = datetime.datetime(2026, 3, day, hour, minute, tzinfo=TZ)
    return Row(at=at, action="read", actor_id=actor, actor_username="night", object_id="9")


def test_reads_inside_working_hours_are_fine():
    cfg = RuleConfig(1, 1440, {"work_start": "06:00", "work_end": "22:00"})
    rows = [_read_at(6), _read_at(12), _read_at(21, 59)]
    assert rules.off_hours_reads(rows, cfg) == []


def test_reads_at_night_raise_one_finding_per_account_per_night():
    cfg = RuleConfig(1, 1440, {"work_start": "06:00", "work_end": "22:00"})
    rows = [_read_at(22, 30), _read_at(23, 10), _read_at(2, 0, day=3)]
    found = rules.off_hours_reads(rows, cfg)
    assert len(found) == 1
    assert found[0].details["count"] == 3
    assert found[0].dedupe_key == "off_hours_reads:3:2026-03-02"


def test_night_hours_are_judged_in_beijing_time_not_utc():
    cfg = RuleConfig(1, 1440, {"work_start": "06:00", "work_end": "22:00"})
    # 15:00 UTC is 23:00 in Beijing.
    at = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)
    found = rules.off_hours_reads([Row(at=at, action="read", actor_id=1)], cfg)
    assert len(found) == 1


def test_the_off_hours_threshold_counts_reads():
    cfg = RuleConfig(3, 1440, {"work_start": "06:00", "work_end": "22:00"})
    assert rules.off_hours_reads([_read_at(23), _read_at(23, 5)], cfg) == []


# ---------------------------------------------------------------- (d)


def test_a_credential_used_from_a_new_ip_is_a_finding():
    since = minutes(0)
    seen = [
        IpFirstSeen("cred-1", "10.1.1.1", minutes(-5000)),
        IpFirstSeen("cred-1", "10.66.6.6", minutes(3)),
    ]
    found = rules.credential_new_ip(seen, since, RuleConfig(1, 60))
    assert [f.details["ip"] for f in found] == ["10.66.6.6"]
    assert found[0].details["known_ips"] == ["10.1.1.1"]


def test_a_known_ip_and_a_credentials_first_ever_use_are_not_findings():
    since = minutes(0)
    seen = [
        IpFirstSeen("cred-1", "10.1.1.1", minutes(-5000)),  # known, used again today
        IpFirstSeen("cred-2", "10.2.2.2", minutes(5)),  # first use: the baseline
    ]
    assert rules.credential_new_ip(seen, since, RuleConfig(1, 60)) == []


# ---------------------------------------------------------------- (e)


def test_a_suspended_institution_still_trying_is_a_finding():
    rows = [
        Row(
            at=minutes(i),
            action="token_refused",
            reason="institution_suspended",
            institution_id=12,
            source_ip="10.3.3.3",
        )
        for i in range(2)
    ]
    found = rules.suspended_institution(rows, RuleConfig(1, 60))
    assert [f.subject for f in found] == ["institution:12"]
    assert found[0].details["count"] >= 1


def test_refusals_for_other_reasons_are_not_this_rule():
    rows = [Row(at=minutes(1), action="api_refused", reason="bad_signature", institution_id=12)]
    assert rules.suspended_institution(rows, RuleConfig(1, 60)) == []


# ---------------------------------------------------------------- (f)


def test_a_chain_break_is_a_finding_keyed_by_the_record():
    f = rules.chain_broken("gap", 41, 41, minutes(0), "第 41 条：记录缺失")
    assert f.rule == "audit_chain_broken"
    assert f.dedupe_key == "audit_chain_broken:gap:1:41"


# ---------------------------------------------------------------- configuration


def test_rule_configuration_is_checked_field_by_field():
    assert rules.check_rule_config("bulk_reads", 5, 1440, {"floor": 100}) == {}
    errors = rules.check_rule_config("bulk_reads", 0, 0, {"floor": -1})
    assert set(errors) == {"threshold", "window_minutes", "params"}
    assert "params" in rules.check_rule_config("off_hours_reads", 1, 60, {"work_end": "25:00"})
    assert "params" in rules.check_rule_config("failed_login_burst", 1, 60, {"x": 1})
    assert "threshold" in rules.check_rule_config("failed_login_burst", "5", 60, {})
