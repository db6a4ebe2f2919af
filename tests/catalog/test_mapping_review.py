"""目录对照: institutions submit their codes, an officer reviews; only approved ones resolve."""

import pytest

from huimin.audit.models import AuditEvent
from huimin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huimin.insurance.catalog import services
from huimin.insurance.catalog.models import InstitutionItemMap
from tests import factories
from tests.catalog.conftest import DRUG, DRUG_B, make_item


@pytest.fixture
def items(db):
    make_item(DRUG_B)
    make_item(DRUG)


def maps():
    return sorted(
        InstitutionItemMap.objects.values_list("local_code", "item__code", "status", "note")
    )


def submit(user, institution, local="YP0001", code=DRUG_B):
    return services.do_submit_mapping(user, institution.pk, local, "复方氨基酸", code)


def test_only_approved_mappings_resolve(items, hospital, cashier, officer):
    approved = submit(cashier, hospital, "YP0001", DRUG_B)
    rejected = submit(cashier, hospital, "YP0002", DRUG)
    submit(cashier, hospital, "YP0003", DRUG)  # still waiting
    services.do_review_mapping(officer, approved.pk, approve=True)
    services.do_review_mapping(officer, rejected.pk, approve=False, note="规格不符")
    resolved = services.resolve_codes(hospital.pk, ["YP0001", "YP0002", "YP0003", DRUG])
    assert resolved == {"YP0001": DRUG_B, DRUG: DRUG}
    assert {e.action for e in AuditEvent.objects.filter(object_type="catalog.map")} == {
        "create",
        "approve",
        "reject",
    }


def test_mappings_belong_to_their_institution(items, hospital, other_hospital, cashier, officer):
    row = submit(cashier, hospital)
    services.do_review_mapping(officer, row.pk, approve=True)
    assert services.resolve_codes(other_hospital.pk, ["YP0001"]) == {}


def test_withdrawing_an_approved_mapping_stops_it_resolving(items, hospital, cashier, officer):
    row = submit(cashier, hospital)
    services.do_review_mapping(officer, row.pk, approve=True)
    services.do_review_mapping(officer, row.pk, approve=False, note="药品已换厂家")
    assert services.resolve_codes(hospital.pk, ["YP0001"]) == {}
    # ... and the code can be mapped again.
    again = submit(cashier, hospital, code=DRUG)
    services.do_review_mapping(officer, again.pk, approve=True)
    assert services.resolve_codes(hospital.pk, ["YP0001"]) == {"YP0001": DRUG}


def test_a_live_mapping_cannot_be_submitted_twice(items, hospital, cashier):
    submit(cashier, hospital)
    before = maps()
    with pytest.raises(Conflict):
        submit(cashier, hospital, code=DRUG)
    assert maps() == before


@pytest.mark.parametrize(
    ("local", "name", "code", "field"),
    [
        ("", "名称", DRUG_B, "local_code"),
        ("X" * 41, "名称", DRUG_B, "local_code"),
        ("YP1", "", DRUG_B, "local_name"),
        ("YP1", "名称", "XNOTINTHECATALOG000000000", "code"),
    ],
)
def test_bad_submissions_are_refused(items, hospital, cashier, local, name, code, field):
    with pytest.raises(ValidationFailed) as exc:
        services.do_submit_mapping(cashier, hospital.pk, local, name, code)
    assert field in exc.value.fields
    assert maps() == []


def test_staff_map_only_their_own_institution(items, hospital, other_hospital, cashier):
    with pytest.raises(NotFound):
        submit(cashier, other_hospital)
    assert maps() == []


def test_reviewing_needs_a_manager_in_whose_jurisdiction_it_lies(
    items, hospital, other_hospital, cashier, officer, township_clerk
):
    row = submit(cashier, hospital)
    with pytest.raises(PermissionDenied):
        services.do_review_mapping(cashier, row.pk, approve=True)
    # An officer of another county does not see this county's mappings.
    outsider = factories.make_staff("far", "insurance_officer", "430523")
    with pytest.raises(NotFound):
        services.do_review_mapping(outsider, row.pk, approve=True)
    assert maps() == [("YP0001", DRUG_B, "submitted", "")]


def test_nobody_reviews_their_own_submission(items, hospital, officer):
    row = submit(officer, hospital)
    with pytest.raises(PermissionDenied) as exc:
        services.do_review_mapping(officer, row.pk, approve=True)
    assert exc.value.code == "four_eyes"
    assert maps()[0][2] == "submitted"


def test_rejection_needs_a_reason_and_reviews_happen_once(items, hospital, cashier, officer):
    row = submit(cashier, hospital)
    with pytest.raises(ValidationFailed) as exc:
        services.do_review_mapping(officer, row.pk, approve=False, note="  ")
    assert "note" in exc.value.fields
    assert maps()[0][2] == "submitted"
    services.do_review_mapping(officer, row.pk, approve=True, note="核对无误")
    with pytest.raises(Conflict):
        services.do_review_mapping(officer, row.pk, approve=True)
    assert maps() == [("YP0001", DRUG_B, "approved", "核对无误")]


def test_unknown_mapping(items, officer):
    with pytest.raises(NotFound):
        services.do_review_mapping(officer, 999999, approve=True)
