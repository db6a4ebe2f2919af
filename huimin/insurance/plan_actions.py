"""Officer actions on benefit plans beyond plans.py: finding a plan of the user's
jurisdiction, the plan a draft is read against, and rejection. The life cycle itself is
policy.four_eyes, shared with review rule sets.
"""

from huimin.insurance import plans
from huimin.insurance.models import BenefitPlan, PlanStatus


def check_can_manage(user) -> None:
    plans.PLANS.check_manager(user)


def get_plan(user, plan_id: int) -> BenefitPlan:
    """A plan of the user's jurisdiction, or NotFound (another county's plan is not there)."""
    return plans.PLANS.get(user, plan_id)


def previous_plan(plan: BenefitPlan) -> BenefitPlan | None:
    """What a plan is read against: for a draft, the same year's plan in force, which
    activating it would replace; otherwise (and for a year's first plan) last year's
    plan of the same region, the one in force, else the latest superseded."""
    if plan.status == PlanStatus.DRAFT:
        replaced = (
            BenefitPlan.objects.filter(
                region_code=plan.region_code, year=plan.year, status=PlanStatus.ACTIVE
            )
            .exclude(pk=plan.pk)
            .first()
        )
        if replaced is not None:
            return replaced
    return (
        BenefitPlan.objects.filter(
            region_code=plan.region_code,
            year=plan.year - 1,
            status__in=[PlanStatus.ACTIVE, PlanStatus.SUPERSEDED],
        )
        .order_by("status", "-id")  # "active" sorts before "superseded"
        .first()
    )


def do_reject_plan(user, plan_id: int, reason: str, *, request=None) -> BenefitPlan:
    """A draft goes back to its uploader: status rejected, the reason in its note."""
    return plans.PLANS.reject(user, plan_id, reason, request=request)
