"""Id lists as they go into an audit event: sorted, de-duplicated, runs written as ranges.

"3-7,12,15-16" names the same rows as [3, 4, 5, 6, 7, 12, 15, 16] in a fraction of the
space, and a page or an export of consecutive rows (the usual case) collapses to a few
ranges. Pure functions.
"""

from collections.abc import Iterable


def normalise(ids: Iterable) -> list[int]:
    """Sorted distinct positive integers; None and non-numbers are dropped."""
    out = set()
    for value in ids:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if number > 0:
            out.add(number)
    return sorted(out)


def to_ranges(ids: Iterable) -> str:
    numbers = normalise(ids)
    parts = []
    i = 0
    while i < len(numbers):
        j = i
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        parts.append(str(numbers[i]) if i == j else f"{numbers[i]}-{numbers[j]}")
        i = j + 1
    return ",".join(parts)


def from_ranges(text: str) -> list[int]:
    out: list[int] = []
    for part in (text or "").split(","):
        if not part:
            continue
        low, _, high = part.partition("-")
        out.extend(range(int(low), int(high or low) + 1))
    return out
