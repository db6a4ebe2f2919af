"""This app's menu entries for a user (see huimin/core/nav.py)."""

from django.urls import reverse

from huimin.policy import has_perm


def menu_items(user, role: str | None) -> list[dict]:
    if has_perm(user, "access.review") or has_perm(user, "access.approve"):
        return [{"label": "接入管理", "url": reverse("access:application_list")}]
    return []
