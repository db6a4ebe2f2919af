"""Hot-path statements compiled once give what the ORM gives, for any values."""

import datetime

import pytest
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.transaction import TransactionManagementError

from huimin.insurance.models import FeeDetail, Visit
from huimin.insurance.services import fees
from huimin.insurance.services.visits import VisitData, do_register_visit
from huimin.insurance.statements import DATE, INT, TEXT, Statement
from tests.insurance.test_settlement_flow import example_lines

DAY = datetime.date


def register(county, visit_no, institution=None):
    return do_register_visit(
        institution or county.hospital,
        VisitData(
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
    fees.do_upload_fees(insured.hospital, "MZ-B", example_lines()[:3])
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


def test_a_value_used_twice_takes_both_places(insured):
    visit = register(insured, "MZ-2")
    twice = Statement(
        lambda no, day: Visit.objects.filter(
            his_visit_no=no, visit_date__gte=day, visit_date__lte=day
        ).values_list("pk", "visit_date"),
        no=TEXT,
        day=DATE,
    )
    assert twice.tuples(no="MZ-2", day=DAY(2026, 5, 1)) == [(visit.pk, DAY(2026, 5, 1))]
    assert twice.tuples(no="MZ-2", day=DAY(2026, 5, 2)) == []


def test_a_value_must_reach_the_sql_and_be_plain():
    with pytest.raises(ValueError):
        Statement(lambda no: Visit.objects.filter(his_visit_no="fixed"), no=TEXT).first(no="x")
    with pytest.raises(TypeError):
        VISIT.first(inst=1.5, no="x")
    with pytest.raises(TypeError):
        Statement(lambda day: Visit.objects.filter(visit_date=day), day=DATE).first(
            day="2026-05-01"
        )


@pytest.mark.django_db(transaction=True)
def test_a_locking_statement_needs_a_transaction():
    locked = Statement(
        lambda no: Visit.objects.filter(his_visit_no=no).select_for_update()[:1], no=TEXT
    )
    with transaction.atomic():
        assert locked.first(no="nothing") is None
    with pytest.raises(TransactionManagementError):
        locked.first(no="nothing")


def test_insert_and_update_write_what_save_would(insured):
    from django.db import IntegrityError

    from huimin.insurance import statements
    from huimin.insurance.models import Accumulator

    visit = register(insured, "MZ-W")
    rows = [
        FeeDetail(
            visit=visit,
            line_no=n,
            code=f"C{n}",
            name=f"项目{n}",
            item_class="A",
            quantity=n,
            unit_price="1.50",
            fee_date=DAY(2026, 5, 1),
        )
        for n in (1, 2, 3)
    ]
    statements.insert(*rows)
    for row in rows:  # each primary key is its own row's
        assert FeeDetail.objects.get(pk=row.pk).code == row.code
    acc = Accumulator(person=insured.person, year=2026, region_code="430522")
    statements.insert(acc)
    stored = Accumulator.objects.get(pk=acc.pk)
    assert stored.basic_paid == 0 and stored.basic_paid_by_type == {}
    before = stored.updated_at
    acc.basic_paid_by_type = {"inpatient": "12.00"}
    statements.update(acc, ["basic_paid_by_type", "updated_at"])
    stored = Accumulator.objects.get(pk=acc.pk)
    assert stored.basic_paid_by_type == {"inpatient": "12.00"} and stored.updated_at > before
    with pytest.raises(IntegrityError), transaction.atomic():
        statements.insert(Accumulator(person=insured.person, year=2026, region_code="430522"))


def test_a_list_compiles_once_per_length_and_long_ones_are_left_to_the_orm(insured):
    from huimin.insurance.statements import InList

    a, b, c = (register(insured, no) for no in ("L-A", "L-B", "L-C"))
    by_numbers = InList(
        lambda numbers, inst: Visit.objects.filter(
            his_visit_no__in=numbers, institution_id=inst
        ).order_by("pk"),
        inst=INT,
        most=3,
    )
    hospital = insured.hospital.pk
    assert [v.pk for v in by_numbers.rows(["L-A"], inst=hospital)] == [a.pk]
    assert [v.pk for v in by_numbers.rows(["L-C", "L-A", "L-B"], inst=hospital)] == [
        a.pk,
        b.pk,
        c.pk,
    ]
    assert by_numbers.rows(["L-A", "L-B"], inst=insured.centre.pk) == []
    assert by_numbers.rows(["L-A", "L-B", "L-C", "L-D"], inst=hospital) is None
    assert by_numbers.rows([], inst=hospital) is None


@pytest.mark.django_db(transaction=True)
def test_a_new_database_session_prepares_it_again():
    from django.db import connection

    # On PostgreSQL a statement is prepared once per session; a reconnect starts afresh.
    assert VISIT.first(inst=1, no="none") is None
    connection.close()
    assert VISIT.first(inst=1, no="none") is None
