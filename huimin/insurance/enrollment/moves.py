"""An enrollment follows its person when they move village (registry.moves)."""

from django.db.models import Q

from huimin.audit.services import record
from huimin.insurance.enrollment.models import Enrollment, Payment
from huimin.insurance.models import Accumulator
from huimin.registry.moves import VillageMove


def follow_move(move: VillageMove) -> None:
    """The person's enrollments from the move's year on take the new village's code, with
    their payments and the year's accumulators: the new village's staff see the person's
    year, the old village's no longer do. Only where the new village lies in the pooling
    region whose period insures that year: across pooling regions the year stays with
    the fund that insured it (the next year is enrolled where they now live)."""
    rows = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("period")
        .filter(person_id=move.person_id, year__gte=move.on.year)
        .exclude(region_code=move.new_village)
        .order_by("year", "pk")
    )
    for e in rows:
        if not move.new_village.startswith(e.period.region_code):
            continue
        old = e.region_code
        Enrollment.objects.filter(pk=e.pk).update(region_code=move.new_village)
        payments = Payment.objects.filter(enrollment_id=e.pk).update(region_code=move.new_village)
        Accumulator.objects.filter(
            Q(person_id=move.person_id, year=e.year) & ~Q(region_code=move.new_village)
        ).update(region_code=move.new_village)
        record(
            action="update",
            object_type="enrollment.enrollment",
            object_id=str(e.pk),
            region_code=move.new_village,
            fields=["region_code"],
            changes={"region_code": [old, move.new_village], "payments": [None, payments]},
            purpose="居民迁居",
            actor=move.user,
        )
