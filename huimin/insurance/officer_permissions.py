"""Who may use the insurance officer's pages: plans, settlements, ledger, clearing."""

from huimin.registry.permissions import has_perm

NAMES = ("plan.manage", "settlement.read", "ledger.read", "ledger.post", "clearing.manage")


def allowed(user, name: str) -> bool:
    if name not in NAMES:
        raise ValueError(f"unknown officer permission {name!r}")
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or has_perm(user, name)
