"""huimin seed-enrollment: most living residents enrolled and paid, the ledger balanced."""

import datetime
from decimal import Decimal

from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum

from huimin.insurance.enrollment import seed, services
from huimin.insurance.enrollment.models import Enrollment, EnrollmentPeriod, Payment
from huimin.insurance.ledger import services as ledger
from huimin.insurance.ledger.models import JournalEntry
from huimin.registry.models import PersonCategory
from tests import factories

D = datetime.date
AS_OF = D(2026, 6, 30)


def make_residents(n=60):
    people = []
    for i in range(n):
        village = factories.VILLAGES[i % 3]
        head = factories.make_person(f"居民{i}", village=village, birth=D(1960 + i % 40, 1, 1))
        factories.make_household(head)
        people.append(head)
    for p in people[:6]:
        PersonCategory.objects.create(person=p, category="tekun", valid_from=D(2020, 1, 1))
    for p in people[6:12]:
        PersonCategory.objects.create(person=p, category="dibao", valid_from=D(2020, 1, 1))
    dead = factories.make_person("已故", death_date=D(2024, 1, 1))
    factories.make_household(dead)
    factories.make_person("无户")  # in no household: not enrolled
    return people


def test_seed_enrolls_most_and_balances_the_ledger(county):
    make_residents()
    result = seed.seed_enrollment(2026, rate=0.9, as_of=AS_OF)
    period = EnrollmentPeriod.objects.get(region_code="430522", year=2026)
    assert (period.individual, period.subsidy) == (Decimal("400.00"), Decimal("670.00"))
    assert result.candidates == 60  # living people in a household
    assert 45 <= result.enrolled <= 60
    assert result.enrolled == Enrollment.objects.count()
    assert result.paid == Payment.objects.count()
    assert not Enrollment.objects.filter(person__death_date__isnull=False).exists()
    # Tekun pay nothing and are paid by assistance; dibao owe 200.00.
    for e in Enrollment.objects.filter(category="tekun"):
        assert e.personal_due == 0 and e.status == "paid"
    assert set(
        Enrollment.objects.filter(category="dibao").values_list("personal_due", flat=True)
    ) == {Decimal("200.00")}
    tb = ledger.trial_balance("430522", 2026)
    assert tb["balanced"]
    balances = {r["code"]: r["balance"] for r in tb["rows"]}
    paid = Enrollment.objects.filter(status="paid")
    assert balances["4101"] == Payment.objects.aggregate(s=Sum("amount"))["s"]
    assert balances["4103"] == paid.aggregate(s=Sum("assistance_share"))["s"]
    assert balances["4102"] == Decimal("670.00") * paid.count()
    # One summarised entry per village.
    assert JournalEntry.objects.filter(source_type="enrollment.seed").count() == 3
    e = paid.filter(late=False).first()
    assert services.coverage_on(e.person_id, D(2026, 3, 1)).enrollment_id == e.pk


def test_seed_again_fills_gaps_only_and_stays_balanced(county):
    make_residents()
    first = seed.seed_enrollment(2026, rate=0.5, as_of=AS_OF)
    second = seed.seed_enrollment(2026, rate=1.0, as_of=AS_OF)
    assert first.enrolled + second.enrolled == 60
    assert Enrollment.objects.count() == 60
    assert ledger.trial_balance("430522", 2026)["balanced"]


class Undo(Exception):
    pass


def test_seed_is_deterministic(county):
    make_residents()

    def run():
        seed.seed_enrollment(2026, rate=0.9, as_of=AS_OF)
        return list(
            Enrollment.objects.order_by("person_id").values_list(
                "person_id", "status", "enrolled_on", "late"
            )
        )

    try:
        with transaction.atomic():
            first = run()
            raise Undo
    except Undo:
        pass
    assert not Enrollment.objects.exists()
    assert run() == first


def test_command(county, capsys):
    make_residents(10)
    call_command("seed_enrollment", "--year", "2026", "--as-of", "2026-06-30")
    out = capsys.readouterr().out
    assert "试算平衡：是" in out and "登记" in out
