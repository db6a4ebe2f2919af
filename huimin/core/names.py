"""Masking people's names for lists and registers (personal data shown no more than needed)."""


def mask_name(name: str, *, keep_last: bool = False) -> str:
    """The surname and stars. `keep_last` also keeps the last character, enough for a
    doctor to recognise their own patient in a work list (王大爷 → 王*爷); without it,
    enough for a register and no more (王大爷 → 王**, 李四 → 李*)."""
    name = (name or "").strip()
    if not name:
        return ""
    if keep_last and len(name) >= 3:
        return name[0] + "*" * (len(name) - 2) + name[-1]
    if keep_last and len(name) == 1:
        return name
    return name[0] + "*" * max(1, len(name) - 1)
