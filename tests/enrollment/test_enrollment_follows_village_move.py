"""When a person moves village, their enrollment for the year of the move (and later
years) follows them with its payments and the year's accumulators: the new village's
staff see it, the old village's no longer do. Earlier years stay where they were; a move
out of the pooling region leaves the year with the fund that insured it."""

import datetime

from django.utils import timezone

from huimin.audit.models import AuditEvent
from huimin.insurance.enrollment.models import Enrollment, Payment
from huimin.insurance.models import Accumulator
from huimin.registry import services as registry
from huimin.registry.models import Person
from tests import factories
from tests.enrollment.helpers import enroll, pay_cash

D = datetime.date
OLD, NEW = factories.VILLAGES[0], factories.VILLAGES[2]  # 酿溪镇城东村 → 严塘镇严塘村


def clerks():
    return (
        factories.make_staff("clerk_nx", "township_clerk", factories.TOWNSHIPS[0]),
        factories.make_staff("clerk_yt", "township_clerk", factories.TOWNSHIPS[1]),
    )


def seen_by(user, person):
    return list(
        Enrollment.objects.visible_to(user).filter(person=person).values_list("year", flat=True)
    )


def test_moving_into_a_household_of_another_village(officer, this_year, family):
    year = this_year.year
    today = timezone.localdate()
    mother = family["mother"]
    enrolled = enroll(officer, family["household"], on=today)
    payment = pay_cash(officer, enrolled[mother.pk], day=today)
    Accumulator.objects.create(person=mother, year=year, region_code=OLD)
    old_clerk, new_clerk = clerks()
    assert (seen_by(old_clerk, mother), seen_by(new_clerk, mother)) == ([year], [])

    sister = factories.make_person("王姨", village=NEW, birth=D(1975, 1, 1), sex="2")
    target = factories.make_household(sister)
    registry.do_move_member(officer, mother.pk, target.pk, "50", "投靠亲属", on=today)

    assert Person.objects.get(pk=mother.pk).village_id == NEW
    assert (seen_by(old_clerk, mother), seen_by(new_clerk, mother)) == ([], [year])
    assert Enrollment.objects.get(person=mother).region_code == NEW
    assert Payment.objects.get(pk=payment.pk).region_code == NEW
    assert Accumulator.objects.get(person=mother, year=year).region_code == NEW
    # The rest of the household stays where it lives.
    assert Enrollment.objects.get(person=family["father"]).region_code == OLD
    event = AuditEvent.objects.get(
        object_type="enrollment.enrollment",
        object_id=str(enrolled[mother.pk].pk),
        purpose="居民迁居",
    )
    assert event.changes["region_code"] == [OLD, NEW]


def test_changing_the_village_on_the_person_page(officer, this_year, family):
    year = this_year.year
    grandma = family["grandma"]
    enroll(officer, family["household"], on=timezone.localdate())
    old_clerk, new_clerk = clerks()

    registry.do_update_person(
        officer,
        grandma.pk,
        registry.PersonData(
            name=grandma.name,
            id_number=grandma.reveal_id_number(),
            village_code=NEW,
            sex=grandma.sex,
            birth_date=grandma.birth_date,
        ),
    )

    assert (seen_by(old_clerk, grandma), seen_by(new_clerk, grandma)) == ([], [year])


def test_earlier_years_stay_and_a_move_out_of_the_pool_keeps_the_year(officer, this_year, family):
    year = this_year.year
    father = family["father"]
    enroll(officer, family["household"], on=timezone.localdate())
    # Last year's enrollment, as history of where he lived then.
    last = Enrollment.objects.get(person=father, year=year)
    Enrollment.objects.filter(pk=last.pk).update(year=year - 1)
    enroll(officer, family["household"], person_ids=[father.pk], on=timezone.localdate())

    registry.do_update_person(
        officer,
        father.pk,
        registry.PersonData(
            name=father.name,
            id_number=father.reveal_id_number(),
            village_code=NEW,
            sex=father.sex,
            birth_date=father.birth_date,
        ),
    )
    regions = dict(Enrollment.objects.filter(person=father).values_list("year", "region_code"))
    assert regions == {year - 1: OLD, year: NEW}

    # Out of the county (another pooling region): this year's fund keeps him.
    province = factories.make_staff("sheng", "insurance_officer", "43")
    registry.do_update_person(
        province,
        father.pk,
        registry.PersonData(
            name=father.name,
            id_number=father.reveal_id_number(),
            village_code=factories.OTHER_COUNTY_VILLAGE,
            sex=father.sex,
            birth_date=father.birth_date,
        ),
    )
    regions = dict(Enrollment.objects.filter(person=father).values_list("year", "region_code"))
    assert regions == {year - 1: OLD, year: NEW}
