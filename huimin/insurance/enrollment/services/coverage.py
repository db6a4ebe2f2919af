"""Coverage: is a person insured on a date (the contract the settlement service calls)."""

import datetime
from dataclasses import dataclass

from django.db.models import FilteredRelation, Q

from huimin.core.errors import NotFound
from huimin.core.statements import DATE, INT, Statement
from huimin.insurance.enrollment import rules
from huimin.insurance.enrollment.models import (
    Enrollment,
    EnrollmentStatus,
)
from huimin.insurance.enrollment.services.access import check_can_read
from huimin.registry.models import Person

# ---------------------------------------------------------------- coverage


@dataclass(frozen=True)
class Coverage:
    enrollment_id: int
    year: int
    benefits_from: datetime.date
    categories: list[str]
    person_category: str


def _coverage_rows(person, year, on):
    in_force = Q(person__categories__valid_from__lte=on) & (
        Q(person__categories__valid_to__isnull=True) | Q(person__categories__valid_to__gte=on)
    )
    return (
        Enrollment.objects.filter(
            person_id=person,
            year=year,
            status=EnrollmentStatus.PAID,
            benefits_from__lte=on,
        )
        .annotate(in_force=FilteredRelation("person__categories", condition=in_force))
        .values_list("pk", "year", "benefits_from", "in_force__category")
    )


# Every settlement transaction asks this: compiled once (core/statements.py).
_COVERAGE = Statement(_coverage_rows, person=INT, year=INT, on=DATE)


def coverage_on(person_id: int, on: datetime.date) -> Coverage | None:
    """Is the person insured on `on`? One query (see the module docstring)."""
    rows = _COVERAGE.tuples(person=person_id, year=on.year, on=on)
    if not rows:
        return None
    enrollment_id, year, benefits_from, _ = rows[0]
    categories = sorted({row[3] for row in rows if row[3]})
    return Coverage(
        enrollment_id=enrollment_id,
        year=year,
        benefits_from=benefits_from,
        categories=categories,
        person_category=rules.person_category(categories),
    )


def check_coverage_lookup(user, person_id: int) -> Person:
    check_can_read(user)
    person = Person.objects.visible_to(user).filter(pk=person_id).first()
    if person is None:
        raise NotFound("居民")
    return person
