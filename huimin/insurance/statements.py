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
as the ORM reads it (field converters, select_related, annotations). Only integers, text
and dates may vary (a date may be used in several places): values whose preparation
for SQLite and PostgreSQL is known here.
"""

import datetime
import threading
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

# Marker values for what a statement varies; a marker the compiled SQL lost (or a
# constant equal to one) is caught when compiling. Integers stay small and positive: the
# ORM drops a lookup whose value is out of its column's range (a small-integer year, say).
INT = 29_371
TEXT = "\ue000marker\ue000"
DATE = datetime.date(1904, 2, 29)


def _marker(kind, i: int):
    """The i-th distinct marker of a kind, so each value's positions can be told apart."""
    if kind is INT:
        return INT + i
    if kind is TEXT:
        return f"{TEXT}{i}"
    if kind is DATE:
        return DATE + datetime.timedelta(days=i)
    raise ValueError(f"unknown marker kind {kind!r}")


def _prep(kind, value, connection):
    if kind is DATE:
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            raise TypeError(f"a date is needed, not {type(value)}")
        return connection.ops.adapt_datefield_value(value)
    if not isinstance(value, int | str) or isinstance(value, bool):
        raise TypeError(f"an int or a str is needed, not {type(value)}")
    return value


class Statement:
    def __init__(self, build: Callable[..., QuerySet], **markers):
        self.build = build
        self.markers = markers
        self._compiled: dict[tuple, tuple] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> tuple:
        connection = connections[alias]
        values = {name: _marker(kind, i) for i, (name, kind) in enumerate(self.markers.items())}
        qs = self.build(**values)
        compiler = qs.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = list(params)
        positions = []
        for name, marker in values.items():
            kind = self.markers[name]
            expected = _prep(kind, marker, connection)
            found = [
                i
                for i, p in enumerate(params)
                if isinstance(p, type(expected)) and not isinstance(p, bool) and p == expected
            ]
            if not found:
                raise ValueError(f"{name} is not in the compiled SQL")
            # The backend may wrap a value in its own type (psycopg's Int2 for a small
            # integer column): later values get the same wrapping.
            positions += [(name, kind, i, type(params[i])) for i in found]
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

    def _run(self, values: dict):
        alias = DEFAULT_DB_ALIAS  # Huimin has one database
        compiler, sql, base, positions, locks = self._prepared(alias)
        connection = connections[alias]
        if locks and connection.get_autocommit():
            raise TransactionManagementError("select_for_update outside a transaction")
        params = list(base)
        for name, kind, position, wrap in positions:
            value = _prep(kind, values[name], connection)
            params[position] = value if type(value) is wrap else wrap(value)
        # The same text every time: on PostgreSQL, psycopg prepares it on the session
        # after a couple of calls (settings.py), so it is planned once, not per call.
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        return compiler, fetched, alias

    def rows(self, **values) -> list:
        """The model instances the queryset would give for these values."""
        compiler, fetched, alias = self._run(values)
        return list(_instances(compiler, fetched, alias))

    def first(self, **values):
        found = self.rows(**values)
        return found[0] if found else None

    def tuples(self, **values) -> list[tuple]:
        """The rows of a values_list() queryset, converted as the ORM converts them."""
        compiler, fetched, _alias = self._run(values)
        return list(compiler.results_iter(results=[fetched], tuple_expected=True))


class InList:
    """A Statement whose queryset filters on a list of values (`field__in=items`): one
    compiled statement per length of the list, up to `most`. Past it, `rows` and `tuples`
    return None and the caller runs its queryset as usual.

        VERSIONS = InList(lambda items, on: in_force(on).filter(code__in=items), on=DATE)
        found = VERSIONS.rows(codes, on=day)
    """

    def __init__(self, build: Callable[..., QuerySet], *, item=TEXT, most: int = 64, **markers):
        self.build = build
        self.item = item
        self.most = most
        self.markers = markers
        self._by_length: dict[int, Statement] = {}

    def _statement(self, items: list) -> tuple[Statement | None, dict]:
        n = len(items)
        if not 0 < n <= self.most:
            return None, {}
        statement = self._by_length.get(n)
        if statement is None:
            names = [f"item{i}" for i in range(n)]

            def build(**values):
                return self.build([values.pop(name) for name in names], **values)

            markers = {**dict.fromkeys(names, self.item), **self.markers}
            statement = self._by_length.setdefault(n, Statement(build, **markers))
        return statement, {f"item{i}": value for i, value in enumerate(items)}

    def rows(self, items: list, **values) -> list | None:
        statement, named = self._statement(items)
        return None if statement is None else statement.rows(**named, **values)

    def tuples(self, items: list, **values) -> list[tuple] | None:
        statement, named = self._statement(items)
        return None if statement is None else statement.tuples(**named, **values)


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


# ---------------------------------------------------------------- writes
#
# The same for the path's few writes: model.save() runs the ORM's insert and update
# machinery (and pre_save/post_save signals, which none of these models has) for what is
# one statement whose text depends only on the model and the columns.


def insert(*objs) -> None:
    """INSERT new instances of one model in one statement and set their primary keys, as
    save() or bulk_create() would (auto_now_add and defaults applied the same way)."""
    model = type(objs[0])
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    q = connection.ops.quote_name
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs]
    if len(objs) > 1 and connection.vendor == "postgresql":
        # One array per column, as bulk_create does on PostgreSQL: the text (and its
        # prepared plan) is the same for any number of rows, and stays short enough
        # for psycopg to keep its parsed form (not so past 50 parameters).
        arrays = ", ".join(f"(%s)::{f.db_type(connection).split('(')[0]}[]" for f in fields)
        values = f"SELECT * FROM UNNEST({arrays})"  # noqa: S608 - types from the model
        params = [list(column) for column in zip(*rows, strict=True)]
    else:
        row = f"({', '.join(['%s'] * len(fields))})"
        values = f"VALUES {', '.join([row] * len(objs))}"
        params = [value for row_values in rows for value in row_values]
    # Only quoted names and types from the model go into the text; values are parameters.
    sql = (
        f"INSERT INTO {q(meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "
        f"{values} RETURNING {q(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall()
    # Both databases return the rows of a multi-row INSERT … RETURNING in input order
    # (Django's bulk_create relies on the same, with VALUES and with UNNEST).
    for obj, (key,) in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = connection.alias


def update(obj, fields: list[str]) -> None:
    """save(update_fields=fields) of a row known to exist (auto_now applied the same way)."""
    meta = type(obj)._meta
    connection = connections[DEFAULT_DB_ALIAS]
    q = connection.ops.quote_name
    targets = [meta.get_field(name) for name in fields]
    sets = ", ".join(f"{q(f.column)} = %s" for f in targets)
    sql = f"UPDATE {q(meta.db_table)} SET {sets} WHERE {q(meta.pk.column)} = %s"  # noqa: S608
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in targets]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, obj.pk])
