"""The case file (调解案卷) as an A4 PDF: the case, every step with who, when, deadline
and outcome, and the list of documents, drawn with reportlab in the CJK font the
settlement receipt embeds (insurance/receipt.py), so it prints the same everywhere."""

import datetime
import io

from django.utils import timezone

from huimin.core.money import r2
from huimin.insurance.receipt import _register_font
from huimin.mediation import rules


def _yuan(value) -> str:
    return f"{r2(value):,.2f} 元" if value is not None else "—"


def _at(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _who(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def _outcome(step) -> str:
    parts = []
    if step.responsibility:
        parts.append(dict(rules.RESPONSIBILITY_DEGREES)[step.responsibility])
    if step.result != "done":
        parts.append(step.result_label)
    if step.amount is not None:
        parts.append(_yuan(step.amount))
    if step.reference:
        parts.append(f"编号 {step.reference}")
    return "；".join(parts) or "已完成"


def pdf(case, steps, docs, today: datetime.date) -> bytes:
    from reportlab.lib import colors  # noqa: PLC0415 - reportlab is heavy and only the PDF needs it
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415 - reportlab is heavy and only the PDF needs it
    from reportlab.lib.styles import ParagraphStyle  # noqa: PLC0415 - reportlab is heavy and only the PDF needs it
    from reportlab.lib.units import mm  # noqa: PLC0415 - reportlab is heavy and only the PDF needs it
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # noqa: PLC0415 - reportlab is heavy and only the PDF needs it

    font = _register_font()
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=15, leading=20, alignment=1)
    heading = ParagraphStyle("heading", parent=base, fontSize=11, leading=16, spaceBefore=8)
    small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=10)

    def p(text, style=base):
        escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return Paragraph(escaped.replace("\n", "<br/>"), style)

    grid = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), font, 9),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f5")),
        ]
    )
    pairs = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), font, 9),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef2f5")),
            ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#eef2f5")),
        ]
    )
    late = rules.days_overdue(case.status, case.step_due, today)
    due = f"{case.step_due:%Y-%m-%d}" if case.step_due else "—"
    current = case.status_label + (
        f"（期限 {due}，已逾期 {late} 天）" if late else f"（期限 {due}）"
    )
    if case.status == rules.CLOSED:
        current = f"已结案 {_at(case.closed_at)}：{case.close_reason}"
    info = [
        ["案件编号", case.number, "立案时间", _at(case.opened_at)],
        ["申请人", case.applicant, "医疗机构", case.institution.name],
        [
            "相关结算",
            f"#{case.settlement_id}" if case.settlement_id else "—",
            "申请赔偿金额",
            _yuan(case.claimed_amount),
        ],
        ["立案人", _who(case.opened_by), "当前进度", p(current)],
    ]
    story = [
        p("医疗纠纷调解案卷", title),
        Spacer(1, 3 * mm),
        Table(info, colWidths=[22 * mm, 63 * mm, 25 * mm, 70 * mm], style=pairs),
        p("纠纷概要", heading),
        p(case.summary),
        p("办理经过", heading),
    ]
    rows = [["步骤", "办理人", "办理时间", "期限", "结果", "说明"]]
    for step in steps:
        deadline = f"{step.deadline:%Y-%m-%d}" if step.deadline else "—"
        if step.deadline and timezone.localtime(step.done_at).date() > step.deadline:
            deadline += "（逾期）"
        rows.append(
            [
                p(step.label),
                p(_who(step.done_by)),
                _at(step.done_at),
                p(deadline),
                p(_outcome(step)),
                p(step.note or "—"),
            ]
        )
    if len(rows) == 1:
        rows.append(["—", "", "", "", "", p("尚未登记步骤")])
    story.append(
        Table(
            rows,
            colWidths=[26 * mm, 18 * mm, 29 * mm, 22 * mm, 32 * mm, 53 * mm],
            style=grid,
            repeatRows=1,
        )
    )
    story.append(p("案件材料", heading))
    doc_rows = [["文件名", "所属步骤", "类型", "上传时间", "SHA-256（前16位）"]]
    purposes = {**rules.STEP_LABELS, "case": "案件材料"}
    for doc in docs:
        doc_rows.append(
            [
                p(doc.filename),
                purposes.get(doc.purpose, doc.purpose),
                doc.content_type.split("/")[-1].upper(),
                _at(doc.uploaded_at),
                doc.sha256[:16],
            ]
        )
    if len(doc_rows) == 1:
        doc_rows.append([p("无"), "", "", "", ""])
    story.append(
        Table(doc_rows, colWidths=[55 * mm, 25 * mm, 15 * mm, 30 * mm, 55 * mm], style=grid)
    )
    story += [Spacer(1, 4 * mm), p(f"打印日期：{today:%Y-%m-%d}", small)]

    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"医疗纠纷调解案卷 {case.number}",
    ).build(story)
    return out.getvalue()
