"""Dates the domains share (pure)."""

import datetime


def age_on(birth: datetime.date, day: datetime.date) -> int:
    """Full years of age on `day` (the birthday itself counts)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
