"""check_perm and check_institution: the project's PermissionDenied (403 in a page and
in the API), naming why."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

from huimin.core.errors import PermissionDenied
from huimin.policy import check_institution, check_perm
from tests import factories


@pytest.fixture
def clerk(county):
    return factories.make_staff("clerk", "township_clerk", factories.TOWNSHIPS[0])


def test_holding_the_permission_in_the_jurisdiction_passes(clerk):
    check_perm(clerk, "registry.write")
    check_perm(clerk, "registry.write", factories.VILLAGES[0])


def test_a_missing_permission_is_refused(clerk):
    with pytest.raises(PermissionDenied) as refused:
        check_perm(clerk, "plan.manage", factories.VILLAGES[0])
    assert refused.value.code == "forbidden"


def test_a_region_outside_the_jurisdiction_is_refused(clerk):
    with pytest.raises(PermissionDenied) as refused:
        check_perm(clerk, "registry.write", factories.VILLAGES[2])
    assert refused.value.code == "out_of_jurisdiction"
    with pytest.raises(PermissionDenied):
        check_perm(clerk, "registry.write", factories.COUNTY)  # above it


def test_an_anonymous_or_inactive_user_is_refused(clerk):
    with pytest.raises(PermissionDenied):
        check_perm(AnonymousUser(), "person.read")
    clerk.is_active = False
    with pytest.raises(PermissionDenied):
        check_perm(clerk, "person.read")


def test_the_refusal_is_also_djangos_so_a_page_answers_403(clerk):
    with pytest.raises(DjangoPermissionDenied):
        check_perm(clerk, "plan.manage")


def test_institution_staff_act_for_their_own_institution_only(county):
    hospital = factories.make_institution()
    other = factories.make_institution("新邵县中医医院")
    cashier = factories.make_staff("cashier", "cashier", factories.COUNTY, institution=hospital)
    check_institution(cashier, hospital.pk)
    with pytest.raises(PermissionDenied) as refused:
        check_institution(cashier, other.pk)
    assert refused.value.code == "other_institution"


def test_other_staff_act_for_institutions_in_their_jurisdiction(county):
    hospital = factories.make_institution()
    elsewhere = factories.make_institution("邵阳县人民医院", region="430523")
    officer = factories.make_staff("officer", "insurance_officer", factories.COUNTY)
    check_institution(officer, hospital.pk)
    with pytest.raises(PermissionDenied) as refused:
        check_institution(officer, elsewhere.pk)
    assert refused.value.code == "out_of_jurisdiction"
    with pytest.raises(PermissionDenied):
        check_institution(officer, None)
