"""Reading a catalog sheet (xlsx, or CSV in UTF-8 or GB18030) into header and rows.

Column layout — the first row names the columns, in any order (other accepted
spellings in rules.COLUMNS):

| 列 | 内容 | 必填 |
|---|---|---|
| 编码 | 国家医保编码（见下） | 是 |
| 名称 | 项目名称，最多200字 | 是 |
| 类别 | 甲/乙/丙 或 A/B/C | 是 |
| 类型 | 药品 / 医疗服务项目 / 医用耗材（留空时按编码判断） | |
| 单位 | 计价单位，如 支、次、日 | |
| 最高支付标准 | 单价上限（元，最多4位小数），留空为不限价 | |
| 乙类自付比例 | 0到1之间的小数或百分数（仅乙类），留空按结算方案 | |
| 限性别 | 男 / 女，留空不限 | |
| 最小年龄 / 最大年龄 | 周岁整数，留空不限 | |
| 限医院等级 | 一级、二级、三级、异地（可多选，用逗号或顿号分隔），留空不限 | |
| 每日最大数量 | 每日最多计费数量，留空不限 | |
| 限制使用说明 | 文字，最多500字 | |
| 生效日期 | YYYY-MM-DD；留空用导入时指定的日期（默认导入当天） | |
| 失效日期 | YYYY-MM-DD，留空为长期有效 | |
| 收费类别 | 床位费、护理费、诊查费、检查费、化验费、治疗费、手术费、药品费、卫生材料费、其他费 | |
| 按日计费 | 是 / 否（仅医疗服务项目），留空为否 | |
| 单日医学合理上限 | 每日医学上合理的最大数量（审核用），留空不限 | |
| 每单位用药天数 | 药品每单位可用天数（1÷每日用量），留空不计算 | |
| 所需资质 | 资质代码或名称（见 huimin/registry/qualifications.py），留空不限 | |
| 组套组成项目 | 组套项目包含的目录编码，逗号或顿号分隔；须已在目录或本表中 | |
| 互斥项目 | 不得同日收取的目录编码，分隔与校验同上 | |

编码: drugs X or Z and 22 more letters/digits (23), services 15 digits, consumables C and
26 more (27); the county's supplementary items ZZ and 16 digits.

Each row is the item's whole description: a column left out of the sheet, or a cell left
empty, means "none" (no ceiling, no restriction), so a row that drops a restriction the
item had starts a new version without it.

Line numbers in reports are the sheet's own (the header is line 1).
"""

import csv
import io
from pathlib import Path

MAX_ROWS = 200_000


class SheetError(ValueError):
    """The file cannot be read as a sheet at all."""


def read_sheet(data: bytes) -> tuple[list, list[tuple[int, list]]]:
    """(header cells, [(line, cells)] of the non-blank rows below it)."""
    if data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data)
    else:
        rows = _csv_rows(data)
    header: list | None = None
    body: list[tuple[int, list]] = []
    for line, cells in enumerate(rows, start=1):
        if not any(c is not None and str(c).strip() for c in cells):
            continue
        if header is None:
            if line != 1:
                raise SheetError("第1行应为列名（编码、名称、类别……）")
            header = list(cells)
            continue
        if len(body) >= MAX_ROWS:
            raise SheetError(f"一次最多导入{MAX_ROWS}行")
        body.append((line, list(cells)))
    if header is None:
        raise SheetError("文件是空的")
    return header, body


def read_sheet_file(path: Path) -> tuple[list, list[tuple[int, list]]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SheetError(f"无法读取文件：{exc.strerror or exc}") from None
    return read_sheet(data)


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook  # noqa: PLC0415 - openpyxl is heavy and only an uploaded sheet needs it

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged file
        raise SheetError("无法读取xlsx文件（文件已损坏或不是xlsx格式）") from None
    try:
        return [list(row) for row in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def _csv_rows(data: bytes):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError("文件编码无法识别（CSV应为UTF-8或GB18030编码）")
    if "\x00" in text:
        raise SheetError("不是CSV文本文件（应为xlsx或CSV）")
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise SheetError(f"CSV格式错误：{exc}") from None
