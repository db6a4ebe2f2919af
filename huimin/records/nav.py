"""The health-record app's menu entries (see huimin/core/nav.py)."""

from django.urls import NoReverseMatch, reverse

from huimin.policy import has_perm

ENTRIES = (
    ("record.read", "健康档案", "records:home"),
    ("record.read", "随访待办", "records:due_list"),
    ("record.quality", "档案质量", "records:quality"),
    ("record.archive", "档案管理", "records:archive"),
)


def menu_items(user, role: str | None) -> list[dict]:
    items = []
    for permission, label, name in ENTRIES:
        if not has_perm(user, permission):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # a page another part of the app has not mounted yet
            continue
        items.append({"label": label, "url": url})
    return items
