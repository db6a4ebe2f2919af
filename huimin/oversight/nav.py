"""This app's menu entries for a user (see huimin/core/nav.py)."""

from django.urls import reverse

from huimin.oversight import notices
from huimin.policy import has_perm


def menu_items(user, role: str | None) -> list[dict]:
    items = []
    if has_perm(user, "audit.read"):
        items.append({"label": "审计查询", "url": reverse("audit:event_list")})
    if has_perm(user, "alerts.manage"):
        items.append({"label": "安全告警", "url": reverse("audit:alert_list")})
    if any(has_perm(user, p) for p in notices.AUDIENCES):
        items.append({"label": "业务提醒", "url": reverse("audit:business_alert_list")})
    return items
