"""The reports app's menu entry (see huimin/core/nav.py)."""

from django.urls import reverse

from huimin.policy import has_perm


def menu_items(user, role: str | None) -> list[dict]:
    if has_perm(user, "reports.read"):
        return [{"label": "指标与看板", "url": reverse("reports:index")}]
    return []
