"""One superuser decision: a Django superuser is no role and holds no permission or
jurisdiction (policy/permissions.py). Before the policy layer some checks let one in
(plan actions, catalog, registry writes) and others refused (plan upload)."""

import pytest
from django.contrib.auth import get_user_model

from huimin.core.errors import PermissionDenied
from huimin.insurance import plan_actions, plans
from huimin.policy import check_perm, has_perm, jurisdiction_of
from huimin.policy.permissions import PERMISSIONS
from huimin.registry import services as registry_services
from huimin.registry.models import Person, Staff
from tests import factories


@pytest.fixture
def root(county):
    return get_user_model().objects.create_superuser("root", password="Root#2026pass")


@pytest.mark.parametrize("perm", sorted(PERMISSIONS))
def test_a_superuser_holds_no_permission(root, perm):
    assert not has_perm(root, perm)


def test_a_superuser_has_no_jurisdiction_and_sees_no_one(root):
    head = factories.make_person()
    factories.make_household(head)
    assert jurisdiction_of(root) is None
    assert not Person.objects.visible_to(root).exists()


def test_plan_upload_and_plan_actions_agree_on_the_superuser(root):
    with pytest.raises(PermissionDenied):
        plan_actions.check_can_manage(root)
    with pytest.raises(PermissionDenied):
        plans.PLANS.check_manager(root, factories.COUNTY)


def test_registry_writes_refuse_the_superuser(root):
    with pytest.raises(PermissionDenied):
        registry_services.check_can_write(root, factories.VILLAGES[0])


def test_a_superuser_with_a_staff_row_acts_through_the_role(root):
    Staff.objects.create(user=root, role="township_clerk", jurisdiction=factories.TOWNSHIPS[0])
    root = get_user_model().objects.get(pk=root.pk)
    assert has_perm(root, "registry.write") and not has_perm(root, "plan.manage")
    check_perm(root, "registry.write", factories.VILLAGES[0])
    with pytest.raises(PermissionDenied):
        check_perm(root, "registry.write", factories.VILLAGES[2])  # the other township
