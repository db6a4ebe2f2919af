"""Demo mediation cases for `make demo` (`huimin seed-mediation`): a few disputes at
various steps, each through the real services (audit records included), one of them
past its step's deadline so the overdue badge and notice have something to show."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from huimin.insurance.models import Settlement
from huimin.mediation import rules, services
from huimin.mediation.models import MediationCase
from huimin.registry.models import Institution

# (summary, claimed amount, how many steps to record, days the current step is late)
STORIES = (
    ("患者反映住院期间术后感染，认为医院消毒不规范，要求赔偿后续治疗费用。", "18600.00", 0, 0),
    ("家属反映门诊误诊延误治疗，要求医院承担责任并赔偿。", "32000.00", 1, 12),
    ("患者对输液外渗导致局部损伤不满，要求赔偿。", "4500.00", 3, 0),
    ("患者反映手术后遗留功能障碍，要求赔偿。", "86000.00", 5, 0),
    ("家属对药品用错提出投诉，经调解双方达成协议并已履行。", "6800.00", 8, 0),
    ("患者要求赔偿误工费，双方对金额分歧较大。", "15000.00", -1, 0),
)
STEP_DATA = {
    rules.ACCEPTANCE: {"note": "材料齐全，符合受理条件，予以受理。"},
    rules.EVIDENCE: {"note": "已调取病历、医嘱单与护理记录，询问当事医护人员。"},
    rules.RESPONSIBILITY: {"responsibility": "minor", "note": "医方存在告知不充分的情形。"},
    rules.EXPERT: {"result": "not_needed", "note": "事实清楚、双方无争议，无需鉴定。"},
    rules.MEDIATION: {"note": "组织双方面对面调解两次。"},
    rules.AGREEMENT: {"result": "agreed", "amount": None, "note": "双方自愿达成调解协议。"},
    rules.PAYMENT: {"amount": None, "reference": "ZF{n:06d}"},
    rules.FOLLOW_UP: {"result": "satisfied", "note": "电话回访，患者对处理结果满意。"},
}
PDF = b"%PDF-1.4\n% demo evidence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def seed_mediation(county: str, *, seed: int = 2026) -> str:
    if MediationCase.objects.filter(region_code__startswith=county).exists():
        return f"{county} 已有调解案件，跳过"
    officer = get_user_model().objects.filter(username="officer").first()
    if officer is None:
        return "没有演示账号 officer：先运行 huimin demo_accounts"
    institutions = list(
        Institution.objects.filter(region__code__startswith=county).order_by("pk")[:20]
    )
    if not institutions:
        return f"{county} 没有医疗机构：先运行 huimin generate"
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible by seed
    settlements = list(
        Settlement.objects.filter(
            region_code__startswith=county, kind="settle", reversed_at__isnull=True
        )
        .select_related("person")
        .order_by("pk")[:200]
    )
    made = 0
    for summary, claimed, steps, late in STORIES:
        settlement = rng.choice(settlements) if settlements else None
        data = {
            "summary": summary,
            "claimed_amount": claimed,
            "institution": str(settlement.institution_id if settlement else institutions[0].pk),
            "settlement": str(settlement.pk) if settlement else "",
            "applicant_name": "" if settlement else "赵某（家属）",
        }
        case = services.do_open_case(officer, data)
        application = SimpleUploadedFile(f"调解申请书-{case.number}.pdf", PDF)
        services.do_upload(officer, case.pk, application, "case")
        agreed = (Decimal(claimed) * Decimal("0.6")).quantize(Decimal("0.01"))
        codes = rules.STEP_CODES[: steps if steps >= 0 else 5]
        for code in codes:
            fields = dict(STEP_DATA[code])
            if code in (rules.AGREEMENT, rules.PAYMENT):
                fields["amount"] = str(agreed)
            if "reference" in fields:
                fields["reference"] = fields["reference"].format(n=case.pk)
            services.do_record_step(officer, case.pk, code, fields)
        if steps < 0:
            services.do_record_step(
                officer,
                case.pk,
                rules.AGREEMENT,
                {"result": "failed", "note": "双方对赔偿金额分歧过大，调解不成，告知可诉讼解决。"},
            )
        if late:
            MediationCase.objects.filter(pk=case.pk).update(
                step_due=services.today() - datetime.timedelta(days=late)
            )
        made += 1
    return f"{county}：生成调解案件 {made} 件"
