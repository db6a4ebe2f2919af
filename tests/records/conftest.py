"""Shared fixtures for the health-record tests: a village doctor, township public-health
staff, and residents with open records (built through the real services)."""

import datetime

import pytest

from huimin.records import services
from huimin.records.models import Programme
from tests import factories


@pytest.fixture
def village_doctor(county):
    clinic = factories.make_institution(
        "城东村卫生室", factories.VILLAGES[0], "village_clinic", "1"
    )
    user = factories.make_staff("cundoc", "village_doctor", factories.VILLAGES[0], clinic)
    user.first_name = "李医生"
    user.save(update_fields=["first_name"])
    return user


@pytest.fixture
def other_village_doctor(county):
    clinic = factories.make_institution(
        "严塘村卫生室", factories.VILLAGES[2], "village_clinic", "1"
    )
    return factories.make_staff("cundoc2", "village_doctor", factories.VILLAGES[2], clinic)


@pytest.fixture
def public_health_officer(county):
    return factories.make_staff("gongwei", "public_health_officer", factories.TOWNSHIPS[0])


@pytest.fixture
def resident(county):
    return factories.make_person("王大爷", birth=datetime.date(1956, 3, 1), sex="1")


@pytest.fixture
def resident_record(resident, village_doctor):
    return services.do_open_record(village_doctor, resident.pk, opened_on=datetime.date(2025, 1, 6))


@pytest.fixture
def hypertensive(resident_record, village_doctor):
    """The resident's record, with hypertension registered on 2025-01-06."""
    Programme.objects.create(
        record=resident_record,
        person=resident_record.person,
        region_code=resident_record.region_code,
        kind="hypertension",
        registered_on=datetime.date(2025, 1, 6),
        registered_by=village_doctor,
    )
    return resident_record
