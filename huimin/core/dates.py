"""Dates the domains share (pure)."""

import datetime


def age_on(birth: datetime.date, day: datetime.date) -> int:
    """Full years of age on `day` (the birthday itself counts)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# No record here is older: the resident schemes began in the 2000s. A floor also keeps
# day arithmetic in range (0001-01-01 at midnight in Asia/Shanghai is before year 1 in UTC:
# OverflowError on SQLite).
EARLIEST_DAY = datetime.date(2000, 1, 1)


def day_problem(day: datetime.date, today: datetime.date, what: str = "日期") -> str | None:
    """Why `day` cannot be a day of business (before the floor, or after today), or None."""
    if day < EARLIEST_DAY:
        return f"{what}不能早于{EARLIEST_DAY.isoformat()}"
    if day > today:
        return f"{what}不能晚于今天"
    return None
