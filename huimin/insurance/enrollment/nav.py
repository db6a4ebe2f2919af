"""This app's menu entries for a user (see huimin/core/nav.py)."""

from django.urls import reverse

from huimin.insurance.enrollment import services


def menu_items(user, role: str | None) -> list[dict]:
    if services.can_read(user):
        return [{"label": "参保缴费", "url": reverse("enrollment:index")}]
    return []
