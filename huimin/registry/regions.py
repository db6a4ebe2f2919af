"""Loading the GB/T 2260 region tree.

Province, city and county codes of the whole country come from python-stdnum's
`cn/loc.dat` (already our ID-number library). It is kept current with each stdnum
release and, unlike the current-only lists, carries every code since 1980 with the
years it was in force — which ID numbers need, since a number keeps the address code
in force when it was issued (DESIGN.md §3). See docs/regions.md.

Township (9-digit) and village (12-digit) codes are not in any package; the generator
makes them and `huimin import_divisions` loads an office's official sheet.
"""

import csv
import io
from importlib import resources
from pathlib import Path

from huimin.registry import rules


def stdnum_counties() -> list[dict]:
    """Every 6-digit code in stdnum's loc.dat with its latest name and years in force."""
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    out = []
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province = line.split()[0]
            continue
        suffix, _, rest = line.strip().partition(" ")
        key, _, value = rest.partition("=")
        if key != "county":
            continue
        periods = rules.parse_loc_years(value.strip().strip('"'))
        if not periods:
            continue
        start = min((p[0] for p in periods if p[0] is not None), default=None)
        open_ended = any(p[1] is None for p in periods)
        end = None if open_ended else max(p[1] for p in periods if p[1] is not None)
        out.append(
            {
                "code": province + suffix,
                "name": periods[-1][2],
                "valid_from": start,
                "valid_to": end,
            }
        )
    return out


def load_national(region_model) -> int:
    """Insert or refresh the province/city/county tree; returns the number of codes."""
    rows = {r["code"]: r for r in stdnum_counties()}
    existing = set(region_model.objects.filter(code__in=list(rows)).values_list("code", flat=True))
    # Parents first, so every row's parent exists when it is written.
    ordered = sorted(
        rows.values(),
        key=lambda r: (
            rules.region_level(r["code"]) != "province",
            rules.region_level(r["code"]) == "county",
            r["code"],
        ),
    )
    new, changed = [], []
    for r in ordered:
        level = rules.region_level(r["code"])
        parent = rules.region_parent_code(r["code"])
        if parent is not None and parent not in rows:
            parent = r["code"][:2] + "0000"  # e.g. codes whose prefecture row is missing
        obj = region_model(
            code=r["code"],
            name=r["name"],
            level=level,
            parent_id=parent,
            prefix=rules.region_prefix(r["code"]),
            valid_from=r["valid_from"],
            valid_to=r["valid_to"],
            source="stdnum",
        )
        (changed if r["code"] in existing else new).append(obj)
    for level in ("province", "city", "county"):
        region_model.objects.bulk_create([o for o in new if o.level == level], batch_size=2000)
    region_model.objects.bulk_update(
        changed,
        ["name", "level", "parent_id", "prefix", "valid_from", "valid_to"],
        batch_size=2000,
    )
    return len(rows)


def read_division_sheet(path: Path) -> list[dict]:
    """Rows of (code, name) from the statistical-division sheet, CSV or xlsx."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook  # noqa: PLC0415 - openpyxl is heavy and only an .xlsx division sheet needs it

        wb = load_workbook(path, read_only=True, data_only=True)
        rows = [
            [("" if c is None else str(c)).strip() for c in row]
            for row in wb.active.iter_rows(values_only=True)
        ]
    else:
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValueError("文件编码无法识别（应为UTF-8或GB18030）")
        rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    out = []
    for i, row in enumerate(rows, start=1):
        if len(row) < 2 or not row[0]:
            continue
        if i == 1 and not row[0].isdigit():
            continue  # header
        out.append({"line": i, "code": row[0], "name": row[1]})
    return out


def check_division_rows(rows: list[dict], known_codes: set[str]) -> list[str]:
    """Every bad row with its reason; the sheet is imported only when this is empty."""
    problems = []
    seen = set()
    sheet_codes = {r["code"] for r in rows}
    for r in rows:
        code, name, line = r["code"], r["name"], r["line"]
        if len(code) == 12 and code.endswith("000") and code[:9] + "000" == code:
            # The official sheet writes townships as 12 digits ending 000.
            code = code[:9]
            r["code"] = code
        if len(code) not in (9, 12) or not code.isdigit():
            problems.append(f"第{line}行：区划代码{code}应为9位（乡级）或12位（村级）数字")
            continue
        if not name or len(name) > 60:
            problems.append(f"第{line}行：名称为空或超过60字")
        if code in seen:
            problems.append(f"第{line}行：区划代码{code}重复")
        seen.add(code)
        parent = rules.region_parent_code(code)
        padded = parent + "000" if parent and len(parent) == 9 else None
        if parent not in known_codes and parent not in sheet_codes and padded not in sheet_codes:
            problems.append(f"第{line}行：上级区划{parent}不存在")
    return problems
