"""Reporting periods: a month, a quarter or a year, inclusive at both ends. Pure."""

import calendar
import datetime
import re
from dataclasses import dataclass
from datetime import date

_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})-?Q([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})$"), "year"),
)


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # inclusive

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("期间的截止日期早于起始日期")

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        last = calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        if not 1 <= quarter <= 4:
            raise ValueError("季度应为1至4")
        first = 3 * quarter - 2
        return cls(date(year, first, 1), cls.month(year, first + 2).end)

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def parse(cls, text: str) -> "Period":
        """ "2026-11" a month, "2026Q3" or "2026-Q3" a quarter, "2026" a year."""
        text = (text or "").strip()
        for pattern, kind in _PATTERNS:
            m = pattern.match(text)
            if m:
                y = int(m.group(1))
                if not 1900 <= y <= 2999:
                    break
                if kind == "month":
                    mo = int(m.group(2))
                    if not 1 <= mo <= 12:
                        break
                    return cls.month(y, mo)
                if kind == "quarter":
                    return cls.quarter(y, int(m.group(2)))
                return cls.year(y)
        raise ValueError("期间格式应为 YYYY-MM、YYYYQn 或 YYYY")

    @property
    def kind(self) -> str:
        if self == Period.month(self.start.year, self.start.month):
            return "month"
        if self.start.month in (1, 4, 7, 10) and self == Period.quarter(
            self.start.year, (self.start.month + 2) // 3
        ):
            return "quarter"
        if self == Period.year(self.start.year):
            return "year"
        return "range"

    @property
    def key(self) -> str:
        """The text `parse` reads back (a range: start..end)."""
        kind = self.kind
        if kind == "month":
            return f"{self.start:%Y-%m}"
        if kind == "quarter":
            return f"{self.start.year}Q{(self.start.month + 2) // 3}"
        if kind == "year":
            return str(self.start.year)
        return f"{self.start:%Y-%m-%d}..{self.end:%Y-%m-%d}"

    @property
    def label(self) -> str:
        kind = self.kind
        if kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if kind == "quarter":
            return f"{self.start.year}年第{(self.start.month + 2) // 3}季度"
        if kind == "year":
            return f"{self.start.year}年"
        return f"{self.start:%Y年%m月%d日}至{self.end:%Y年%m月%d日}"

    def months(self) -> list["Period"]:
        """The calendar months the period touches, in order."""
        out, y, m = [], self.start.year, self.start.month
        while date(y, m, 1) <= self.end:
            out.append(Period.month(y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def twelve_months_to_end(self) -> "Period":
        """The twelve months ending with this period's last day (a rolling year)."""
        end = self.end
        try:
            start = end.replace(year=end.year - 1) + datetime.timedelta(days=1)
        except ValueError:  # 29 February
            start = date(end.year - 1, 3, 1)
        return Period(start, end)
