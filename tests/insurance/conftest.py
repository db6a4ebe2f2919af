"""An insured county for settlement tests: plan (four eyes), catalog, paid enrollment."""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from huimin.insurance import claim_checks, plans
from huimin.insurance.catalog.seed import seed_demo_catalog
from huimin.insurance.enrollment import services as enrollment
from huimin.insurance.models import Accumulator
from huimin.registry.models import PersonCategory
from tests import factories
from tests.access import helpers

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(autouse=True)
def insurance_on_its_own():
    """Insurance is tested on its own: the review app above it registers its real-time
    checker at start-up, and tests/review test the two together (findings, blocking,
    queries and CPU per settlement with review)."""
    installed = claim_checks.registered()
    for checker in installed:
        claim_checks.unregister(checker)
    yield
    for checker in installed:
        claim_checks.register(checker)


D = datetime.date


@dataclass
class County:
    officer: object
    second_officer: object
    hospital: object
    centre: object
    person: object
    id_number: str
    plan: object


def example_plan_text(region: str = factories.COUNTY) -> str:
    text = (EXAMPLES / "plan-example.yaml").read_text(encoding="utf-8")
    return text.replace('region: "430999"', f'region: "{region}"')


def enroll_and_pay(officer, person, household, year=2026):
    result = enrollment.do_enroll_household(
        officer, household.pk, year, [person.pk], on=D(year - 1, 10, 1)
    )
    enrolment = result.enrolled[0]
    if enrolment.status != "paid":
        enrollment.do_record_cash_payment(
            officer,
            enrolment.pk,
            enrolment.personal_due,
            f"R{person.pk:06d}",
            f"pay-{person.pk}",
            paid_at=timezone.make_aware(datetime.datetime(year - 1, 10, 1, 10, 0)),
        )
    return enrolment


@pytest.fixture
def insured(county):
    officer = factories.make_staff("officer", "insurance_officer", factories.COUNTY)
    second = factories.make_staff("officer2", "insurance_officer", factories.COUNTY)
    plan = plans.do_upload_plan(officer, example_plan_text())
    plans.do_activate_plan(second, plan.pk)
    enrollment.do_create_period(
        officer,
        enrollment.PeriodData(
            region_code=factories.COUNTY,
            year=2026,
            opens_on=D(2025, 9, 1),
            closes_on=D(2025, 12, 31),
        ),
    )
    seed_demo_catalog()
    hospital = factories.make_institution("新邵县人民医院", level="2")
    hospital.designated_from = D(2020, 1, 1)
    hospital.save()
    centre = factories.make_institution(
        "酿溪镇卫生院", region=factories.TOWNSHIPS[0], kind="township_health_centre", level="1"
    )
    number = factories.valid_id(D(1968, 4, 12), "1")
    person = factories.make_person("邓建国", birth=D(1968, 4, 12), id_number=number)
    PersonCategory.objects.create(person=person, category="dibao", valid_from=D(2020, 1, 1))
    household = factories.make_household(person)
    enroll_and_pay(officer, person, household)
    return County(officer, second, hospital, centre, person, number, plan)


def preload_example_ytd(person, year=2026):
    """The year so far of ../shared/examples/ytd-example.json."""
    return Accumulator.objects.create(
        person=person,
        year=year,
        region_code=person.village_id,
        basic_paid=Decimal("3200.00"),
        basic_paid_by_type={"inpatient": "3000.00", "outpatient_general": "200.00"},
        ci_base=Decimal("9000.00"),
        assistance_paid=Decimal("1200.00"),
    )


HIS_API = "/api/v1/insurance"


@pytest.fixture
def his(insured, client, settings):
    """A hospital system calling the institution API with a real machine credential
    (test modules with their own `his` keep theirs)."""
    # Staff accounts are made along the way; the password hash's cost is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    inst = helpers.onboard(helpers.people(), name="新邵县中医医院")
    token = helpers.get_token(client, inst)
    headers = {
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_X_HUIMIN_TERMINAL": inst.terminal,
        "REMOTE_ADDR": helpers.IP,
    }

    class HIS:
        onboarded = inst

        def get(self, path, **kw):
            return client.get(HIS_API + path, **headers, **kw)

        def post(self, path, body, content_type="application/json", **kw):
            # Every institution transaction that writes needs an Idempotency-Key: a fresh
            # one per call unless the test gives its own (a retry) or None (to omit it).
            kw.setdefault("HTTP_IDEMPOTENCY_KEY", uuid.uuid4().hex)
            if kw["HTTP_IDEMPOTENCY_KEY"] is None:
                del kw["HTTP_IDEMPOTENCY_KEY"]
            return client.post(HIS_API + path, body, content_type=content_type, **headers, **kw)

    return HIS()


def visit_body(insured, his_visit_no="MZ-1", **changes) -> dict:
    return {
        "id_number": insured.id_number,
        "visit_type": "inpatient",
        "his_visit_no": his_visit_no,
        "visit_date": "2026-03-02",
        **changes,
    }
