"""huimin seed-settlements again: nothing added, a stopped run carries on where it stopped
and gives what one run gives, other settlements stop it, bad options change nothing."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from huimin.audit.models import AuditEvent
from huimin.insurance.catalog.seed import seed_demo_catalog
from huimin.insurance.enrollment.models import Enrollment
from huimin.insurance.ledger.models import JournalEntry
from huimin.insurance.models import FeeDetail, Settlement, Visit
from huimin.insurance.seed.plan import SeedError, seed_plan
from huimin.insurance.seed.settlements import seed_settlements
from huimin.insurance.services import fees
from huimin.insurance.services.settlement import do_settle
from huimin.insurance.services.visits import VisitData, do_register_visit
from huimin.registry.models import Institution
from tests.insurance.test_seed_settlements import AS_OF, COUNTY, YEAR, build_county

D = datetime.date
JAN_31 = D(YEAR, 1, 31)


def run(until=JAN_31, **options):
    options = {"per_day": 2, "until": until, "reversal_rate": 0.2, **options}
    return seed_settlements(YEAR, county=COUNTY, **options)


def counts() -> dict:
    return {
        m.__name__: m.objects.count()
        for m in (Settlement, Visit, FeeDetail, JournalEntry, AuditEvent)
    }


def settled() -> list[tuple]:
    return list(
        Settlement.objects.order_by("idempotency_key").values_list(
            "idempotency_key", "visit__his_visit_no", "person_id", "kind", "total", "basic_fund"
        )
    )


class Undo(Exception):
    pass


def test_running_again_adds_nothing(db):
    build_county(120)
    first = run()
    assert first.settled > 0
    before = counts()
    again = run()
    assert again.skipped and again.settled == 0
    assert counts() == before


def test_a_stopped_run_carries_on_and_gives_what_one_run_gives(db):
    build_county(120)
    try:
        with transaction.atomic():
            run(until=D(YEAR, 2, 20))
            whole = settled()
            raise Undo
    except Undo:
        pass
    assert not Settlement.objects.exists()
    first = run(until=D(YEAR, 1, 31))
    second = run(until=D(YEAR, 2, 20))
    assert (first.last_day, second.first_day) == (D(YEAR, 1, 31), D(YEAR, 2, 1))
    assert settled() == whole
    assert len(whole) > 20


def test_other_settlements_of_the_year_stop_it(db):
    build_county(120)
    enrolled = Enrollment.objects.filter(status="paid", benefits_from__lte=D(YEAR, 1, 5)).first()
    centre = Institution.objects.filter(kind="township_health_centre").first()
    do_register_visit(
        centre,
        VisitData(
            id_number=enrolled.person.reveal_id_number(),
            visit_type="outpatient_general",
            his_visit_no="HIS-1",
            visit_date=D(YEAR, 1, 5),
        ),
    )
    fees.do_upload_fees(centre, "HIS-1", [fees.FeeLineData("001101000010000", 1, 10)])
    do_settle(centre, "HIS-1", "counter-1", {})
    before = counts()
    result = run()
    assert result.skipped and result.settled == 0
    assert counts() == before


def test_refused_without_a_plan_and_nothing_written(db):
    out = io.StringIO()
    call_command("generate", residents=60, seed=7, as_of=AS_OF, no_progress=True, stdout=out)
    seed_demo_catalog()
    from huimin.insurance.enrollment import seed as enrollment_seed

    enrollment_seed.seed_enrollment(YEAR, county=COUNTY, seed=7, as_of=AS_OF)
    before = counts()
    with pytest.raises(SeedError, match="seed-plan"):
        run()
    assert counts() == before


def test_refused_without_paid_enrollment_and_nothing_written(db):
    out = io.StringIO()
    call_command("generate", residents=60, seed=7, as_of=AS_OF, no_progress=True, stdout=out)
    call_command("demo_accounts", stdout=out)
    seed_plan(COUNTY, YEAR)
    seed_demo_catalog()
    before = counts()
    with pytest.raises(SeedError, match="seed-enrollment"):
        run()
    assert counts() == before


def test_bad_options_are_refused_and_change_nothing(db):
    build_county(60)
    before = counts()
    with pytest.raises(SeedError, match="per-day"):
        run(per_day=0)
    with pytest.raises(SeedError, match="冲正比例"):
        seed_settlements(YEAR, county=COUNTY, reversal_rate=1.5)
    with pytest.raises(SeedError, match="县级区划代码"):
        seed_settlements(YEAR, county="999999")
    # A year that has not begun by --until (or today) has no days to seed.
    assert "还没有" in run(until=D(YEAR - 1, 12, 31)).skipped
    assert "还没有" in seed_settlements(2100, county=COUNTY).skipped
    for argv, message in (
        (["--year", "2026", "--per-day", "0"], "--per-day"),
        (["--year", "1999"], "--year"),
        (["--year", "2026", "--until", "2026-13-01"], "--until"),
        (["--year", "2026", "--county", "999999"], "县级区划代码"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("seed_settlements", *argv, "--no-progress")
    assert counts() == before


def test_command_reports_counts_and_balance(db):
    build_county(120)
    out = io.StringIO()
    call_command(
        "seed_settlements",
        *("--year", "2026", "--per-day", "1", "--until", "2026-01-20", "--no-progress"),
        stdout=out,
    )
    text = out.getvalue()
    assert "试算平衡：是" in text
    assert f"结算 {Settlement.objects.filter(kind='settle', reversed_at=None).count()} 笔" in text
    out = io.StringIO()
    call_command("seed_settlements", "--year", "2026", "--until", "2026-01-20", stdout=out)
    assert "已生成至2026-01-20" in out.getvalue()
