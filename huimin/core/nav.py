"""The menu: home, then each app's entries for the user.

Each app registers its own entries from its AppConfig.ready() (`register_menu`): core
knows no domain app, and a new app adds its menu without touching this file. `order`
places an app's entries among the others (registry 10 … ops 90).
"""

from collections.abc import Callable

from django.urls import reverse

MenuItems = Callable[[object, str | None], list[dict]]
_menus: list[tuple[int, str, MenuItems]] = []


def register_menu(menu_items: MenuItems, *, order: int) -> None:
    """Add an app's `menu_items(user, role)`; registering the same function again (a
    second ready() in tests) changes nothing."""
    name = f"{menu_items.__module__}.{menu_items.__qualname__}"
    if any(existing == name for _, existing, _ in _menus):
        return
    _menus.append((order, name, menu_items))
    _menus.sort(key=lambda entry: (entry[0], entry[1]))


def menu_for(user) -> list[dict]:
    profile = getattr(user, "staff", None)
    role = profile.role if profile else None
    items = [{"label": "首页", "url": reverse("home")}]
    for _order, _name, app_menu in _menus:
        items += app_menu(user, role)
    return items
