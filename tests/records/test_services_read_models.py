"""Read models: the record's summary as plain data a portal can reuse — newest first,
amendments linked both ways, drafts marked, visits with what was dispensed."""

import datetime
import json

from django.core.serializers.json import DjangoJSONEncoder

from huimin.records import read_models, services
from tests.records.test_api_records import GOOD
from tests.records.test_pages_record import settled_visit

D = datetime.date


def test_summary_merges_forms_and_visits_newest_first(hypertensive, village_doctor):
    settled_visit(hypertensive.person, D(2026, 3, 2), lines=(("氨氯地平片", "28.0000"),))
    first, _ = services.do_save_form(
        village_doctor, "htn_followup", GOOD, record_id=hypertensive.pk, sign=True
    )
    amendment = services.do_amend_form(
        village_doctor, first.pk, {**GOOD, "systolic": 140}, "抄录错误"
    )
    draft, problems = services.do_save_form(
        village_doctor,
        "htn_followup",
        {"visit_date": "2026-05-06", "systolic": "90", "diastolic": "95"},
        record_id=hypertensive.pk,
    )
    assert [p.code for p in problems] == ["systolic_not_above_diastolic"]

    summary = read_models.summary(read_models.load(hypertensive.pk), D(2026, 6, 1))
    assert summary.header.number == hypertensive.number
    assert summary.header.in_use is True  # the signed follow-up of March
    entries = [(e.kind, e.date, e.status or None) for e in summary.timeline]
    # On one day the forms (the amendment, then the original it replaced) sit above the
    # visit they follow.
    assert entries == [
        ("form", D(2026, 5, 6), "draft"),
        ("form", D(2026, 3, 2), "signed"),
        ("form", D(2026, 3, 2), "amended"),
        ("visit", D(2026, 3, 2), None),
    ]
    by_id = {e.form_id: e for e in summary.timeline if e.kind == "form"}
    assert by_id[amendment.pk].amends_id == first.pk
    assert by_id[first.pk].amended_by_id == amendment.pk
    assert by_id[draft.pk].status_label == "草稿"
    visit = next(e for e in summary.timeline if e.kind == "visit")
    assert visit.dispensed == [{"name": "氨氯地平片", "quantity": 28}]
    assert str(visit.dispensed[0]["quantity"]) == "28"
    assert visit.followup_kinds == ["htn_followup"]
    # Plain data all the way down: it serialises as it is.
    json.dumps(summary.as_dict(), cls=DjangoJSONEncoder, ensure_ascii=False)


def test_header_of_a_record_without_use_for_a_year(resident_record):
    header = read_models.header(read_models.load(resident_record.pk), D(2026, 1, 6))
    assert header.in_use is False
    assert header.age == 69 and header.sex == "男"
    assert header.village == "城东村"
    assert header.id_number_masked.count("*") == 8
