"""The registry's menu entries (see huimin/core/nav.py)."""

from django.urls import reverse

from huimin.policy import has_perm


def menu_items(user, role: str | None) -> list[dict]:
    if not has_perm(user, "person.read"):
        return []
    items = [
        {"label": "居民", "url": reverse("registry:person_list")},
        {"label": "家庭户", "url": reverse("registry:household_list")},
        {"label": "医疗机构", "url": reverse("registry:institution_list")},
        {"label": "行政区划", "url": reverse("registry:region_list")},
    ]
    if has_perm(user, "registry.write"):
        items.append({"label": "疑似重复", "url": reverse("registry:duplicate_list")})
    return items
