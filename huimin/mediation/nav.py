"""The mediation app's menu entry (see huimin/core/nav.py)."""

from django.urls import reverse

from huimin.policy import has_perm


def menu_items(user, role: str | None) -> list[dict]:
    if has_perm(user, "mediation.read"):
        return [{"label": "纠纷调解", "url": reverse("mediation:case_list")}]
    return []
