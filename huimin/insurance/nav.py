"""The insurance app's menu entries (see huimin/core/nav.py).

Counter entries for institution staff are here; officers' entries (plans, clearing, …)
are added below by the officers' pages (huimin/insurance/views/).
"""

from django.urls import reverse

from huimin.policy import has_perm, institution_of

OFFICER_ENTRIES = (
    ("plan.manage", "结算方案", "insurance:plan_list"),
    ("settlement.read", "结算查询", "insurance:settlement_list"),
    ("ledger.read", "基金账簿", "insurance:ledger"),
    ("clearing.manage", "对账清算", "insurance:clearing_list"),
)


def menu_items(user, role: str | None) -> list[dict]:
    items = []
    if has_perm(user, "settlement.operate") and institution_of(user) is not None:
        items.append({"label": "收费结算", "url": reverse("insurance:cashier")})
    for permission, label, name in OFFICER_ENTRIES:
        if has_perm(user, permission):
            items.append({"label": label, "url": reverse(name)})
    return items
