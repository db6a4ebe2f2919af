"""Moves of village, told to the apps above the registry.

A person's jurisdiction is their village code, and apps above the registry keep copies
of it on their own rows (an enrollment's region_code, so every read is bounded by a
prefix). When a person changes village those copies must follow, or the new village's
staff cannot see the person's year and the old village's still can. The registry cannot
import those apps (they sit above it), so they register a listener here, called inside
the move's transaction: a listener that fails undoes the move.
"""

import datetime
from dataclasses import dataclass

_listeners: list = []


@dataclass(frozen=True)
class VillageMove:
    person_id: int
    old_village: str
    new_village: str
    on: datetime.date  # the day of the move: rows of its year onwards follow
    user: object = None


def register_listener(fn):
    """fn(move: VillageMove) -> None, called after the person's row has changed."""
    if fn not in _listeners:
        _listeners.append(fn)
    return fn


def village_changed(move: VillageMove) -> None:
    if move.old_village == move.new_village:
        return
    for fn in _listeners:
        fn(move)
