"""This app's menu entries for a user (see huimin/core/nav.py)."""

from django.urls import reverse

from huimin.insurance.catalog import permissions


def menu_items(user, role: str | None) -> list[dict]:
    items = []
    if permissions.can_read(user):
        items.append({"label": "医保目录", "url": reverse("catalog:catalog_list")})
    staff = getattr(user, "staff", None)
    if permissions.can_manage(user) or (staff is not None and staff.institution_id):
        items.append({"label": "目录对照", "url": reverse("catalog:mapping_list")})
    return items
