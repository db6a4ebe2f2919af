"""This app's menu entries for a user (see huimin/core/nav.py)."""

from django.urls import reverse

from huimin.ops import services


def menu_items(user, role: str | None) -> list[dict]:
    if services.can_write(user):
        return [{"label": "值班日志", "url": reverse("ops:duty_list")}]
    return []
