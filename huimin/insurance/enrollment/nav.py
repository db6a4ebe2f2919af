"""This app's menu entries for a user (see huimin/core/nav.py)."""


def menu_items(user, role: str | None) -> list[dict]:
    return []
