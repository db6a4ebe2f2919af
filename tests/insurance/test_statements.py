"""Hot-path statements compiled once give what the ORM gives, for any values."""

import datetime

import pytest
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.transaction import TransactionManagementError

from huimin.insurance import services
from huimin.insurance.models import FeeDetail, Visit
from huimin.insurance.statements import INT, TEXT, Statement
from tests.insurance.test_settlement_flow import example_lines

DAY = datetime.date


def register(county, visit_no, institution=None):
    return services.do_register_visit(
        institution or county.hospital,
        services.VisitData(
            id_number=county.id_number,
            visit_type="outpatient_chronic",
            his_visit_no=visit_no,
            visit_date=DAY(2026, 5, 1),
        ),
    )


VISIT = Statement(
    lambda inst, no: (
        Visit.objects.filter(institution_id=inst, his_visit_no=no)
        .select_related("person")
        .annotate(
            last_line=Subquery(
                FeeDetail.objects.filter(visit=OuterRef("pk"))
                .order_by("-line_no")
                .values("line_no")[:1]
            )
        )
        .order_by()[:1]
    ),
    inst=INT,
    no=TEXT,
)


def test_rows_match_the_orm_for_each_set_of_values(insured):
    a, b = register(insured, "MZ-A"), register(insured, "MZ-B")
    services.do_upload_fees(insured.hospital, "MZ-B", example_lines()[:3])
    c = register(insured, "MZ-A", institution=insured.centre)  # same number, other place
    for expected, inst, no, last in (
        (a, insured.hospital, "MZ-A", None),
        (b, insured.hospital, "MZ-B", 3),
        (c, insured.centre, "MZ-A", None),
    ):
        got = VISIT.first(inst=inst.pk, no=no)
        orm = Visit.objects.get(pk=expected.pk)
        assert got.pk == expected.pk
        for field in Visit._meta.concrete_fields:
            assert getattr(got, field.attname) == getattr(orm, field.attname), field.name
        assert got.last_line == last
        # select_related filled the person without a query
        assert Visit.person.is_cached(got) and got.person.birth_date == insured.person.birth_date
    assert VISIT.first(inst=insured.hospital.pk, no="MZ-none") is None


def test_a_value_must_appear_once_and_be_plain():
    twice = Statement(lambda no: Visit.objects.filter(his_visit_no=no, diagnosis_code=no), no=TEXT)
    with pytest.raises(ValueError):
        twice.first(no="x")
    with pytest.raises(TypeError):
        VISIT.first(inst=1.5, no="x")


@pytest.mark.django_db(transaction=True)
def test_a_locking_statement_needs_a_transaction():
    locked = Statement(
        lambda no: Visit.objects.filter(his_visit_no=no).select_for_update()[:1], no=TEXT
    )
    with transaction.atomic():
        assert locked.first(no="nothing") is None
    with pytest.raises(TransactionManagementError):
        locked.first(no="nothing")
