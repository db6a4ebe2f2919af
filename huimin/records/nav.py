"""The health-record app's menu entries (see huimin/core/nav.py)."""

from django.urls import reverse

from huimin.registry.permissions import has_perm

ENTRIES = (
    ("record.read", "健康档案", "records:home"),
    ("record.archive", "档案管理", "records:archive"),
)


def menu_items(user, role: str | None) -> list[dict]:
    return [
        {"label": label, "url": reverse(name)}
        for permission, label, name in ENTRIES
        if user.is_superuser or has_perm(user, permission)
    ]
