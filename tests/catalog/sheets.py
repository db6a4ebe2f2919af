"""Building catalog sheets for tests: CSV text or an xlsx workbook."""

import csv
import io

from tests.catalog.conftest import DRUG, DRUG_B, SERVICE

HEADER = [
    *("编码", "名称", "类别", "类型", "单位"),
    *("最高支付标准", "乙类自付比例", "限医院等级", "生效日期"),
]


def csv_bytes(rows, header=HEADER, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# Three good rows: the worked example's drug, its class-B drug and the 2nd-level bed day.
GOOD = [
    [DRUG, "盐酸左氧氟沙星注射液", "甲", "药品", "支", "", "", "", "2026-01-01"],
    [DRUG_B, "复方氨基酸注射液", "乙", "药品", "瓶", "85.00", "", "", "2026-01-01"],
    [SERVICE, "床位费（二级）", "甲", "医疗服务项目", "日", "40", "", "二级", "2026-01-01"],
]
