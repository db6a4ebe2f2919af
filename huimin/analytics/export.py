"""`huimin export parquet`: the tables of tables.py as Parquet, partitioned hive-style by
county and month (`visit/region=430522/month=2026-11/part-0.parquet`), by county and
year (enrollment), by county (people) or not at all (institutions, the catalog).

Streamed: one partition at a time, read in id order through a server-side cursor
(`iterator`) and written batch by batch with one ParquetWriter, so memory holds one
batch whatever the county's size. Deterministic: the same rows give the same bytes
(rows in a fixed order, fixed file names and batch sizes, no timestamps in the files),
so a rerun over unchanged data changes no file and a diff of two exports is a diff of
the data. An export replaces the partitions it covers and leaves the others.
"""

import functools
import getpass
import json
import shutil
import socket
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Substr, TruncMonth
from tqdm import tqdm

from huimin.analytics import pseudonym
from huimin.analytics.tables import BY_NAME, TABLES, Table, converter
from huimin.audit.services import record

BATCH_ROWS = 50_000  # one row group; also the iterator's chunk
PARENT_CHUNK = 2_000  # visit ids per query for their fee lines and settlements
FILE_ROWS = 1_000_000  # a partition larger than this continues in part-1, part-2, …
COUNTY = 6  # the partition's region: a county (pooling region) code


class ExportError(Exception):
    pass


@dataclass(frozen=True)
class Scope:
    region: str = ""  # "", or a 2-, 4- or 6-digit code: province, city, county
    year: int | None = None

    def __post_init__(self):
        r = self.region
        if r and not (r.isascii() and r.isdigit() and len(r) in (2, 4, 6)):
            raise ExportError(f"--region 应为省、市或县的区划代码（2、4或6位数字）：{r}")


@dataclass
class Result:
    out: Path
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    key_id: str = ""


def _prefix(path: str, prefix: str) -> Q:
    """Codes starting with `prefix`, as a range: an index serves it on SQLite and on
    PostgreSQL whatever the collation, where LIKE 'prefix%' scanned (a form's JSON was
    read twelve times over)."""
    q = Q(**{f"{path}__gte": prefix})
    if prefix.strip("9"):
        upper = str(int(prefix) + 1).zfill(len(prefix))
        q &= Q(**{f"{path}__lt": upper})
    return q


def _scoped(table: Table, scope: Scope):
    qs = table.rows()
    if table.region_path and scope.region:
        qs = qs.filter(_prefix(table.region_path, scope.region))
    if scope.year is not None:
        if table.date_path:
            qs = qs.filter(**{f"{table.date_path}__year": scope.year})
        elif table.year_path:
            qs = qs.filter(**{table.year_path: scope.year})
    return qs


@functools.cache
def _label(monthly: bool, value) -> str:
    return f"month={value:%Y-%m}" if monthly else f"year={value}"


def _stream(table: Table, scope: Scope, fields: list[str]) -> Iterator[tuple[tuple, tuple]]:
    """(partition, row) for every row in scope, partition by partition: one query per
    table, sorted by county, month and the table's order by the database and read
    through a server-side cursor — not a query per partition, each of which ranged
    over the whole county again (a county's forms span two hundred months)."""
    qs = _scoped(table, scope)
    if not table.partitioned:
        rows = qs.order_by(*table.order).values_list(*fields).iterator(chunk_size=BATCH_ROWS)
        return (((), row) for row in rows)
    qs = qs.annotate(_county=Substr(table.region_path, 1, COUNTY))
    if table.date_path:
        qs = qs.filter(**{f"{table.date_path}__isnull": False})
        qs = qs.annotate(_p=TruncMonth(table.date_path))
    elif table.year_path:
        qs = qs.annotate(_p=F(table.year_path))
    else:
        rows = qs.order_by("_county", *table.order).values_list("_county", *fields)
        return (((row[0],), row[1:]) for row in rows.iterator(chunk_size=BATCH_ROWS))
    rows = qs.order_by("_county", "_p", *table.order).values_list("_county", "_p", *fields)
    monthly = bool(table.date_path)
    return (
        ((row[0], _label(monthly, row[1])), row[2:]) for row in rows.iterator(chunk_size=BATCH_ROWS)
    )


def _parents(table: Table, scope: Scope) -> list[tuple[tuple, array]]:
    """The parent table's ids by partition, in order: 8 bytes a visit."""
    runs: list[tuple[tuple, array]] = []
    for part, group in groupby(_stream(table, scope, ["id"]), key=itemgetter(0)):
        runs.append((part, array("q", (row[0] for _, row in group))))
    return runs


def _child_rows(table: Table, ids: array, paths: list[str]):
    """The rows of these parents (in id order), by chunks of ids through the foreign
    key's index."""
    for i in range(0, len(ids), PARENT_CHUNK):
        chunk = ids[i : i + PARENT_CHUNK].tolist()
        rows = table.rows().filter(**{f"{table.parent_field}__in": chunk})
        yield from rows.order_by(*table.order).values_list(*paths)


def _partitions(table: Table, scope: Scope, parents: dict):
    """(partition, rows) for the table, one partition at a time."""
    paths = [col.path for col in table.columns]
    if table.parent:
        if table.parent not in parents:
            parents[table.parent] = _parents(BY_NAME[table.parent], scope)
        for part, ids in parents[table.parent]:
            yield part, _child_rows(table, ids, paths)
        return
    for part, group in groupby(_stream(table, scope, paths), key=itemgetter(0)):
        yield part, (row for _, row in group)


def _directory(out: Path, table: Table, part: tuple[str, ...]) -> Path:
    d = out / table.name
    if part:
        d = d / f"region={part[0]}"
    for p in part[1:]:
        d = d / p
    return d


def _clear(out: Path, table: Table, scope: Scope) -> None:
    """Remove what this export replaces: the table's partitions in the scope."""
    root = out / table.name
    if not root.exists():
        return
    if not table.partitioned:
        shutil.rmtree(root)
        return
    for region_dir in sorted(root.glob("region=*")):
        county = region_dir.name.partition("=")[2]
        if not county.startswith(scope.region):
            continue
        if scope.year is None or not (table.date_path or table.year_path):
            shutil.rmtree(region_dir)
            continue
        pattern = f"month={scope.year}-*" if table.date_path else f"year={scope.year}"
        for d in sorted(region_dir.glob(pattern)):
            shutil.rmtree(d)


def _write_partition(table: Table, rows, convert, directory: Path) -> tuple[int, int]:
    """Stream rows into part-0.parquet (part-1… past FILE_ROWS); (rows, files)."""
    schema = table.schema
    n, files, writer, in_file = 0, 0, None, 0
    buffer: list[tuple] = []

    def flush():
        nonlocal writer, files, in_file
        if not buffer:
            return
        if writer is None:
            directory.mkdir(parents=True, exist_ok=True)
            writer = pq.ParquetWriter(
                directory / f"part-{files}.parquet", schema, compression="zstd"
            )
            files += 1
        columns = list(zip(*buffer, strict=True))
        arrays = [pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)]
        writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
        in_file += len(buffer)
        buffer.clear()
        if in_file >= FILE_ROWS:
            writer.close()
            writer, in_file = None, 0

    try:
        for row in rows:
            buffer.append(convert(row))
            n += 1
            if len(buffer) >= BATCH_ROWS:
                flush()
        flush()
    finally:
        if writer is not None:
            writer.close()
    return n, files


def export(
    out: Path,
    scope: Scope | None = None,
    *,
    tables: tuple[Table, ...] = TABLES,
    progress: bool = False,
    actor=None,
) -> Result:
    """Write the export under `out`; audited as one export event naming the scope, the
    tables' row counts and the key used (its id, never the key)."""
    scope = scope or Scope()
    key = pseudonym.export_key()
    keyer = pseudonym.Keyer(key)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result = Result(out=out, key_id=pseudonym.key_id(key))
    parents: dict[str, list] = {}
    for table in tables:
        _clear(out, table, scope)
        convert = converter(table, keyer)
        total = 0
        bar = tqdm(desc=table.name, unit="行", disable=not progress, leave=False)
        for part, rows in _partitions(table, scope, parents):
            n, files = _write_partition(table, rows, convert, _directory(out, table, part))
            total += n
            result.files += files
            bar.update(n)
        bar.close()
        result.rows[table.name] = total
    manifest = {
        "format": "huimin-analytics-1",
        "region": scope.region,
        "year": scope.year,
        "key_id": result.key_id,
        "tables": {t.name: {"columns": [c.name for c in t.columns]} for t in tables},
    }
    # no date or count in the manifest: a rerun over unchanged data rewrites it alike
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    with transaction.atomic():
        record(
            action="export",
            object_type="analytics.parquet",
            object_id=str(out)[:64],
            region_code=scope.region,
            fields=sorted(result.rows),
            changes={
                "rows": result.rows,
                "files": result.files,
                "year": scope.year,
                "key_id": result.key_id,
                "out": str(out),
            },
            purpose="化名分析数据导出（Parquet）",
            actor=actor,
            terminal=f"cli:{getpass.getuser()}@{socket.gethostname()}",
        )
    return result
