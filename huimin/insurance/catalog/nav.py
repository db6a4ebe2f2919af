"""This app's menu entries for a user (see huimin/core/nav.py)."""

from django.urls import reverse

from huimin.policy import has_perm, institution_of


def menu_items(user, role: str | None) -> list[dict]:
    items = []
    if has_perm(user, "catalog.read"):
        items.append({"label": "医保目录", "url": reverse("catalog:catalog_list")})
    if has_perm(user, "catalog.manage") or institution_of(user) is not None:
        items.append({"label": "目录对照", "url": reverse("catalog:mapping_list")})
    return items
