"""huimin seed-plan: the demo plan uploaded by one officer and activated by another, once."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from huimin.audit.models import AuditEvent
from huimin.insurance import plans
from huimin.insurance.models import BenefitPlan, PlanStatus
from huimin.insurance.seed.plan import SeedError, demo_plan_document, seed_plan
from tests import factories

AS_OF = datetime.date(2026, 11, 24)
COUNTY = "430522"


@pytest.fixture
def generated(db):
    """A small synthetic county with the demo accounts (officer among them)."""
    out = io.StringIO()
    call_command("generate", residents=50, seed=7, as_of=AS_OF, no_progress=True, stdout=out)
    call_command("demo_accounts", stdout=out)


def test_uploaded_by_officer_and_activated_by_a_second_officer(generated):
    result = seed_plan(COUNTY, 2026)
    assert result.created
    plan = BenefitPlan.objects.get()
    assert plan.status == PlanStatus.ACTIVE
    assert (plan.region_code, plan.year) == (COUNTY, 2026)
    assert plan.uploaded_by.username == "officer"
    assert plan.activated_by.username == "officer2"
    assert plan.activated_by_id != plan.uploaded_by_id
    assert plan.activated_by.staff.role == "insurance_officer"
    assert plan.activated_by.has_usable_password()  # a demo login: four eyes can be shown
    assert plans.active_plan_for("430522100201", 2026) == plan
    assert plans.parsed(plan).region == COUNTY
    # Both steps are on the audit chain under their own actors.
    events = AuditEvent.objects.filter(object_type="insurance.plan", object_id=str(plan.pk))
    assert sorted(events.values_list("action", "actor_username")) == [
        ("approve", "officer2"),
        ("create", "officer"),
    ]


def test_the_plan_follows_the_county_and_year_asked_for(generated):
    plan = seed_plan(COUNTY, 2027).plan
    assert (plan.region_code, plan.year) == (COUNTY, 2027)
    assert "2027" in plan.name and "新邵县" in plan.name
    assert plans.parsed(plan).year == 2027


def test_running_again_changes_nothing(generated):
    first = seed_plan(COUNTY, 2026).plan
    events = AuditEvent.objects.count()
    again = seed_plan(COUNTY, 2026)
    assert not again.created
    assert again.plan == first
    assert BenefitPlan.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_an_existing_active_plan_is_left_alone(generated):
    uploader = factories.make_staff("planner", "insurance_officer")
    checker = factories.make_staff("checker", "insurance_officer")
    own = plans.do_upload_plan(uploader, demo_plan_document(COUNTY, 2026, "新邵县"))
    plans.do_activate_plan(checker, own.pk)
    result = seed_plan(COUNTY, 2026)
    assert not result.created and result.plan == own
    assert BenefitPlan.objects.count() == 1
    assert not AuditEvent.objects.filter(actor_username="officer2").exists()


def test_refused_without_the_demo_officer_and_nothing_written(db):
    out = io.StringIO()
    call_command("generate", residents=50, seed=7, as_of=AS_OF, no_progress=True, stdout=out)
    events = AuditEvent.objects.count()
    with pytest.raises(SeedError, match="demo_accounts"):
        seed_plan(COUNTY, 2026)
    assert not BenefitPlan.objects.exists()
    assert not get_user_model().objects.filter(username="officer2").exists()
    assert AuditEvent.objects.count() == events


def test_refused_for_a_county_without_synthetic_data(county):
    # The test county's regions are not generated: a real county must not get the demo plan.
    factories.make_staff("officer", "insurance_officer")
    with pytest.raises(SeedError, match="合成数据"):
        seed_plan(COUNTY, 2026)
    assert not BenefitPlan.objects.exists()


def test_command_prints_who_uploaded_and_who_activated(generated):
    out = io.StringIO()
    call_command("seed_plan", stdout=out)
    assert "officer 上传，officer2 复核启用" in out.getvalue()
    out = io.StringIO()
    call_command("seed_plan", stdout=out)
    assert "已有生效方案" in out.getvalue()
    assert BenefitPlan.objects.count() == 1


def test_command_refuses_bad_input_and_writes_nothing(generated):
    with pytest.raises(CommandError, match="--year"):
        call_command("seed_plan", "--year", "1999")
    with pytest.raises(CommandError, match="县级区划代码"):
        call_command("seed_plan", "--county", "999999")
    assert not BenefitPlan.objects.exists()
