"""The assessment result and the village doctor's statement as xlsx (openpyxl, frozen
header) and PDF (reportlab, the project's CJK font). Built from stored rows only, so a
past version downloads the same every time."""

import datetime
import io
import zipfile
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.xml.functions import tostring

from huimin.insurance.receipt import _register_font

ITEM_HEAD = ["指标", "分子", "分母", "完成率", "满分", "得分", "失分", "计分说明"]


def _pct(rate: str | None) -> str:
    return "—" if rate is None else f"{Decimal(rate) * 100:.2f}%"


# A fixed stamp for the document properties and the zip entries, so the same rows give
# the same bytes every time (openpyxl otherwise writes the current time into both).
_STAMP = datetime.datetime(2000, 1, 1)


def _workbook_bytes(wb: Workbook) -> bytes:
    wb.properties.created = wb.properties.modified = _STAMP
    raw = io.BytesIO()
    wb.save(raw)
    wb.properties.modified = _STAMP  # save() stamped it with now
    core = tostring(wb.properties.to_tree())
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_STAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            data = core if info.filename == "docProps/core.xml" else src.read(info.filename)
            dst.writestr(fixed, data)
    return out.getvalue()


def _summary(ctx) -> list[tuple[str, str]]:
    pub, row = ctx["pub"], ctx["row"]
    out = [
        ("考核年度", f"{pub.year}年（第{pub.version}版，{pub.get_status_display()}）"),
        ("考核对象", f"{row.name}（{row.region_code}）"),
        ("总分", f"{row.score}"),
        ("指标得分", f"{row.earned}"),
        ("质量扣分", f"{row.deducted}"),
        ("拨付档次", f"{row.tier_label}（拨付比例{Decimal(row.tier_ratio) * 100:.0f}%）"),
    ]
    if row.level == "township":
        out += [
            ("常住人口", f"{row.population}"),
            ("按人均经费应拨", f"{row.funds_full}"),
            ("按考核结果拨付", f"{row.funds_allocated}"),
            ("其中村卫生室", f"{row.village_pool}"),
            ("其中乡镇卫生院", f"{row.retained}"),
        ]
    else:
        out += [("工作量分值", f"{row.workload}"), ("村卫生室经费", f"{row.clinic_amount}")]
    return out


def _line_cells(ln) -> list:
    return [
        ln["name"],
        Decimal(ln["numerator"]),
        Decimal(ln["denominator"]),
        _pct(ln["rate"]),
        Decimal(ln["weight"]),
        Decimal(ln["points"]) if ln["kind"] == "item" else -Decimal(ln["points"]),
        Decimal(ln["lost"]),
        ln["explanation"],
    ]


def result_xlsx(ctx) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "考核得分"
    ws.append(ITEM_HEAD)
    for c in ws[1]:
        c.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for ln in ctx["items"] + ctx["deductions"]:
        ws.append(_line_cells(ln))
    for col, width in zip("ABCDEFGH", (28, 10, 10, 10, 8, 8, 8, 60), strict=True):
        ws.column_dimensions[col].width = width
    s = wb.create_sheet("汇总")
    s.append(["项目", "内容"])
    s.freeze_panes = "A2"
    for k, v in _summary(ctx):
        s.append([k, v])
    if ctx["villages"]:
        v = wb.create_sheet("各村")
        v.append(["村", "代码", "得分", "工作量分值", "质控合格率", "村卫生室经费"])
        v.freeze_panes = "A2"
        for r in ctx["villages"]:
            v.append(
                [r.name, r.region_code, r.score, r.workload, _pct(r.pass_rate), r.clinic_amount]
            )
    return _workbook_bytes(wb)


def result_pdf(ctx) -> bytes:
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415 - reportlab is heavy and only the PDF needs it
    from reportlab.lib.styles import ParagraphStyle  # noqa: PLC0415
    from reportlab.lib.units import mm  # noqa: PLC0415
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # noqa: PLC0415

    font = _register_font()
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=12)
    title = ParagraphStyle("t", fontName=font, fontSize=14, leading=18)
    pub, row = ctx["pub"], ctx["row"]
    story = [
        Paragraph(f"{pub.year}年度基本公共卫生服务绩效考核结果：{row.name}", title),
        Spacer(1, 4 * mm),
    ]
    story.append(
        Table(
            [[Paragraph(k, body), Paragraph(v, body)] for k, v in _summary(ctx)],
            colWidths=[40 * mm, 120 * mm],
        )
    )
    story.append(Spacer(1, 4 * mm))
    data = [[Paragraph(h, body) for h in ITEM_HEAD]]
    for ln in ctx["items"] + ctx["deductions"]:
        data.append([Paragraph(str(c), body) for c in _line_cells(ln)])
    table = Table(
        data,
        colWidths=[30 * mm, 14 * mm, 14 * mm, 16 * mm, 12 * mm, 12 * mm, 12 * mm, 60 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.3, "#888888"), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        )
    )
    story.append(table)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=f"绩效考核 {row.name} {pub.year}", invariant=1)
    doc.build(story)
    return out.getvalue()


def statement_xlsx(pub, row, months) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "村医工作量与补助"
    ws.append(["月份", "服务人次", "工作量分值", "补助（元）", "各类服务"])
    for c in ws[1]:
        c.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for m in months:
        kinds = "，".join(f"{k} {n}" for k, n in sorted(m["counts"].items()))
        ws.append([f"{pub.year}-{m['month']:02d}", m["services"], m["points"], m["subsidy"], kinds])
    ws.append(["合计", sum(m["services"] for m in months), row.workload, row.clinic_amount, ""])
    return _workbook_bytes(wb)
