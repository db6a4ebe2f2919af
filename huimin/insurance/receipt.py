"""The settlement receipt (结算单): what the patient takes home, as a page and as a PDF.

`build(settlement, verify_url)` gathers what a receipt shows from the settlement row, its
visit's fee lines and the engine's result JSON (DESIGN.md §5); `breakdown(result, fees)`
does the same for a pre-settlement, which is never stored. `pdf(receipt)` draws it with
reportlab and embeds a CJK font (Debian's fonts-wqy-microhei); `qr_svg(url)` is the
verification QR code for the page. Who may read a receipt: `visible_settlements(user)`.
"""

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import segno
from django.utils import timezone

from huimin.core.dates import age_on
from huimin.core.errors import DomainError
from huimin.core.money import ZERO, r2
from huimin.insurance import plans
from huimin.insurance.models import FeeDetail, Settlement, SettlementKind, VisitType
from huimin.insurance.shown import shown
from huimin.policy import has_perm
from huimin.registry.models import category_label

CLASS_LABELS = {"A": "甲", "B": "乙", "C": "丙"}
SEX_LABELS = {"1": "男", "2": "女"}

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT_PACKAGE = "fonts-wqy-microhei"
FONT_NAME = "HuiminWQYMicroHei"


class ReceiptFontMissing(DomainError):
    """The PDF cannot be drawn without a CJK font: say which package provides it."""

    status = 503

    def __init__(self, path: Path):
        super().__init__(
            "receipt_font_missing",
            f"无法生成PDF结算单：缺少中文字体文件 {path}，"
            f"请安装 Debian 软件包 {FONT_PACKAGE}（apt-get install {FONT_PACKAGE}）",
        )


# ---------------------------------------------------------------- scope


def visible_settlements(user):
    """Who may read a receipt: the counter (settlement.operate) and the officers
    (settlement.read). `visible_to` scopes both: institution staff to their own
    institution's settlements, officers to people in their jurisdiction."""
    if has_perm(user, "settlement.operate") or has_perm(user, "settlement.read"):
        return Settlement.objects.visible_to(user)
    return Settlement.objects.none()


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class Line:
    code: str
    name: str
    item_class: str
    quantity: Decimal | None
    unit_price: Decimal | None
    amount: Decimal
    self_pay: Decimal
    b_self_pay: Decimal
    eligible: Decimal
    # The B-class self-pay share applied (the item's own, else the plan's); None otherwise.
    b_ratio: Decimal | None = None

    @property
    def b_ratio_text(self) -> str:
        return f"{self.b_ratio * 100:.0f}%" if self.b_ratio is not None else ""

    @property
    def class_label(self) -> str:
        return CLASS_LABELS.get(self.item_class, self.item_class or "—")

    @property
    def quantity_text(self) -> str:
        return quantity_text(self.quantity)

    @property
    def price_text(self) -> str:
        return price_text(self.unit_price)


@dataclass(frozen=True)
class Row:
    label: str
    amount: Decimal
    strong: bool = False


@dataclass
class Breakdown:
    """One visit's money, line by line and in total (a settlement or a pre-settlement)."""

    lines: list[Line]
    totals: list[Row]
    ytd: list[Row]
    patient_pay: Decimal
    fund_paid: Decimal


@dataclass
class Receipt:
    settlement: Settlement
    is_reversal: bool
    institution_name: str
    institution_code: str
    person_name: str
    id_number_masked: str
    sex: str
    age: int
    category: str
    visit_no: str
    visit_type: str
    visit_date: datetime.date
    discharge_date: datetime.date | None
    settled_at: datetime.datetime
    operator: str
    verification_code: str
    verify_url: str
    breakdown: Breakdown
    reason: str = ""
    reverses_id: int | None = None
    reversed_by_id: int | None = None
    reversed_at: datetime.datetime | None = None
    notes: list[str] = field(default_factory=list)


def quantity_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")


def price_text(value: Decimal | None) -> str:
    """Two decimals, or up to four when the price has them (unit prices of tablets)."""
    if value is None:
        return ""
    two = value.quantize(Decimal("0.01"))
    return str(two) if two == value else format(value.normalize(), "f")


def visit_type_label(code: str) -> str:
    return dict(VisitType.choices).get(code, code)


def match_lines(
    result_lines: list[dict], fees: list[FeeDetail], fee_ids: list[int] | None = None
) -> list[FeeDetail | None]:
    """The fee row each line of an engine result priced, in the result's order.

    A settlement stores the ids of the rows it priced (`fee_line_ids`), in its lines' order:
    then the pairing is exact. Settlements from before that keep only codes and amounts;
    their lines followed the visit's live fee lines at settlement time, but lines
    cancelled and re-entered after a reversal shift that order, so pair by code: prefer
    a row whose quantity × price gives the line's amount, then a live row, then the
    earliest.
    """
    if fee_ids and len(fee_ids) == len(result_lines):
        by_id = {f.pk: f for f in fees}
        return [by_id.get(i) for i in fee_ids]
    used: set[int] = set()
    paired: list[FeeDetail | None] = []
    for line in result_lines:
        amount = Decimal(line["amount"])
        candidates = [f for f in fees if f.code == line["code"] and id(f) not in used]
        if not candidates:
            paired.append(None)
            continue
        best = min(
            candidates,
            key=lambda f: (r2(f.quantity * f.unit_price) != amount, f.cancelled, f.line_no),
        )
        used.add(id(best))
        paired.append(best)
    return paired


def breakdown(
    result: dict,
    fees: list[FeeDetail],
    visit_type: str,
    sign: int = 1,
    plan_b_ratio: Decimal | None = None,
    fee_ids: list[int] | None = None,
) -> Breakdown:
    """Lines and totals of an engine result (`Settlement.as_json()` or a stored `result`);
    `sign=-1` shows a reversal, which negates every amount of the settlement it undoes.
    `plan_b_ratio`: the plan's B-class share, shown on B lines without their own;
    `fee_ids`: the fee rows the lines priced, in their order (`Settlement.fee_line_ids`)."""

    def amount(raw) -> Decimal:
        value = Decimal(raw or "0")
        return -value if sign < 0 and value else value

    rows = result.get("lines", [])
    lines = []
    paired = match_lines(rows, fees, fee_ids)
    for raw, fee in zip(rows, paired, strict=True):
        lines.append(
            Line(
                code=raw["code"],
                name=fee.name if fee else "",
                item_class=fee.item_class if fee else "",
                quantity=fee.quantity if fee else None,
                unit_price=fee.unit_price if fee else None,
                amount=amount(raw["amount"]),
                self_pay=amount(raw["self_pay"]),
                b_self_pay=amount(raw["b_self_pay"]),
                eligible=amount(raw["eligible"]),
                b_ratio=(
                    (fee.b_self_ratio if fee.b_self_ratio is not None else plan_b_ratio)
                    if fee is not None and fee.item_class == "B"
                    else None
                ),
            )
        )
    fund = sum(
        (amount(result.get(k)) for k in ("basic_fund", "critical_illness", "assistance")), ZERO
    )
    totals = [
        Row("医疗费总额", amount(result.get("total"))),
        Row("全自费（丙类及超限价部分）", amount(result.get("self_pay"))),
        Row("乙类先行自付", amount(result.get("b_self_pay"))),
        Row("政策范围内费用", amount(result.get("eligible"))),
        Row("本次起付线", amount(result.get("deductible"))),
        Row("基本医保统筹支付", amount(result.get("basic_fund"))),
        Row("大病保险支付", amount(result.get("critical_illness"))),
        Row("医疗救助支付", amount(result.get("assistance"))),
        Row("基金支付合计", fund),
        Row("个人现金支付", amount(result.get("patient_pay")), strong=True),
    ]
    ytd = []
    after = result.get("ytd_after") if sign > 0 else None
    if after:
        label = visit_type_label(visit_type)
        ytd = [
            Row("基本医保统筹累计支付", Decimal(after["basic_paid"])),
            Row(
                f"其中{label}累计支付",
                Decimal(after.get("basic_paid_by_type", {}).get(visit_type, "0")),
            ),
        ]
        deductibles = after.get("deductible_paid_by_type", {})
        if visit_type in deductibles:
            ytd.append(Row(f"{label}本年已付起付线", Decimal(deductibles[visit_type])))
        ytd += [
            Row("计入大病保险的累计自付", Decimal(after["ci_base"])),
            Row("大病保险累计支付", Decimal(after["ci_paid"])),
            Row("医疗救助累计支付", Decimal(after["assistance_paid"])),
        ]
    return Breakdown(
        lines=lines,
        totals=totals,
        ytd=ytd,
        patient_pay=amount(result.get("patient_pay")),
        fund_paid=fund,
    )


def build(settlement: Settlement, verify_url: str) -> Receipt:
    """Everything a receipt shows. `settlement` comes with institution, person, visit,
    settled_by and (for a reversal) reverses selected; fee lines are one more query."""
    visit = settlement.visit
    person = settlement.person
    is_reversal = settlement.kind == SettlementKind.REVERSAL
    view = shown(settlement)
    fees = list(FeeDetail.objects.filter(visit_id=settlement.visit_id).order_by("line_no"))
    money = breakdown(
        view.result,
        fees,
        settlement.visit_type,
        sign=view.sign,
        plan_b_ratio=plans.parsed(view.source.plan).b_self_ratio,
        fee_ids=view.fee_line_ids,
    )
    operator = ""
    if settlement.settled_by is not None:
        operator = settlement.settled_by.get_full_name() or settlement.settled_by.get_username()
    receipt = Receipt(
        settlement=settlement,
        is_reversal=is_reversal,
        institution_name=settlement.institution.name,
        institution_code=settlement.institution.insurance_code,
        person_name=person.name,
        id_number_masked=person.id_number_masked,
        sex=SEX_LABELS.get(person.sex, ""),
        age=age_on(person.birth_date, visit.visit_date),
        category=category_label(settlement.person_category),
        visit_no=visit.his_visit_no,
        visit_type=visit_type_label(settlement.visit_type),
        visit_date=visit.visit_date,
        discharge_date=visit.discharge_date,
        settled_at=settlement.settled_at,
        operator=operator,
        verification_code=settlement.verification_code,
        verify_url=verify_url,
        breakdown=money,
        reason=view.reason,
        reverses_id=settlement.reverses_id,
        reversed_at=settlement.reversed_at,
    )
    if not is_reversal and settlement.reversed_at is not None:
        reversal = Settlement.objects.filter(reverses_id=settlement.pk).values_list("pk", flat=True)
        receipt.reversed_by_id = reversal.first()
    return receipt


# ---------------------------------------------------------------- QR code


def qr_svg(url: str) -> str:
    """Inline SVG of the verification URL's QR code, for the page."""
    return segno.make(url, error="m").svg_inline(scale=3, border=2, title="结算单验证二维码")


def _qr_drawing(url: str, size: float):
    """The same QR code as reportlab vector shapes: runs of dark modules as rectangles."""
    from reportlab.graphics.shapes import Drawing, Rect  # noqa: PLC0415 - reportlab is heavy and only the PDF needs it
    from reportlab.lib import colors  # noqa: PLC0415 - reportlab is heavy and only the PDF needs it

    matrix = segno.make(url, error="m").matrix
    n = len(matrix)
    border = 2
    module = size / (n + 2 * border)
    drawing = Drawing(size, size)
    for y, row in enumerate(matrix):
        x = 0
        while x < n:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < n and row[x]:
                x += 1
            drawing.add(
                Rect(
                    (border + start) * module,
                    size - (border + y + 1) * module,
                    (x - start) * module,
                    module,
                    fillColor=colors.black,
                    strokeColor=None,
                )
            )
    return drawing


# ---------------------------------------------------------------- PDF


def _register_font() -> str:
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415 - reportlab is heavy and only the PDF needs it
    from reportlab.pdfbase.ttfonts import TTFont  # noqa: PLC0415 - reportlab is heavy and only the PDF needs it

    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    if not FONT_PATH.is_file():
        raise ReceiptFontMissing(FONT_PATH)
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=0))
    return FONT_NAME


def _yuan(value: Decimal) -> str:
    return f"{r2(value):,.2f}"


def pdf(receipt: Receipt) -> bytes:
    """The receipt as an A4 PDF with the CJK font embedded (subset)."""
    from reportlab.lib import colors  # noqa: PLC0415 - reportlab is heavy and only the PDF needs it
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415 - reportlab is heavy and only the PDF needs it
    from reportlab.lib.styles import ParagraphStyle  # noqa: PLC0415 - reportlab is heavy and only the PDF needs it
    from reportlab.lib.units import mm  # noqa: PLC0415 - reportlab is heavy and only the PDF needs it
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # noqa: PLC0415 - reportlab is heavy and only the PDF needs it

    font = _register_font()
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=15, leading=20, alignment=1)
    heading = ParagraphStyle("heading", parent=base, fontSize=10.5, leading=15, spaceBefore=6)
    right = ParagraphStyle("right", parent=base, alignment=2)
    small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=10)
    red = ParagraphStyle("red", parent=title, textColor=colors.HexColor("#b83227"))

    def p(text, style=base):
        return Paragraph(str(text).replace("&", "&amp;").replace("<", "&lt;"), style)

    grid = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), font, 9),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
    )
    s = receipt.settlement
    story = [p(f"{receipt.institution_name} 医疗保障基金结算单", title)]
    if receipt.is_reversal:
        story.append(p(f"冲正（撤销结算 #{receipt.reverses_id}）", red))
    elif receipt.reversed_by_id:
        story.append(p(f"此结算已冲正（冲正单 #{receipt.reversed_by_id}）", red))
    story.append(Spacer(1, 3 * mm))

    discharge = f" 至 {receipt.discharge_date:%Y-%m-%d}" if receipt.discharge_date else ""
    info = [
        ["姓名", receipt.person_name, "身份证号", receipt.id_number_masked],
        ["性别 / 年龄", f"{receipt.sex} / {receipt.age}岁", "人员类别", receipt.category],
        ["就诊类型", receipt.visit_type, "就诊流水号", receipt.visit_no],
        ["就诊日期", f"{receipt.visit_date:%Y-%m-%d}{discharge}", "结算编号", str(s.pk)],
        [
            "结算时间",
            f"{_local(receipt.settled_at):%Y-%m-%d %H:%M:%S}",
            "医保机构编码",
            receipt.institution_code,
        ],
    ]
    table = Table(
        [[p(c) for c in row] for row in info], colWidths=[24 * mm, 66 * mm, 24 * mm, 66 * mm]
    )
    table.setStyle(grid)
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef2f5"))]))
    table.setStyle(TableStyle([("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#eef2f5"))]))
    story += [table, Spacer(1, 2 * mm), p("费用明细", heading)]

    head = ["项目编码", "名称", "类别", "数量", "单价", "金额", "全自费", "乙类自付", "政策内"]
    rows = [[p(h) for h in head]]
    for ln in receipt.breakdown.lines:
        rows.append(
            [
                p(ln.code, small),
                p(ln.name),
                p(ln.class_label),
                p(quantity_text(ln.quantity), right),
                p(price_text(ln.unit_price), right),
                p(_yuan(ln.amount), right),
                p(_yuan(ln.self_pay), right),
                p(_yuan(ln.b_self_pay), right),
                p(_yuan(ln.eligible), right),
            ]
        )
    widths = [41, 37, 10, 12, 14, 17, 17, 16, 16]
    lines = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
    lines.setStyle(grid)
    lines.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f5"))]))
    story += [lines, Spacer(1, 2 * mm), p("结算信息（元）", heading)]

    totals = receipt.breakdown.totals
    half = (len(totals) + 1) // 2
    pairs = []
    for i in range(half):
        left = totals[i]
        other = totals[half + i] if half + i < len(totals) else None
        pairs.append(
            [
                p(left.label),
                p(_yuan(left.amount), right),
                p(other.label if other else ""),
                p(_yuan(other.amount) if other else "", right),
            ]
        )
    money = Table(pairs, colWidths=[50 * mm, 40 * mm, 50 * mm, 40 * mm])
    money.setStyle(grid)
    story.append(money)
    strong = ParagraphStyle("strong", parent=base, fontSize=12, leading=16)
    refund = "（冲正：退还患者）" if receipt.is_reversal else ""
    story += [
        Spacer(1, 2 * mm),
        p(f"个人现金支付：{_yuan(receipt.breakdown.patient_pay)} 元{refund}", strong),
    ]
    if receipt.is_reversal:
        story.append(p(f"冲正原因：{receipt.reason}"))
    if receipt.breakdown.ytd:
        story.append(p("本年度累计（本次结算后，元）", heading))
        ytd = Table(
            [[p(r.label), p(_yuan(r.amount), right)] for r in receipt.breakdown.ytd],
            colWidths=[70 * mm, 40 * mm],
            hAlign="LEFT",
        )
        ytd.setStyle(grid)
        story.append(ytd)

    story.append(Spacer(1, 4 * mm))
    verify = Table(
        [
            [
                _qr_drawing(receipt.verify_url, 30 * mm),
                [
                    p(f"验证码：{receipt.verification_code}", strong),
                    p(f"扫码或访问 {receipt.verify_url} 核验本结算单"),
                    p(f"经办：{receipt.operator or '—'}"),
                    p(f"打印时间：{_local(None):%Y-%m-%d %H:%M}"),
                ],
            ]
        ],
        colWidths=[34 * mm, 146 * mm],
    )
    verify.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story.append(verify)

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"结算单 {s.pk}",
        author=receipt.institution_name,
    )
    doc.build(story)
    return out.getvalue()


def _local(moment: datetime.datetime | None) -> datetime.datetime:
    return timezone.localtime(moment) if moment is not None else timezone.localtime()
