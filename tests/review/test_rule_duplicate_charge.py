from .builders import D, fired, inpatient, item, line


def test_the_same_service_twice_on_one_day_fires():
    claim = inpatient(lines=(line(1), line(2, "002", "尿常规"), line(3)))
    [finding] = fired("duplicate_charge", claim)
    assert finding.lines == (1, 3)
    assert (
        "疑似重复收费" in finding.explanation
        and "第1行（血常规）、第3行（血常规）" in finding.explanation
    )


def test_the_same_service_on_two_days_does_not():
    claim = inpatient(lines=(line(1), line(2, service_date=D(2026, 3, 11))))
    assert fired("duplicate_charge", claim) == []


def test_drugs_on_two_lines_are_not_counted_by_default():
    drug = item(kind="drug", category="drug")
    claim = inpatient(
        lines=(line(1, "X9", "氯化钠注射液", item=drug), line(2, "X9", "氯化钠注射液", item=drug))
    )
    assert fired("duplicate_charge", claim) == []


def test_exempt_items_are_not_shown_to_the_rule():
    import dataclasses

    from huimin.review.rules.base import Exceptions
    from huimin.review.ruleset import default_rule_set

    rs = default_rule_set()
    cfg = dataclasses.replace(
        rs.rules["duplicate_charge"], exceptions=Exceptions(items=frozenset({"001"}))
    )
    rs = dataclasses.replace(rs, rules={**rs.rules, "duplicate_charge": cfg})
    assert fired("duplicate_charge", inpatient(lines=(line(1), line(2))), rule_set=rs) == []
