"""Menu entries by role. Roles that read the registry see it; more apps add entries."""

from django.urls import reverse

REGISTRY_READERS = {
    "insurance_officer",
    "township_clerk",
    "cashier",
    "doctor",
    "village_doctor",
    "public_health_officer",
    "assessor",
}


def menu_for(user) -> list[dict]:
    profile = getattr(user, "staff", None)
    role = profile.role if profile else None
    items = [{"label": "首页", "url": reverse("home")}]
    if role in REGISTRY_READERS or user.is_superuser:
        items += [
            {"label": "居民", "url": reverse("registry:person_list")},
            {"label": "家庭户", "url": reverse("registry:household_list")},
            {"label": "医疗机构", "url": reverse("registry:institution_list")},
            {"label": "行政区划", "url": reverse("registry:region_list")},
        ]
    if role in {"insurance_officer", "township_clerk"} or user.is_superuser:
        items.append({"label": "疑似重复", "url": reverse("registry:duplicate_list")})
    for app_menu in _app_menus():
        items += app_menu(user, role)
    return items


def _app_menus():
    # Imported here: apps above core add their own entries (core must not import them at
    # module load).
    from huimin.access.nav import menu_items as access
    from huimin.accounts.nav import menu_items as accounts
    from huimin.audit.nav import menu_items as audit
    from huimin.insurance.catalog.nav import menu_items as catalog
    from huimin.insurance.enrollment.nav import menu_items as enrollment
    from huimin.insurance.nav import menu_items as insurance
    from huimin.ops.nav import menu_items as ops

    return [insurance, enrollment, catalog, access, accounts, audit, ops]
