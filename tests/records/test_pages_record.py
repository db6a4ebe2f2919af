"""The record page: header, programmes, due, findings and a timeline merging forms and
settled insured visits (with what was dispensed); bounded queries; scoped and audited.
The record home (search, 建档) and the household file."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huimin.audit.models import AuditEvent
from huimin.insurance.models import BenefitPlan, FeeDetail, Settlement, Visit
from huimin.records import services
from huimin.records.models import Finding, Form, HealthRecord
from tests import factories
from tests.records.test_pages_forms import GOOD, new_url

D = datetime.date


@pytest.fixture
def doctor_client(client, village_doctor):
    client.force_login(village_doctor)
    return client


def settled_visit(person, day, lines=(("氨氯地平片", "28"),), no=None, pay="12.30", user=None):
    """A settled outpatient visit with its fee lines and settlement, as the insurance
    settlement path leaves them."""
    institution = factories.make_institution(
        "酿溪镇卫生院", factories.TOWNSHIPS[0], "township_health_centre", "1"
    )
    visit = Visit.objects.create(
        person=person,
        institution=institution,
        region_code=person.village_id,
        visit_type="outpatient_chronic",
        institution_level="1",
        his_visit_no=no or f"V{day:%Y%m%d}{person.pk}",
        visit_date=day,
        diagnosis_code="I10.x00",
        diagnosis_name="原发性高血压",
        status="settled",
    )
    for i, (name, qty) in enumerate(lines, 1):
        FeeDetail.objects.create(
            visit=visit,
            line_no=i,
            code=f"X{i:04d}",
            name=name,
            item_class="1",
            quantity=Decimal(qty),
            unit_price=Decimal("1.5"),
            fee_date=day,
        )
    plan = BenefitPlan.objects.filter(region_code=factories.COUNTY).first()
    if plan is None:
        plan = BenefitPlan.objects.create(
            region_code=factories.COUNTY,
            year=day.year,
            name="测试方案",
            document="",
            uploaded_by=user or factories.make_staff(f"up{person.pk}", "insurance_officer"),
        )
    zero = Decimal("0")
    Settlement.objects.create(
        visit=visit,
        person=person,
        institution=institution,
        region_code=person.village_id,
        plan=plan,
        year=day.year,
        kind="settle",
        visit_type=visit.visit_type,
        person_category="ordinary",
        total=Decimal("42.00"),
        self_pay=zero,
        b_self_pay=zero,
        eligible=Decimal("42.00"),
        deductible=zero,
        basic_fund=Decimal("29.70"),
        critical_illness=zero,
        assistance=zero,
        patient_pay=Decimal(pay),
        result={},
        idempotency_key=f"k{visit.pk}",
        request_hash="h",
        verification_code=f"C{visit.pk}",
    )
    return visit


def record_url(record):
    return reverse("records:record", args=[record.pk])


def test_the_record_page_shows_header_programmes_and_the_visit_with_dispensed_items(
    doctor_client, hypertensive
):
    settled_visit(
        hypertensive.person, D(2026, 4, 3), lines=(("氨氯地平片", "28"), ("血压测量", "1"))
    )
    page = doctor_client.get(record_url(hypertensive)).content.decode()
    assert hypertensive.number in page
    assert hypertensive.person.id_number_masked in page
    assert "城东村" in page and "李医生" in page
    assert "高血压患者健康管理" in page
    assert "不合格" in page  # not yet checked by the quality run
    assert "原发性高血压" in page and "酿溪镇卫生院" in page
    assert "氨氯地平片×28" in page and "血压测量×1" in page
    assert "个人支付：12.30 元" in page
    assert "记为本季度随访" in page


def test_cancelled_and_reversed_visits_are_not_dispensing(doctor_client, hypertensive):
    visit = settled_visit(hypertensive.person, D(2026, 4, 3))
    Visit.objects.filter(pk=visit.pk).update(status="cancelled")
    page = doctor_client.get(record_url(hypertensive)).content.decode()
    assert "氨氯地平片" not in page


def test_a_follow_up_from_a_visit_links_the_visit(doctor_client, hypertensive):
    visit = settled_visit(hypertensive.person, D(2026, 4, 3))
    form_url = new_url(hypertensive) + f"?visit={visit.pk}"
    assert form_url in doctor_client.get(record_url(hypertensive)).content.decode()
    page = doctor_client.get(form_url).content.decode()
    assert 'name="visit_date" id="f-visit_date" value="2026-04-03"' in page
    assert f'name="visit" value="{visit.pk}"' in page
    data = {**GOOD, "visit_date": "2026-04-03", "visit": str(visit.pk), "action": "sign"}
    programme = hypertensive.programmes.get()
    data["programme"] = str(programme.pk)
    assert doctor_client.post(new_url(hypertensive), data).status_code == 302
    form = Form.objects.get(record=hypertensive)
    assert form.visit_id == visit.pk and form.programme_id == programme.pk
    page = doctor_client.get(record_url(hypertensive)).content.decode()
    assert "已记为随访" in page
    assert form_url not in page


def test_a_visit_of_someone_else_cannot_be_linked(doctor_client, hypertensive):
    stranger = factories.make_person("路人甲")
    visit = settled_visit(stranger, D(2026, 4, 3))
    assert doctor_client.get(new_url(hypertensive) + f"?visit={visit.pk}").status_code == 404
    data = {**GOOD, "visit": str(visit.pk), "action": "sign"}
    response = doctor_client.post(new_url(hypertensive), data)
    assert response.status_code == 422
    assert "就诊记录不存在或不属于该居民" in response.content.decode()


def test_no_follow_up_link_without_an_open_programme(doctor_client, resident_record):
    settled_visit(resident_record.person, D(2026, 4, 3))
    page = doctor_client.get(record_url(resident_record)).content.decode()
    assert "氨氯地平片×28" in page
    assert "记为本季度随访" not in page


def test_the_record_page_queries_are_bounded(doctor_client, hypertensive, village_doctor):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert doctor_client.get(record_url(hypertensive)).status_code == 200
        return len(ctx)

    settled_visit(hypertensive.person, D(2026, 1, 3), user=village_doctor)
    doctor_client.post(new_url(hypertensive), {**GOOD, "action": "sign"})
    few = count()
    for month in range(2, 8):
        settled_visit(hypertensive.person, D(2026, month, 3), lines=(("甲", "1"), ("乙", "2")))
        doctor_client.post(
            new_url(hypertensive),
            {
                **GOOD,
                "visit_date": f"2026-0{month}-05",
                "next_visit_date": "2026-12-01",
                "action": "draft",
            },
        )
    Finding.objects.create(
        record=hypertensive,
        region_code=hypertensive.region_code,
        rule="r",
        severity="warning",
        message="测试问题",
    )
    assert Form.objects.filter(record=hypertensive).count() == 7
    assert count() == few


def test_another_villages_doctor_gets_404_and_the_denied_read_is_audited(
    client, other_village_doctor, hypertensive
):
    client.force_login(other_village_doctor)
    assert client.get(record_url(hypertensive)).status_code == 404
    assert AuditEvent.objects.filter(
        action="read",
        object_type="records.record",
        object_id=str(hypertensive.pk),
        outcome="denied",
    ).exists()


def test_reading_the_record_page_is_audited(doctor_client, hypertensive, village_doctor):
    doctor_client.get(record_url(hypertensive))
    event = AuditEvent.objects.filter(
        action="read", object_type="records.record", object_id=str(hypertensive.pk)
    ).latest("id")
    assert event.outcome != "denied"


def test_search_by_name_pinyin_full_id_and_masked_id(doctor_client, resident_record, resident):
    url = reverse("records:home")
    other = factories.make_person("王小二")
    for q in ("王大", "wdy", resident.reveal_id_number(), resident.id_number_masked):
        # The search box posts: a full ID number never travels in the URL.
        page = doctor_client.post(url, {"q": q}).content.decode()
        assert resident_record.number in page, q
    page = doctor_client.get(url, {"q": "王"}).content.decode()
    assert other.id_number_masked in page and "建档" in page


def test_search_is_scoped(client, other_village_doctor, resident_record):
    client.force_login(other_village_doctor)
    page = client.get(reverse("records:home"), {"q": "王大爷"}).content.decode()
    assert resident_record.number not in page


def test_opening_a_record_from_the_home_page(doctor_client, county):
    person = factories.make_person("赵六")
    response = doctor_client.post(reverse("records:open"), {"person": person.pk})
    record = HealthRecord.objects.get(person=person)
    assert response.status_code == 302 and response["Location"] == record_url(record)
    # A second click lands on the same record.
    again = doctor_client.post(reverse("records:open"), {"person": person.pk})
    assert again["Location"] == record_url(record)


def test_household_file_lists_members_with_record_numbers(doctor_client, resident_record, resident):
    spouse = factories.make_person("王大妈", sex="2", birth=D(1958, 6, 1))
    household = factories.make_household(resident, [spouse])
    page = doctor_client.get(reverse("records:household", args=[household.pk])).content.decode()
    assert resident_record.number in page
    assert "王大妈" in page and "未建档" in page
    assert (
        reverse("records:household", args=[household.pk])
        in doctor_client.get(record_url(resident_record)).content.decode()
    )


def test_household_of_another_village_is_404(client, other_village_doctor, resident):
    household = factories.make_household(resident)
    client.force_login(other_village_doctor)
    assert client.get(reverse("records:household", args=[household.pk])).status_code == 404


def test_an_assessor_reads_but_sees_no_entry_links(client, county, hypertensive):
    assessor = factories.make_staff("pinggu", "assessor", factories.COUNTY)
    client.force_login(assessor)
    page = client.get(record_url(hypertensive)).content.decode()
    assert hypertensive.number in page
    assert "填写表单" not in page
    assert client.get(new_url(hypertensive)).status_code == 403


def test_services_open_record_is_refused_for_the_deceased_on_the_page(doctor_client, county):
    person = factories.make_person("故人", death_date=D(2025, 1, 1))
    response = doctor_client.post(reverse("records:open"), {"person": person.pk})
    assert response.status_code == 409
    assert "居民已死亡" in response.content.decode()
    assert not services.HealthRecord.objects.filter(person=person).exists()


def test_a_visit_before_the_registration_is_no_follow_up(doctor_client, hypertensive):
    settled_visit(hypertensive.person, D(2024, 12, 1), lines=(("旧药", "1"),))
    page = doctor_client.get(record_url(hypertensive)).content.decode()
    assert "旧药×1" in page
    assert "记为本季度随访" not in page


def test_a_full_id_number_search_is_posted_not_put_in_the_address(doctor_client, resident_record):
    page = doctor_client.get(reverse("records:home")).content.decode()
    assert '<form method="post" class="card filters" role="search">' in page
    number = resident_record.person.reveal_id_number()
    response = doctor_client.post(reverse("records:home"), {"q": number})
    assert resident_record.number in response.content.decode()
    assert AuditEvent.objects.filter(object_type="registry.person", action="search").exists()


def test_a_closed_record_takes_no_new_forms(doctor_client, resident_record):
    HealthRecord.objects.filter(pk=resident_record.pk).update(status="closed")
    response = doctor_client.get(new_url(resident_record))
    assert response.status_code == 409
    assert "只能查阅" in response.content.decode()
    assert "填写表单" not in doctor_client.get(record_url(resident_record)).content.decode()


def test_menu_entries_follow_permissions(county, village_doctor):
    from huimin.records.nav import menu_items

    labels = [item["label"] for item in menu_items(village_doctor, "village_doctor")]
    assert labels[:3] == ["健康档案", "随访待办", "档案质量"]
    assert "档案管理" not in labels  # record.archive is township public-health work
    assessor = factories.make_staff("pinggu2", "assessor", factories.COUNTY)
    assert menu_items(assessor, "assessor")[0]["url"] == reverse("records:home")
