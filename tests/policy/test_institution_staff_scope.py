"""visible_to scopes institution staff to their own institution, for every table that
declares an institution field: once, in the queryset, not per page."""

import datetime

import pytest

from huimin.insurance.catalog.models import CatalogItem, InstitutionItemMap
from huimin.insurance.models import Settlement, Visit
from huimin.policy import visible_to
from huimin.registry.models import Person
from tests import factories


@pytest.fixture
def world(county):
    hospital = factories.make_institution()
    other = factories.make_institution("新邵县中医医院")
    patient = factories.make_person("张三", factories.VILLAGES[0])
    visits = {}
    for institution in (hospital, other):
        visits[institution.pk] = Visit.objects.create(
            person=patient,
            institution=institution,
            region_code=patient.village_id,
            visit_type="outpatient",
            institution_level="2",
            his_visit_no="MZ-1",
            visit_date=datetime.date(2026, 3, 1),
        )
    item = CatalogItem.objects.create(code="X01", kind="drug")
    for institution in (hospital, other):
        InstitutionItemMap.objects.create(
            institution=institution, local_code="L1", local_name="药", item=item
        )
    return {
        "hospital": hospital,
        "other": other,
        "visits": visits,
        "cashier": factories.make_staff(
            "cashier", "cashier", factories.COUNTY, institution=hospital
        ),
        "officer": factories.make_staff("officer", "insurance_officer", factories.COUNTY),
    }


@pytest.mark.parametrize("model", [Visit, InstitutionItemMap])
def test_institution_staff_see_their_own_institutions_rows_only(world, model):
    rows = visible_to(world["cashier"], model)
    assert {r.institution_id for r in rows} == {world["hospital"].pk}


@pytest.mark.parametrize("model", [Visit, InstitutionItemMap])
def test_officers_see_every_institutions_rows_in_their_jurisdiction(world, model):
    rows = model.objects.visible_to(world["officer"])
    assert {r.institution_id for r in rows} == {world["hospital"].pk, world["other"].pk}


def test_institution_staff_keep_the_jurisdiction_on_tables_without_an_institution(world):
    # People are not the institution's: a cashier finds patients by jurisdiction.
    assert Person.objects.visible_to(world["cashier"]).count() == 1


def test_settlements_declare_their_institution():
    assert Settlement.objects.none().institution_field == "institution_id"


def test_an_institutions_client_reads_its_own_rows(world):
    mine = Visit.objects.of_institution(world["hospital"].pk)
    assert {v.institution_id for v in mine} == {world["hospital"].pk}
    assert not Visit.objects.of_institution(None).exists()
