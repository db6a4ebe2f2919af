"""Hot-path statements compiled once give what the ORM gives, for any values."""

import datetime

import pytest
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.transaction import TransactionManagementError
from django.test.utils import isolate_apps

from huimin.core.statements import DATE, INT, TEXT, Statement
from huimin.insurance.models import FeeDetail, Visit
from huimin.insurance.services import fees
from huimin.insurance.services.visits import VisitData, do_register_visit
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

    from huimin.core import statements
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
    from huimin.core.statements import InList

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


def test_lock_or_create_gives_the_row_as_the_orm_has_it(insured):
    from huimin.core import statements
    from huimin.insurance.models import Accumulator

    with transaction.atomic():
        fresh = Accumulator(person=insured.person, year=2026, region_code="430522")
        made = statements.lock_or_create(fresh, ("person_id", "year"))
        orm = Accumulator.objects.get(person=insured.person, year=2026)
        for field in Accumulator._meta.concrete_fields:
            assert getattr(made, field.attname) == getattr(orm, field.attname), field.name
    Accumulator.objects.filter(pk=orm.pk).update(
        basic_paid="12.50", basic_paid_by_type={"inpatient": "12.50"}
    )
    with transaction.atomic():
        again = Accumulator(person=insured.person, year=2026, region_code="430522")
        found = statements.lock_or_create(again, ("person_id", "year"))
    # The existing row, its values untouched, not a second one.
    assert found.pk == orm.pk and Accumulator.objects.count() == 1
    assert str(found.basic_paid) == "12.50" and found.basic_paid_by_type == {"inpatient": "12.50"}


def test_insert_if_absent_says_whether_it_wrote(insured):
    from huimin.core import statements
    from huimin.core.models import IdempotencyRecord

    def record():
        return IdempotencyRecord(scope="s", key="k", operation="op", request_hash="h")

    first = record()
    assert statements.insert_if_absent(first, ("scope", "key"))
    assert IdempotencyRecord.objects.get(pk=first.pk).operation == "op"
    assert not statements.insert_if_absent(record(), ("scope", "key"))
    assert IdempotencyRecord.objects.filter(scope="s").count() == 1


@isolate_apps("huimin.insurance")  # models of this test only, never seen by makemigrations
def test_insert_refuses_columns_the_database_fills_itself():
    from django.db import models
    from django.db.models.functions import Lower

    from huimin.core import statements

    class Generated(models.Model):  # noqa: DJ008
        name = models.CharField(max_length=10)
        lowered = models.GeneratedField(
            expression=Lower("name"), output_field=models.CharField(max_length=10), db_persist=True
        )

        class Meta:
            app_label = "insurance"
            managed = False

    class DatabaseDefault(models.Model):  # noqa: DJ008
        note = models.CharField(max_length=10, db_default="")

        class Meta:
            app_label = "insurance"
            managed = False

    # Nothing reaches the database: both are refused before any SQL.
    with pytest.raises(TypeError, match="GeneratedField"):
        statements.insert(Generated(name="A"))
    with pytest.raises(TypeError, match="db_default"):
        statements.insert(DatabaseDefault())
    with pytest.raises(TypeError, match="db_default"):
        statements.insert_sql(DatabaseDefault)
