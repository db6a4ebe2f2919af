"""Who may read, manage and map the catalog (named permissions in registry/permissions.py)."""

from huimin.registry.permissions import has_perm


def _superuser(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def can_read(user) -> bool:
    # The catalog is reference data, not personal data: every business role reads it.
    return _superuser(user) or has_perm(user, "catalog.read")


def can_manage(user) -> bool:
    return _superuser(user) or has_perm(user, "catalog.manage")


def can_map_for(user, institution) -> bool:
    """Institution staff map their own institution's codes; managers any in their scope."""
    if can_manage(user):
        from huimin.registry.models import Institution

        return Institution.objects.visible_to(user).filter(pk=institution.pk).exists()
    return has_perm(user, "catalog.map") and user.staff.institution_id == institution.pk
