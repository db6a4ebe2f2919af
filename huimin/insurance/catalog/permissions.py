"""Who may read, manage and map the catalog.

PERMISSIONS are the names this app asks for; until they are added to
huimin/registry/permissions.py (and granted by migration), the helpers below stand in
with the nearest existing permission or the staff role.
"""

from huimin.registry.models import INSTITUTION_ROLES
from huimin.registry.permissions import ADMIN_ROLES, has_perm

PERMISSIONS = {
    "catalog.read": "查询医保目录与目录对照",
    "catalog.manage": "导入、维护医保目录，审核目录对照",
    "catalog.map": "提交本机构的目录对照",
}


def _role(user) -> str | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    staff = getattr(user, "staff", None)
    return staff.role if staff is not None else None


def can_read(user) -> bool:
    # TODO: has_perm(user, "catalog.read") once registered. The catalog is reference data,
    # not personal data: every business role reads it; the three administrators do not.
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return True
    role = _role(user)
    return role is not None and role not in ADMIN_ROLES


def can_manage(user) -> bool:
    # TODO: has_perm(user, "catalog.manage") once registered.
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return True
    return has_perm(user, "institution.write")


def can_map_for(user, institution) -> bool:
    """Institution staff map their own institution's codes; managers any in their scope."""
    # TODO: has_perm(user, "catalog.map") for the institution roles once registered.
    if can_manage(user):
        from huimin.registry.models import Institution

        return Institution.objects.visible_to(user).filter(pk=institution.pk).exists()
    role = _role(user)
    return role in INSTITUTION_ROLES and user.staff.institution_id == institution.pk
