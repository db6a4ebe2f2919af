"""The menu: home, then each app's entries for the user (by named permission)."""

from django.urls import reverse


def menu_for(user) -> list[dict]:
    profile = getattr(user, "staff", None)
    role = profile.role if profile else None
    items = [{"label": "首页", "url": reverse("home")}]
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
    from huimin.records.nav import menu_items as records
    from huimin.registry.nav import menu_items as registry

    return [registry, records, insurance, enrollment, catalog, access, accounts, audit, ops]
