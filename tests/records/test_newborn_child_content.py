"""Children's required content (规范 0～6岁儿童健康管理 服务内容 2–4): haemoglobin at
6–8, 18 and 30 months and yearly from 4; hearing at 6, 12, 24, 36 months; vision from
4 years. Missing: the form cannot be signed, and a stored one is a quality finding."""

import datetime as dt

from huimin.records.forms.child import CHILD_CHECK
from huimin.records.forms.spec import Context, clean
from huimin.records.quality_rules import PersonFacts, RecordFacts, check_record, child_content_hits

D = dt.date
BORN = D(2022, 1, 10)
CTX = Context(today=D(2028, 6, 1), birth_date=BORN, sex="1")


def missing(month, **data):
    raw = {"month_age": str(month), **data}
    _, problems = clean(CHILD_CHECK, raw, CTX, final=True)
    return {p.field for p in problems if p.code == "required"} & {
        "hearing",
        "haemoglobin",
        "vision",
    }


def test_hearing_at_6_12_24_36_months():
    for m in (6, 12, 24, 36):
        assert "hearing" in missing(m)
        assert "hearing" not in missing(m, hearing="1")
    assert "hearing" not in missing(8) and "hearing" not in missing(18)


def test_haemoglobin_at_18_30_months_and_yearly_from_four():
    for m in (18, 30, 48, 60, 72):
        assert "haemoglobin" in missing(m)
        assert "haemoglobin" not in missing(m, haemoglobin=120)
    assert "haemoglobin" not in missing(12)


def test_vision_from_four_years():
    for m in (48, 60, 72):
        assert "vision" in missing(m)
        assert "vision" not in missing(m, vision="5.0")
    assert "vision" not in missing(36)


def check(id_, month, day, **data):
    return {
        "id": id_,
        "kind": "child_check",
        "status": "signed",
        "service_date": day,
        "data": {"month_age": str(month), **data},
    }


PERSON = PersonFacts("小明", "1", D(2026, 1, 15))


def test_haemoglobin_once_at_six_or_eight_months():
    six, eight = check(1, 6, D(2026, 7, 15)), check(2, 8, D(2026, 9, 15))
    # Neither carries it once the 8-month check is signed: a finding on that check.
    (hit,) = child_content_hits([six, eight], PERSON, D(2026, 9, 16))
    assert hit.rule == "completeness.haemoglobin" and hit.form_id == 2
    with_six = check(1, 6, D(2026, 7, 15), haemoglobin=118)
    assert child_content_hits([with_six, eight], PERSON, D(2026, 9, 16)) == []
    # Only the 6-month check so far, and the 8-month one may still carry it.
    assert child_content_hits([six], PERSON, D(2026, 9, 16)) == []
    # Past 10 months without it: a finding on the 6-month check.
    (hit,) = child_content_hits([six], PERSON, D(2026, 11, 15))
    assert hit.form_id == 1


def test_a_stored_check_missing_hearing_is_a_completeness_finding():
    form = {
        **check(7, 6, D(2026, 7, 15)),
        "created_at": D(2026, 7, 15),
        "height_cm": None,
        "weight_kg": None,
    }
    facts = RecordFacts(id=1, person=PERSON, forms=[form])
    hits = check_record(facts, D(2026, 7, 20))
    assert any(h.rule == "completeness.required" and h.field == "hearing" for h in hits)
