"""A small fixed county for the indicator tests: every figure in the tests is worked out
by hand from what is built here (see the comments beside each person).

Regions (tests/factories.py): township 430522100 with villages V1 = ...100201 and
V2 = ...100202; township 430522101 with V3 = ...101201. The year is 2026.
"""

import datetime
from decimal import Decimal

from huimin.records.models import Form, HealthRecord, Programme
from tests import factories

D = datetime.date
V1, V2, V3 = factories.VILLAGES
_serial = iter(range(1, 10_000))


def record(person, opened, *, qualified=False, closed=None, last_activity=None):
    return HealthRecord.objects.create(
        person=person,
        number=f"{person.village_id}{next(_serial):05d}",
        region_code=person.village_id,
        opened_on=opened,
        status="closed" if closed else "active",
        closed_on=closed,
        qualified=qualified,
        last_activity_on=last_activity,
    )


def form(user, person, kind, day, rec=None, status="signed", **data_and_columns):
    columns = {
        k: data_and_columns.pop(k)
        for k in ("systolic", "diastolic", "fasting_glucose")
        if k in data_and_columns
    }
    return Form.objects.create(
        kind=kind,
        record=rec,
        person=person,
        region_code=person.village_id,
        service_date=day,
        data={**data_and_columns, **{k: str(v) for k, v in columns.items()}},
        status=status,
        created_by=user,
        **columns,
    )


def programme(rec, kind, registered, ended=None, reason=""):
    return Programme.objects.create(
        record=rec,
        person=rec.person,
        region_code=rec.region_code,
        kind=kind,
        registered_on=registered,
        ended_on=ended,
        end_reason=reason,
    )


def build() -> dict:
    user = factories.make_staff("builder", "public_health_officer", factories.COUNTY)
    mk = factories.make_person
    people = {}

    # V1 ---------------------------------------------------------------
    # A: 76 at the end of 2026; hypertension, four face-to-face visits, last 145/85
    # (controlled at 65+: < 150/90); yearly check and TCM in 2026.
    a = people["A"] = mk("安甲", V1, D(1950, 6, 1))
    ra = record(a, D(2025, 1, 1), qualified=True, last_activity=D(2026, 11, 10))
    programme(ra, "hypertension", D(2025, 1, 1))
    for day in (D(2026, 2, 10), D(2026, 5, 10), D(2026, 8, 10)):
        form(user, a, "htn_followup", day, ra, mode="1", systolic=150, diastolic=95)
    form(user, a, "htn_followup", D(2026, 11, 10), ra, mode="2", systolic=145, diastolic=85)
    form(user, a, "health_check", D(2026, 3, 1), ra)
    form(user, a, "tcm_elderly", D(2026, 3, 1), ra)
    # A draft is no service: a fifth visit left unsigned changes nothing.
    form(
        user,
        a,
        "htn_followup",
        D(2026, 12, 1),
        ra,
        status="draft",
        mode="1",
        systolic=120,
        diastolic=70,
    )

    # B: 56; hypertension with three face-to-face visits and one by phone (not standard),
    # last 145/85 (not controlled under 65); diabetes with four visits, last 6.5 mmol/L.
    b = people["B"] = mk("白乙", V1, D(1970, 1, 1))
    rb = record(b, D(2025, 6, 1))
    programme(rb, "hypertension", D(2025, 6, 1))
    programme(rb, "diabetes", D(2025, 6, 1))
    for day, mode in (
        (D(2026, 1, 5), "1"),
        (D(2026, 4, 5), "3"),
        (D(2026, 7, 5), "1"),
        (D(2026, 10, 5), "1"),
    ):
        form(user, b, "htn_followup", day, rb, mode=mode, systolic=145, diastolic=85)
    for day in (D(2026, 1, 6), D(2026, 4, 6), D(2026, 7, 6)):
        form(user, b, "dm_followup", day, rb, mode="1", fasting_glucose=Decimal("8.2"))
    form(user, b, "dm_followup", D(2026, 10, 6), rb, mode="2", fasting_glucose=Decimal("6.5"))
    # Infectious report: diagnosed 1 May, card filled 5 May: late.
    form(user, b, "infectious_report", D(2026, 5, 5), rb, diagnosis_date="2026-05-01")

    # C: born 1 March 2026 (a live birth), visited at home on 20 March; no record.
    c = people["C"] = mk("陈丙", V1, D(2026, 3, 1))
    form(user, c, "newborn_visit", D(2026, 3, 20))

    # D: 36, delivered 1 March 2026; booked at 10 weeks; postpartum visit on day 45 (late).
    d = people["D"] = mk("邓丁", V1, D(1990, 1, 1), sex="2")
    rd = record(d, D(2026, 2, 1), qualified=True)
    programme(rd, "pregnancy", D(2025, 9, 1), ended=D(2026, 3, 1), reason="delivery")
    form(user, d, "prenatal_first", D(2025, 10, 1), rd, gestational_weeks=10)
    form(user, d, "postpartum_visit", D(2026, 4, 15), rd)

    # V2 ---------------------------------------------------------------
    # E: 71, no record, no check.
    people["E"] = mk("鄂戊", V2, D(1955, 5, 5))
    # F: died 1 June 2026, record closed: no longer a resident at the end of 2026.
    f = people["F"] = mk("冯己", V2, D(1985, 1, 1), death_date=D(2026, 6, 1))
    record(f, D(2026, 1, 10), closed=D(2026, 6, 1))
    # G: 2 years old; a child check and TCM in February 2026; MMR dose 2 given in July
    # 2025 (due complete by 24 months = 730 days, on 1 March 2026: inside 2026).
    g = people["G"] = mk("葛庚", V2, D(2024, 3, 1))
    rg = record(g, D(2024, 2, 1))
    form(user, g, "child_check", D(2026, 2, 1), rg)
    form(user, g, "tcm_child", D(2026, 2, 1), rg)
    form(user, g, "immunisation", D(2025, 7, 1), rg, vaccine="MMR", dose=2)
    # I: 46, record opened 2024, nothing since January 2025: not in dynamic use.
    i = people["I"] = mk("伊辛", V2, D(1980, 1, 1))
    record(i, D(2024, 1, 1), last_activity=D(2025, 1, 1))

    # V3 ---------------------------------------------------------------
    # H: 66; SMI with four visits of which one 未访到 (three face to face: not standard);
    # yearly check in May; a timely infectious report (diagnosed 1 April, filled 2 April).
    h = people["H"] = mk("何壬", V3, D(1960, 1, 1))
    rh = record(h, D(2025, 1, 1), qualified=True)
    programme(rh, "smi", D(2025, 1, 1))
    for day, cls in (
        (D(2026, 2, 1), "3"),
        (D(2026, 5, 1), "4"),
        (D(2026, 8, 1), "3"),
        (D(2026, 11, 1), "3"),
    ):
        form(user, h, "smi_followup", day, rh, mode="1", classification=cls)
    form(user, h, "health_check", D(2026, 5, 1), rh)
    form(user, h, "infectious_report", D(2026, 4, 2), rh, diagnosis_date="2026-04-01")
    return people


# ---------------------------------------------------------------- insurance


def _at(day, hour=10):
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def build_insurance(people: dict) -> dict:
    """Enrollment, five settlements (one reversed), the ledger's income and spending, two
    review findings and their recoveries (one cancelled), all in 2026."""
    from huimin.insurance.enrollment.models import Enrollment, EnrollmentPeriod
    from huimin.insurance.ledger import services as ledger
    from huimin.insurance.ledger.models import JournalEntry
    from huimin.insurance.ledger.rules import Line
    from huimin.insurance.models import BenefitPlan, Settlement, Visit
    from huimin.review.models import Finding, Recovery

    officer = factories.make_staff("ins", "insurance_officer", factories.COUNTY)
    period = EnrollmentPeriod.objects.create(
        region_code=factories.COUNTY,
        year=2026,
        opens_on=D(2025, 9, 1),
        closes_on=D(2025, 12, 31),
        individual=Decimal("400.00"),
        subsidy=Decimal("670.00"),
    )
    # Paid: A B D E; I owes (not insured). 参保率 4 of the 8 residents.
    for key, paid in (("A", True), ("B", True), ("D", True), ("E", True), ("I", False)):
        p = people[key]
        hh = factories.make_household(p)
        Enrollment.objects.create(
            period=period,
            person=p,
            household=hh,
            year=2026,
            region_code=p.village_id,
            status="paid" if paid else "owed",
            individual_due=Decimal("400.00"),
            assistance_share=Decimal("0.00"),
            personal_due=Decimal("400.00"),
            subsidy=Decimal("670.00"),
            enrolled_on=D(2025, 10, 1),
            benefits_from=D(2026, 1, 1),
            paid_at=_at(D(2025, 10, 1)) if paid else None,
        )
    plan = BenefitPlan.objects.create(
        region_code=factories.COUNTY,
        year=2026,
        name="测试方案",
        document="{}",
        status="active",
        uploaded_by=officer,
    )
    hospital = factories.make_institution("县人民医院", factories.COUNTY, "county_hospital", "2")
    centre = factories.make_institution(
        "酿溪镇卫生院", factories.TOWNSHIPS[0], "township_health_centre", "1"
    )
    outside = factories.make_institution("邵阳市中心医院", "430523", "county_hospital", "3")
    n = iter(range(1, 100))

    def settle(key, inst, level, vt, day, total, eligible, basic, ci=0, assist=0, reverses=None):
        p = people[key]
        if reverses is None:
            visit = Visit.objects.create(
                person=p,
                institution=inst,
                region_code=p.village_id,
                visit_type=vt,
                institution_level=level,
                his_visit_no=f"V{next(n)}",
                visit_date=day,
                status="settled",
            )
        else:
            visit = reverses.visit
        sign = -1 if reverses is not None else 1
        amounts = {
            "total": total,
            "eligible": eligible,
            "basic_fund": basic,
            "critical_illness": ci,
            "assistance": assist,
        }
        s = Settlement.objects.create(
            visit=visit,
            person=p,
            institution=inst,
            region_code=p.village_id,
            plan=plan,
            year=2026,
            kind="reversal" if reverses else "settle",
            reverses=reverses,
            visit_type=vt,
            person_category="ordinary",
            self_pay=0,
            b_self_pay=0,
            deductible=0,
            patient_pay=sign * (Decimal(total) - basic - ci - assist),
            **{k: sign * Decimal(v) for k, v in amounts.items()},
            result={},
            idempotency_key=f"k{next(n)}",
            request_hash="h",
            verification_code="v",
        )
        Settlement.objects.filter(pk=s.pk).update(settled_at=_at(day))
        return s

    s1 = settle("A", hospital, "2", "inpatient", D(2026, 3, 15), 10000, 8000, 5000, ci=500)
    s2 = settle("B", centre, "1", "outpatient_general", D(2026, 3, 20), 200, 180, 90)
    s3 = settle(
        "B",
        outside,
        "out_of_area",
        "inpatient",
        D(2026, 5, 10),
        20000,
        15000,
        6000,
        ci=2000,
        assist=1000,
    )
    Settlement.objects.filter(pk=s2.pk).update(reversed_at=_at(D(2026, 3, 21)))
    settle("B", centre, "1", "outpatient_general", D(2026, 3, 21), 200, 180, 90, reverses=s2)
    settle("E", centre, "1", "outpatient_general", D(2026, 6, 1), 100, 100, 50)

    def post(day, source, lines):
        entry = ledger.post(
            region_code=factories.COUNTY,
            year=2026,
            source_type="test",
            source_id=source,
            purpose="test",
            memo=source,
            lines=lines,
        )
        JournalEntry.objects.filter(pk=entry.pk).update(posted_at=_at(day))

    post(
        D(2026, 1, 10),
        "individual",
        [Line("1101", debit=Decimal(20000)), Line("4101", credit=Decimal(20000))],
    )
    post(
        D(2026, 2, 1),
        "subsidy",
        [Line("1202", debit=Decimal(60000)), Line("4102", credit=Decimal(60000))],
    )
    post(
        D(2026, 3, 15),
        "basic",
        [Line("5101", debit=Decimal(6000)), Line("2101", credit=Decimal(6000))],
    )
    post(
        D(2026, 5, 10),
        "critical",
        [Line("5102", debit=Decimal(600)), Line("2101", credit=Decimal(600))],
    )

    def finding(s, key, day):
        return Finding.objects.create(
            rule="R1",
            name="测试规则",
            category="test",
            severity="warning",
            weight=1,
            explanation="测试",
            source="batch",
            rule_set_name="测试",
            settlement=s,
            visit=s.visit,
            person=s.person,
            institution=s.institution,
            region_code=s.region_code,
            service_date=day,
            month=f"{day:%Y-%m}",
            fund_paid=s.basic_fund,
            fingerprint=key,
        )

    f1 = finding(s1, "f1", D(2026, 3, 1))
    f2 = finding(s3, "f2", D(2026, 5, 1))
    r1 = Recovery.objects.create(
        finding=f1, institution=hospital, region_code=factories.COUNTY, amount=Decimal("300.00")
    )
    Recovery.objects.filter(pk=r1.pk).update(posted_at=_at(D(2026, 4, 1)))
    r2 = Recovery.objects.create(
        finding=f2,
        institution=outside,
        region_code=factories.COUNTY,
        amount=Decimal("100.00"),
        cancelled_at=_at(D(2026, 6, 1)),
    )
    Recovery.objects.filter(pk=r2.pk).update(posted_at=_at(D(2026, 5, 15)))
    return {"hospital": hospital, "centre": centre, "outside": outside}
