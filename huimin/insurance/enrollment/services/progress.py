"""Enrollment progress per region: enrolled, paid, coverage rate."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, FilteredRelation, Q
from django.db.models.functions import Substr

from huimin.insurance.enrollment import rules
from huimin.insurance.enrollment.models import EnrollmentStatus
from huimin.insurance.enrollment.services.access import check_can_read
from huimin.policy import check_jurisdiction
from huimin.registry.models import (
    Person,
    PersonStatus,
    Region,
)

# ---------------------------------------------------------------- progress


@dataclass
class ProgressRow:
    code: str
    name: str
    residents: int
    enrolled: int  # owed or paid
    insured: int  # paid
    rate: Decimal | None


def progress(user, year: int, region: str = "") -> tuple[list[ProgressRow], ProgressRow]:
    """参保率 by the level below `region` (townships of a county, villages of a township).

    residents = unmerged people of those villages living on the year's reference date
    (rules.reference_date); enrolled and insured (paid) count those residents' enrollments
    for the year, so the rate never counts someone the denominator does not. One GROUP BY
    query, whatever the number of villages.
    """
    check_can_read(user)
    region = region or check_jurisdiction(user)
    # The child level: villages under a township (9 digits), townships under the rest.
    length = 12 if len(region) >= 9 else 9
    on = rules.reference_date(year)
    people = Person.objects.visible_to(user).filter(
        Q(death_date__isnull=True) | Q(death_date__gte=on),
        status=PersonStatus.ACTIVE,
        birth_date__lte=on,
    )
    if region:
        people = people.within(region)
    counts = (
        people.annotate(
            e=FilteredRelation(
                "enrollments",
                condition=Q(
                    enrollments__year=year,
                    enrollments__status__in=[EnrollmentStatus.OWED, EnrollmentStatus.PAID],
                ),
            ),
            child=Substr("village_id", 1, length),
        )
        .values("child")
        .annotate(
            residents=Count("id"),
            enrolled=Count("e__id"),
            insured=Count("e__id", filter=Q(e__status=EnrollmentStatus.PAID)),
        )
        .order_by("child")
    )
    counts = list(counts)
    names = dict(
        Region.objects.filter(code__in=[c["child"] for c in counts]).values_list("code", "name")
    )
    rows = [
        ProgressRow(
            code=c["child"],
            name=names.get(c["child"], ""),
            residents=c["residents"],
            enrolled=c["enrolled"],
            insured=c["insured"],
            rate=rules.rate(c["insured"], c["residents"]),
        )
        for c in counts
    ]
    residents = sum(r.residents for r in rows)
    insured = sum(r.insured for r in rows)
    total = ProgressRow(
        code=region,
        name=Region.objects.filter(code=region).values_list("name", flat=True).first() or "合计",
        residents=residents,
        enrolled=sum(r.enrolled for r in rows),
        insured=insured,
        rate=rules.rate(insured, residents),
    )
    return rows, total
