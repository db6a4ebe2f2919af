"""A grant changed through the security administrator's service is seen at once in the
process that made it, even by a user object that has already read its grants."""

from huimin.accounts import administration
from huimin.policy import has_perm
from huimin.policy.models import PolicyVersion
from huimin.policy.permissions import policy_version
from tests import factories


def test_a_revoke_is_seen_by_a_user_object_that_already_read_its_grants(county):
    hospital = factories.make_institution()
    cashier = factories.make_staff("cashier1", "cashier", factories.COUNTY, institution=hospital)
    secadmin = factories.make_staff("secadmin1", "security_admin", factories.COUNTY)
    assert has_perm(cashier, "catalog.read")
    before = policy_version()

    wanted = administration.role_matrix() - {("cashier", "catalog.read")}
    administration.do_set_role_permissions(secadmin, wanted)

    assert policy_version() == before + 1
    assert not has_perm(cashier, "catalog.read")
    assert has_perm(cashier, "settlement.operate")


def test_an_unchanged_matrix_leaves_the_version(county):
    secadmin = factories.make_staff("secadmin1", "security_admin", factories.COUNTY)
    before = PolicyVersion.objects.get(pk=1).version
    administration.do_set_role_permissions(secadmin, administration.role_matrix())
    assert PolicyVersion.objects.get(pk=1).version == before
