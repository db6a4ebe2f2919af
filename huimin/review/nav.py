"""The claim-review app's menu entries (see huimin/core/nav.py)."""

from django.urls import NoReverseMatch, reverse

from huimin.policy import has_perm

ENTRIES = (
    ("review.decide", "审核工作台", "review:queue"),
    ("review.read", "风险预警", "review:dashboard"),
    ("review.rules", "审核规则", "review:rule_sets"),
    ("review.appeal", "审核疑点与申诉", "review:institution_findings"),
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
