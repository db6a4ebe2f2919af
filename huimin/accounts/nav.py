"""This app's menu entries for a user (see huimin/core/nav.py)."""

from django.urls import reverse

from huimin.accounts import incident
from huimin.accounts.services import can


def menu_items(user, role: str | None) -> list[dict]:
    if not user.is_authenticated:
        return []
    items = []
    if can(user, "person.read") or can(user, "loan.approve"):
        items.append({"label": "档案借阅", "url": reverse("accounts:loans")})
    if can(user, "accounts.manage"):
        items.append({"label": "账号管理", "url": reverse("accounts:staff_list")})
    if can(user, "accounts.manage") or can(user, "roles.manage"):
        items.append({"label": "账号审批", "url": reverse("accounts:request_list")})
    if can(user, "roles.manage"):
        items.append({"label": "角色权限", "url": reverse("accounts:roles")})
    if incident.can_view(user):
        items.append({"label": "应急处置", "url": reverse("accounts:incident")})
    items.append({"label": "我的账号", "url": reverse("accounts:me")})
    return items
