"""Date arithmetic the definitions need inside one query, for SQLite and PostgreSQL.

Plain ORM `Func` expressions (no Django internals): a day a number of days or years
after a date column, so "visited within 28 days of birth" or "65 or over on the day
of the visit" stay set-based instead of pulling rows into Python.
"""

from django.db.models import DateField, Func


class AddDays(Func):
    output_field = DateField()

    def __init__(self, expression, days: int):
        self.days = int(days)
        super().__init__(expression)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template=f"date(%(expressions)s, '{self.days:+d} days')", **extra
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template=f"(%(expressions)s + {self.days})", **extra
        )


class AddYears(Func):
    """The date `years` later (29 February + 1 year: 1 March on SQLite, 28 February on
    PostgreSQL; no indicator here turns on that day)."""

    output_field = DateField()

    def __init__(self, expression, years: int):
        self.years = int(years)
        super().__init__(expression)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template=f"date(%(expressions)s, '{self.years:+d} years')",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template=f"CAST(%(expressions)s + INTERVAL '{self.years} years' AS date)",
            **extra,
        )
