"""The insurance app's menu entries (see huimin/core/nav.py).

Counter entries for institution staff are here; officers' entries (plans, clearing, …)
are added below by the officers' pages (huimin/insurance/officer_views.py).
"""

from django.urls import reverse

from huimin.registry.models import INSTITUTION_ROLES


def menu_items(user, role: str | None) -> list[dict]:
    items = []
    staff = getattr(user, "staff", None)
    # TODO(permission "settlement.operate"): has_perm once registry/permissions.py names it.
    if role in INSTITUTION_ROLES and staff is not None and staff.institution_id:
        items.append({"label": "收费结算", "url": reverse("insurance:cashier")})
    # Officers' entries go here.
    return items
