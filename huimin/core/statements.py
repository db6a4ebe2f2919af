"""Hand-written SQL, in one place: the only module that touches Django's internals
(compilers, `klass_info`, related populators, `pre_save`/`get_db_prep_save` over a
model's fields, column converters). Hot paths that leave the ORM (settlement, the token
check, the audit append, ledger postings) go through it, and tests/insurance/
test_statements.py runs its forms against the ORM's answer; tests/core/
test_only_statements_touch_django_internals.py keeps those internals out of every other
module (DESIGN.md §8.8).

**Reads.** Turning a queryset into SQL costs the ORM more CPU (≈0.3 ms) than PostgreSQL
spends answering an indexed lookup, and a counter runs the same few statements all day.
A Statement builds its queryset once with marker values, keeps the compiled SQL and the
compiler that knows how to read the rows back, and from then on only swaps the values:

    VISIT = Statement(lambda inst, no: Visit.objects.filter(institution_id=inst,
                                                            his_visit_no=no)[:1],
                      inst=INT, no=TEXT)
    visit = VISIT.first(inst=5, no="MZ001")

The queryset stays ordinary ORM code (joins, annotations, select_for_update), read back
as the ORM reads it (field converters, select_related, annotations). Only integers, text
and dates may vary (a date may be used in several places): values whose preparation
for SQLite and PostgreSQL is known here.

**Writes.** `insert`, `update` and `lock_or_create` are the one statement each that
save(), bulk_create() and get_or_create() + select_for_update() would be, without the
ORM's per-call machinery. `insert_sql`/`insert_values`, `table`/`column` and `execute`
let a caller compose a statement of its own (the audit append's data-modifying WITH, the
ledger's postings joined to their accounts) without reaching into Django itself.

Core knows no domain: every function takes the model it works on.
"""

import datetime
import json
import threading
from collections.abc import Callable

from django.core.exceptions import FieldDoesNotExist
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import GeneratedField, Model, QuerySet
from django.db.models.fields import NOT_PROVIDED
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
    fields = _insertable(model)
    q = connection.ops.quote_name
    rows = [_values(obj, fields, connection) for obj in objs]
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


def _insertable(model) -> list:
    """The columns an INSERT writes: every concrete field but the primary key.

    Refused: a GeneratedField (the database computes it; the ORM leaves it out of an
    INSERT), and a db_default the instance does not override with a Python `default`
    (the ORM writes DEFAULT for it): this module writes every column's value, so either
    would be written wrong. A field with both (a column added with a database default
    for the rows already there) gets its Python default, as save() would give it."""
    fields = _INSERTABLE.get(model)
    if fields is None:
        for f in model._meta.concrete_fields:
            if isinstance(f, GeneratedField):
                raise TypeError(f"{model.__name__}.{f.name} is a GeneratedField: use the ORM")
            if f.db_default is not NOT_PROVIDED and not f.has_default():
                raise TypeError(
                    f"{model.__name__}.{f.name} has a db_default and no default: use the ORM"
                )
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        _INSERTABLE[model] = fields
    return fields


_INSERTABLE: dict[type, list] = {}


def _values(obj, fields, connection) -> list:
    """Each field's value as save() would write it (auto_now_add and defaults applied)."""
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


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


def lock_or_create(obj: Model, unique: tuple[str, ...]) -> Model:
    """The row `unique` names (the column names of a unique constraint, taken from `obj`),
    created from `obj` if missing, locked until commit; returned as the database has it.

    One statement: INSERT … ON CONFLICT DO UPDATE locks an existing row as FOR UPDATE
    would (waiting for a concurrent writer to commit) and returns its latest values, so
    neither the first row nor a race needs a second round trip.
    """
    model = type(obj)
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields = _insertable(model)
    values = _values(obj, fields, connection)
    q = connection.ops.quote_name
    columns = ", ".join(q(f.column) for f in fields)
    every = ", ".join(q(f.column) for f in meta.concrete_fields)
    touched = q(unique[-1])
    # Only quoted names from the model go into the text; the values are parameters.
    sql = (
        f"INSERT INTO {q(meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({', '.join(q(c) for c in unique)}) "
        f"DO UPDATE SET {touched} = EXCLUDED.{touched} "
        f"RETURNING {every}"
    )
    # raw() converts the columns as the ORM would (JSON, decimals) on either database.
    (row,) = model.objects.raw(sql, values)  # read to the end: the statement completes
    return row


# ---------------------------------------------------------------- composed statements


def table(model, alias: str = DEFAULT_DB_ALIAS) -> str:
    """The model's table name, quoted for the database."""
    return connections[alias].ops.quote_name(model._meta.db_table)


def column(model, name: str, alias: str = DEFAULT_DB_ALIAS) -> str:
    """A field's column name (`name` a field name, or a column name), quoted."""
    try:
        col = model._meta.get_field(name).column
    except FieldDoesNotExist:  # a plain column name
        col = name
    return connections[alias].ops.quote_name(col)


def insert_sql(model, alias: str = DEFAULT_DB_ALIAS) -> str:
    """`INSERT INTO <table> (<columns>) VALUES (%s, …) RETURNING <pk>` for one row of
    `model`, the values from `insert_values`, for a caller composing a larger statement."""
    connection = connections[alias]
    q = connection.ops.quote_name
    meta = model._meta
    fields = _insertable(model)
    return (
        f"INSERT INTO {q(meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {q(meta.pk.column)}"
    )


def insert_values(obj, alias: str = DEFAULT_DB_ALIAS) -> list:
    """The parameters of `insert_sql(type(obj))` for `obj`."""
    return _values(obj, _insertable(type(obj)), connections[alias])


def saved(obj, pk, alias: str = DEFAULT_DB_ALIAS) -> None:
    """Mark `obj` as the row `pk` just inserted by a composed statement."""
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = alias


def vendor(alias: str = DEFAULT_DB_ALIAS) -> str:
    return connections[alias].vendor


def execute(sql: str, params: list, alias: str = DEFAULT_DB_ALIAS, *, fetch: str = ""):
    """Run a composed statement: `fetch` "one" or "all" returns rows, "" the row count."""
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        if fetch == "one":
            return cursor.fetchone()
        if fetch == "all":
            return cursor.fetchall()
        return cursor.rowcount


def insert_if_absent(obj: Model, unique: tuple[str, ...], alias: str = DEFAULT_DB_ALIAS) -> bool:
    """INSERT … ON CONFLICT (unique) DO NOTHING: True (and `obj.pk` set) when the row was
    inserted, False when one with those values exists. The conflict waits for a
    concurrent insert of the same values to commit or roll back, so "exists" means
    committed."""
    model = type(obj)
    connection = connections[alias]
    q = connection.ops.quote_name
    sql = insert_sql(model, alias).replace(
        " RETURNING ", f" ON CONFLICT ({', '.join(q(c) for c in unique)}) DO NOTHING RETURNING ", 1
    )
    row = execute(sql, insert_values(obj, alias), alias, fetch="one")
    if row is None:
        return False
    saved(obj, row[0], alias)
    return True


def copy_insert_absent(objs: list[Model], unique: str, alias: str = DEFAULT_DB_ALIAS) -> None:
    """PostgreSQL: many rows at once, those whose `unique` column value exists skipped —
    COPY into a temporary table, then one INSERT … SELECT … ON CONFLICT DO NOTHING.
    (bulk_create's per-value parameter encoding costs more than the database's work for
    a batch's tens of thousands of rows.) Call it inside a transaction."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[alias]
    q = connection.ops.quote_name
    fields = _insertable(model)
    names = ", ".join(q(f.column) for f in fields)
    target = q(model._meta.db_table)
    staging = q(f"{model._meta.db_table}_copy_in")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE {staging} ON COMMIT DROP AS "  # noqa: S608 - names quoted
            f"SELECT {names} FROM {target} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(_values(obj, fields, connection))
        cursor.execute(
            f"INSERT INTO {target} ({names}) SELECT {names} FROM {staging} "  # noqa: S608
            f"ON CONFLICT ({q(unique)}) DO NOTHING"
        )
        # Dropped now, not only at commit: a caller's outer transaction may call again.
        cursor.execute(f"DROP TABLE {staging}")


def copy_insert_rows(model, rows: list[dict], unique: str, alias: str = DEFAULT_DB_ALIAS) -> int:
    """PostgreSQL: as `copy_insert_absent`, from plain dicts (field attnames → Python
    values) rather than model instances, and answers how many rows were inserted.

    For tens of thousands of rows, building instances and preparing every value through
    its field (`get_db_prep_save`) costs several times what the database spends. Here a
    field missing from a row gets its default (auto_now and auto_now_add: one `now` for
    the batch), JSON fields are encoded with their encoder, and every other value goes to
    COPY as it is — so only values psycopg adapts to the column's type may be given
    (str, int, Decimal, date, aware datetime, None). Call it inside a transaction."""
    if not rows:
        return 0
    connection = connections[alias]
    q = connection.ops.quote_name
    fields = _insertable(model)
    now = datetime.datetime.now(datetime.UTC)
    fixed, encoders = {}, []
    for f in fields:
        # prepared once for the batch, as save() would prepare them
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fixed[f.attname] = f.get_db_prep_save(now, connection)
        else:  # the default, or what the ORM writes without one ("" for text, NULL)
            fixed[f.attname] = f.get_db_prep_save(f.get_default(), connection)
        encoder = None
        if f.get_internal_type() == "JSONField":
            encoder = _json_encoder(f)
        encoders.append((f.attname, encoder))
    names = ", ".join(q(f.column) for f in fields)
    target = q(model._meta.db_table)
    staging = q(f"{model._meta.db_table}_copy_rows")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE {staging} ON COMMIT DROP AS "  # noqa: S608 - names quoted
            f"SELECT {names} FROM {target} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for row in rows:
                values = []
                for attname, encoder in encoders:
                    if attname in row:
                        value = row[attname]
                        values.append(value if encoder is None or value is None else encoder(value))
                    else:
                        values.append(fixed.get(attname))
                copy.write_row(values)
        cursor.execute(
            f"INSERT INTO {target} ({names}) SELECT {names} FROM {staging} "  # noqa: S608
            f"ON CONFLICT ({q(unique)}) DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute(f"DROP TABLE {staging}")
    return inserted


def _json_encoder(field) -> Callable:
    encoder = field.encoder

    def encode(value) -> str:
        return json.dumps(value, cls=encoder, ensure_ascii=False)

    return encode
