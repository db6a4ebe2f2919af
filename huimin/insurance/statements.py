"""The settlement path's hot queries, compiled once per process and run with new values.

Turning a queryset into SQL costs the ORM more CPU (≈0.3 ms) than PostgreSQL spends
answering an indexed lookup, and a counter runs the same few statements all day. A
Statement builds its queryset once with marker values, keeps the compiled SQL and the
compiler that knows how to read the rows back, and from then on only swaps the values:

    VISIT = Statement(lambda inst, no: Visit.objects.filter(institution_id=inst,
                                                            his_visit_no=no)[:1],
                      inst=INT, no=TEXT)
    visit = VISIT.first(inst=5, no="MZ001")

The queryset stays ordinary ORM code (joins, annotations, select_for_update), read back
as the ORM reads it (field converters, select_related, annotations). Only plain integer
and text values may vary, each used exactly once in the SQL: what needs no per-database
preparation, so the same values serve SQLite and PostgreSQL.
"""

import threading
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

# Marker values, one per position a statement varies; a constant of the query equal to
# one is caught when compiling. Integers stay small and positive: the ORM drops a lookup
# whose value is out of its column's range (a small-integer year, say) from the SQL.
INT = 29_371
TEXT = "\ue000marker\ue000"


class Statement:
    def __init__(self, build: Callable[..., QuerySet], **markers):
        self.build = build
        self.markers = markers
        self._compiled: dict[tuple, tuple] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> tuple:
        # Distinct markers per name, so each one's position can be found in the params.
        values = {}
        for i, (name, kind) in enumerate(self.markers.items()):
            values[name] = kind + i if kind is INT else f"{kind}{i}"
        qs = self.build(**values)
        compiler = qs.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = list(params)
        positions = {}
        for name, marker in values.items():
            found = [
                i
                for i, p in enumerate(params)
                if isinstance(p, type(marker)) and not isinstance(p, bool) and p == marker
            ]
            if len(found) != 1:
                raise ValueError(f"{name} must appear once in the SQL, found {len(found)}")
            # The backend may wrap a value in its own type (psycopg's Int2 for a small
            # integer column): later values get the same wrapping.
            positions[name] = (found[0], type(params[found[0]]))
        return compiler, sql, params, positions, bool(qs.query.select_for_update)

    def _prepared(self, alias: str) -> tuple:
        connection = connections[alias]
        key = (alias, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key) or self._compile(alias)
                self._compiled[key] = compiled
        return compiled

    def rows(self, **values) -> list:
        """The model instances the queryset would give for these values."""
        alias = DEFAULT_DB_ALIAS  # Huimin has one database
        compiler, sql, base, positions, locks = self._prepared(alias)
        connection = connections[alias]
        if locks and connection.get_autocommit():
            raise TransactionManagementError("select_for_update outside a transaction")
        params = list(base)
        for name, (position, kind) in positions.items():
            value = values[name]
            if not isinstance(value, int | str) or isinstance(value, bool):
                raise TypeError(f"{name}: only int and str values vary, not {type(value)}")
            params[position] = value if type(value) is kind else kind(value)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        return list(_instances(compiler, fetched, alias))

    def first(self, **values):
        found = self.rows(**values)
        return found[0] if found else None


def _instances(compiler, fetched: list, db: str):
    """Django's ModelIterable over rows already fetched (without known related objects,
    which a fresh queryset does not have)."""
    select, klass_info = compiler.select, compiler.klass_info
    annotation_col_map = compiler.annotation_col_map
    model_cls = klass_info["model"]
    select_fields = klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    init_list = [f[0].target.attname for f in select[start:end]]
    related_populators = get_related_populators(klass_info, select, db)
    for row in compiler.results_iter(results=[fetched]):
        obj = model_cls.from_db(db, init_list, row[start:end])
        for populator in related_populators:
            populator.populate(row, obj)
        for attr_name, col_pos in (annotation_col_map or {}).items():
            setattr(obj, attr_name, row[col_pos])
        yield obj
