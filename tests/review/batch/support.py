"""Rows for batch-review tests, written straight into the tables the batch reads:
visits, fee lines and standing settlements (no adjudication: the rules read facts)."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from huimin.insurance.catalog.models import CatalogItem, CatalogVersion
from huimin.insurance.catalog.rules import KIND_CATEGORY
from huimin.insurance.models import BenefitPlan, FeeDetail, Settlement, Visit
from tests import factories

D = datetime.date
_n = itertools.count(1)


class Claims:
    def __init__(self):
        self.user = factories.make_staff("batchofficer", "insurance_officer", factories.COUNTY)
        self.plan = BenefitPlan.objects.create(
            region_code=factories.COUNTY, year=2026, name="测试方案", document="x",
            status="active", uploaded_by=self.user,
        )  # fmt: skip
        self.hospital = factories.make_institution("新邵县人民医院", level="2")
        self.centre = factories.make_institution(
            "酿溪镇卫生院", region=factories.TOWNSHIPS[0], kind="township_centre", level="1"
        )
        self.person = factories.make_person("张三")

    def item(self, code, kind="service", name=None, **terms):
        item, _ = CatalogItem.objects.get_or_create(code=code, defaults={"kind": kind})
        # as a catalog import does: a drug's or consumable's category is its kind's
        terms.setdefault("fee_category", KIND_CATEGORY[kind])
        CatalogVersion.objects.create(
            item=item, name=name or code, pinyin="X", item_class="A",
            effective_from=D(2020, 1, 1), **terms,
        )  # fmt: skip
        return item

    def settle(
        self, *, person=None, institution=None, visit_type="outpatient_general",
        visit_date=None, discharge=None, dx="J06.900", lines=(), terminal="",
        at=None, total="100.00", doctor="", reversed_=False,
    ):  # fmt: skip
        """lines: (code, name, quantity, unit_price[, fee_date[, ceiling]])."""
        person = person or self.person
        visit_date = visit_date or D(2026, 3, 1)
        institution = institution or self.hospital
        n = next(_n)
        visit = Visit.objects.create(
            person=person, institution=institution, region_code=person.village_id,
            visit_type=visit_type, institution_level=institution.level,
            his_visit_no=f"T{n}", visit_date=visit_date, discharge_date=discharge,
            diagnosis_code=dx, status="settled", doctor_code=doctor,
        )  # fmt: skip
        for i, line in enumerate(lines, 1):
            code, name, q, price, *rest = line
            fee_date = rest[0] if rest else visit_date
            ceiling = rest[1] if len(rest) > 1 else None
            FeeDetail.objects.create(
                visit=visit, line_no=i, code=code, name=name, item_class="A",
                quantity=Decimal(str(q)), unit_price=Decimal(str(price)), fee_date=fee_date,
                ceiling=Decimal(str(ceiling)) if ceiling is not None else None,
            )  # fmt: skip
        zero = Decimal("0.00")
        s = Settlement.objects.create(
            visit=visit, person=person, institution=institution, region_code=person.village_id,
            plan=self.plan, year=visit_date.year, kind="settle", visit_type=visit_type,
            person_category="ordinary", total=Decimal(total), self_pay=zero, b_self_pay=zero,
            eligible=Decimal(total), deductible=zero, basic_fund=Decimal("50.00"),
            critical_illness=zero, assistance=zero, patient_pay=Decimal(total) - 50,
            result={}, idempotency_key=f"k{n}", request_hash="h", terminal=terminal,
            verification_code=f"V{n}",
        )  # fmt: skip
        moment = at or timezone.make_aware(datetime.datetime.combine(visit_date, datetime.time(9)))
        update = {"settled_at": moment}
        if reversed_:
            update["reversed_at"] = moment
        Settlement.objects.filter(pk=s.pk).update(**update)
        s.refresh_from_db()
        return s


@pytest.fixture
def claims(county):
    return Claims()


def run(rules, date_from=None, date_to=None, rule_set=None):
    from huimin.review.batch import runner

    date_from, date_to = date_from or D(2026, 1, 1), date_to or D(2026, 12, 31)
    return runner.run(factories.COUNTY, date_from, date_to, rules=rules, rule_set=rule_set)


def found(rule):
    from huimin.review.models import Finding

    return list(Finding.objects.filter(rule=rule).order_by("id"))
