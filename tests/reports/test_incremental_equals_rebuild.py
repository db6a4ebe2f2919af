"""Incremental refresh against a full rebuild: after random changes to a random county,
refreshing the periods the changes reach gives exactly the rows a rebuild from scratch
gives; periods that end before every change are left alone."""

import datetime

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huimin.records.models import Form, HealthRecord, Programme
from huimin.reports import aggregates, incremental
from huimin.reports.figures import Period
from huimin.reports.models import IndicatorFigure
from tests import factories
from tests.reports import dataset
from tests.reports.test_indicator_properties import FORMS, person

D = datetime.date
PERIODS = [Period.year(2025), Period.month(2026, 3), Period.month(2026, 11), Period.year(2026)]

change = st.one_of(
    st.tuples(
        st.just("form"),
        st.sampled_from(FORMS),
        st.dates(D(2025, 6, 1), D(2026, 12, 31)),
        st.sampled_from(["1", "3"]),
    ),
    st.tuples(st.just("sign"), st.integers(0, 50)),
    st.tuples(st.just("end"), st.integers(0, 50), st.dates(D(2026, 1, 1), D(2026, 12, 31))),
    st.tuples(
        st.just("born"),
        st.sampled_from(factories.VILLAGES),
        st.dates(D(2026, 1, 1), D(2026, 12, 31)),
    ),
)


def snapshot():
    return set(
        IndicatorFigure.objects.values_list(
            "indicator",
            "region_code",
            "institution_id",
            "period_start",
            "period_end",
            "numerator",
            "denominator",
        )
    )


def _build(people, user):
    made = []
    for n, p in enumerate(people):
        someone = factories.make_person(f"人{n}", p["village"], p["birth"])
        rec = dataset.record(someone, min(p["birth"], D(2026, 1, 1))) if p["record"] else None
        made.append((someone, rec))
        for kind in p["programmes"] if rec else ():
            dataset.programme(rec, kind, D(2025, 1, 1))
        for kind, day, mode, sbp, status in p["forms"]:
            dataset.form(
                user,
                someone,
                kind,
                day,
                rec,
                status=status,
                mode=mode,
                systolic=sbp,
                diastolic=sbp // 2,
            )
    return made


def _apply(changes, made, user):
    for c in changes:
        if c[0] == "form":
            someone, rec = made[hash(c) % len(made)]
            dataset.form(user, someone, c[1], c[2], rec, mode=c[3], systolic=150, diastolic=80)
            if rec is not None:  # as records.services._touched does
                HealthRecord.objects.filter(pk=rec.pk).update(changed_at=timezone.now())
        elif c[0] == "sign":
            drafts = list(Form.objects.filter(status="draft").order_by("pk"))
            if drafts:
                f = drafts[c[1] % len(drafts)]
                f.status = "signed"
                f.save()
        elif c[0] == "end":
            open_ones = list(Programme.objects.filter(ended_on__isnull=True).order_by("pk"))
            if open_ones:
                p = open_ones[c[1] % len(open_ones)]
                Programme.objects.filter(pk=p.pk).update(ended_on=c[2], end_reason="moved")
                HealthRecord.objects.filter(pk=p.record_id).update(changed_at=timezone.now())
        else:
            factories.make_person("新生", c[1], c[2])


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=st.lists(person, min_size=1, max_size=6), changes=st.lists(change, max_size=5))
def test_incremental_refresh_equals_a_rebuild(county, people, changes):
    with transaction.atomic():
        user = factories.make_staff(f"inc{len(people)}", "public_health_officer", factories.COUNTY)
        made = _build(people, user)
        aggregates.rebuild(factories.COUNTY, PERIODS)
        since = timezone.now()
        _apply(changes, made, user)
        incremental.refresh(factories.COUNTY, since)
        refreshed = snapshot()
        aggregates.rebuild(factories.COUNTY, PERIODS)
        assert refreshed == snapshot()
        transaction.set_rollback(True)


def test_only_periods_reaching_the_change_are_recomputed(county):
    user = factories.make_staff("inc", "public_health_officer", factories.COUNTY)
    someone = factories.make_person("甲", factories.VILLAGES[0], D(1950, 1, 1))
    aggregates.rebuild(factories.COUNTY, PERIODS)
    since = timezone.now()
    dataset.form(user, someone, "health_check", D(2026, 10, 5))
    reached, _ = incremental.refresh(factories.COUNTY, since)
    # A check in October 2026 cannot move 2025 or March 2026.
    assert reached == [Period.year(2026), Period.month(2026, 11)]
    assert incremental.refresh(factories.COUNTY, timezone.now())[0] == []
