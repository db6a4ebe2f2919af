"""Pure policy rules over plain values: no database, no request."""


def within(prefix: str | None, region_code: str | None) -> bool:
    """Whether a region code lies in a jurisdiction prefix. None (no jurisdiction, or a
    row without a region) is never within anything: fail closed."""
    if prefix is None or region_code is None:
        return False
    return region_code.startswith(prefix)


def holds(grants: frozenset[str], permission: str, known: frozenset[str] | dict) -> bool:
    """Whether a role's grants include a permission; an unknown name is a programming
    error, not a refusal, so a typo cannot silently lock a page (or open it)."""
    if permission not in known:
        raise ValueError(f"unknown permission {permission!r}")
    return permission in grants
