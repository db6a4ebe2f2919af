"""Basic public-health indicators over the health records (国家基本公共卫生服务规范
（第三版）, each service's 工作指标). Formulas and sources: docs/indicators.md.

Each definition is a pair of querysets (`Members`): the denominator's rows and the
numerator's, a filter of them. Counts per village are two grouped queries. What counts
as a service is read from the forms as the records app stores them: signed forms only
(a draft is not a service; an amended form is replaced by its amendment), measurements
from the lifted columns (systolic, diastolic, fasting_glucose), the rest from `data`.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery

from huimin.policy.scope import prefix_condition
from huimin.records.forms.immunisation import INACTIVATED_ALTERNATIVES, PROGRAMME_SCHEDULE, SERIES
from huimin.records.models import Form, FormKind, FormStatus, HealthRecord, Programme, RecordStatus
from huimin.registry.models import Person, PersonStatus
from huimin.reports import conf
from huimin.reports.indicators.base import (
    FLOW,
    RATE,
    ROLLING_YEAR,
    STOCK,
    ZERO,
    Indicator,
    Leaves,
    Members,
    count_by_region,
    member_rate,
)
from huimin.reports.indicators.registry import register
from huimin.reports.periods import Period
from huimin.reports.sql import AddDays, AddYears

SPEC = "国家基本公共卫生服务规范（第三版）"
NIP = "国家免疫规划疫苗儿童免疫程序及说明（2021年版）"

PHONE = "3"  # FOLLOWUP_MODE 电话: not a face-to-face follow-up
SMI_NOT_SEEN = "4"  # 严重精神障碍随访分类 未访到
CONTROLLED_GLUCOSE = Decimal("7.0")
BP_TARGET = (140, 90)
BP_TARGET_ELDERLY = (150, 90)  # 65 and over
ELDERLY_AGE = 65
STANDARD_FOLLOWUPS = 4
EARLY_PREGNANCY_WEEKS = 13
NEWBORN_DAYS = 28
POSTPARTUM_DAYS = 28
DELIVERY = "delivery"


def years_before(day: dt.date, n: int) -> dt.date:
    """The birthday on which someone turns n on `day` (29 February: 28 February)."""
    try:
        return day.replace(year=day.year - n)
    except ValueError:
        return day.replace(year=day.year - n, day=28)


def signed(*kinds: str, window: Period | None = None):
    qs = Form.objects.filter(kind__in=kinds, status=FormStatus.SIGNED)
    if window is not None:
        qs = qs.filter(service_date__gte=window.start, service_date__lte=window.end)
    return qs


def face_to_face(kind: str) -> Q:
    """规范: follow-ups count when face to face — not by phone (mode 3), and for SMI not
    marked 未访到. A form that does not say how it was done counts (older imports), as
    in records/schedule.py."""
    q = Q(data__mode__isnull=True) | ~Q(data__mode=PHONE)
    if kind == "smi_followup":
        q &= Q(data__classification__isnull=True) | ~Q(data__classification=SMI_NOT_SEEN)
    return q


def residents(prefix: str, on: dt.date):
    """常住居民 on a day: in the registry, not merged away, born by and alive on it."""
    return (
        Person.objects.filter(prefix_condition("village_id", prefix))
        .filter(status=PersonStatus.ACTIVE, birth_date__lte=on)
        .filter(Q(death_date__isnull=True) | Q(death_date__gt=on))
    )


def records_in_force(prefix: str, on: dt.date):
    """Records open on a day: opened by it, not closed or destroyed before it."""
    return (
        HealthRecord.objects.filter(prefix_condition("region_code", prefix))
        .filter(opened_on__lte=on)
        .exclude(status=RecordStatus.DESTROYED)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
    )


def _person_members(den, num) -> Members:
    return Members(den, num, region_field="village_id", person_field="pk", subject="person")


def _record_members(den, num) -> Members:
    return Members(den, num, region_field="region_code", person_field="person_id", subject="record")


# ------------------------------------------------------------------ records


def _record_building(prefix: str, w: Period) -> Members:
    den = residents(prefix, w.end)
    has_record = records_in_force("", w.end).filter(person_id=OuterRef("pk"))
    return _person_members(den, den.filter(Exists(has_record)))


def _dynamic_use(prefix: str, w: Period) -> Members:
    den = records_in_force(prefix, w.end)
    year = w.twelve_months_to_end()
    used = signed(*_SERVICE_KINDS, window=year).filter(record_id=OuterRef("pk"))
    # last_activity_on also counts insured visits (records/activity.py); a date inside
    # the twelve months is a use in them, a later one is judged by the forms alone.
    in_year = Q(last_activity_on__gte=year.start, last_activity_on__lte=year.end)
    return _record_members(den, den.filter(in_year | Q(Exists(used))))


# Every form about a person (health education and supervision logs belong to no one).
_SERVICE_KINDS = tuple(
    k for k in FormKind.values if k not in ("health_education", "health_supervision")
)


def _qualified(prefix: str, w: Period) -> Members:
    den = records_in_force(prefix, w.end)
    return _record_members(den, den.filter(qualified=True))


# ------------------------------------------------------------------ chronic disease


def _managed(kind: str, w: Period):
    """Registrations of `kind` open at some time in the window (年内已管理)."""
    return Programme.objects.filter(kind=kind, registered_on__lte=w.end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=w.start)
    )


def _managed_records(prefix: str, kind: str, w: Period):
    return (
        HealthRecord.objects.filter(prefix_condition("region_code", prefix))
        .exclude(status=RecordStatus.DESTROYED)
        .filter(Exists(_managed(kind, w).filter(record_id=OuterRef("pk"))))
    )


def _standard(programme: str, form_kind: str):
    def members(prefix: str, w: Period) -> Members:
        den = _managed_records(prefix, programme, w)
        visits = (
            signed(form_kind, window=w)
            .filter(face_to_face(form_kind), record_id=OuterRef("pk"))
            .order_by()
            .values("record_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        num = den.annotate(visits=Subquery(visits)).filter(visits__gte=STANDARD_FOLLOWUPS)
        return _record_members(den, num)

    return members


def _latest(form_kind: str, w: Period, column: str):
    return Subquery(
        signed(form_kind, window=w)
        .filter(record_id=OuterRef("pk"), **{f"{column}__isnull": False})
        .order_by("-service_date", "-id")
        .values(column)[:1]
    )


def _bp_control(prefix: str, w: Period) -> Members:
    den = _managed_records(prefix, "hypertension", w)
    latest = den.annotate(
        sbp=_latest("htn_followup", w, "systolic"),
        dbp=_latest("htn_followup", w, "diastolic"),
        seen=_latest("htn_followup", w, "service_date"),
        elderly_from=AddYears(F("person__birth_date"), ELDERLY_AGE),
    )
    (s, d), (se, de) = BP_TARGET, BP_TARGET_ELDERLY
    num = latest.filter(
        Q(sbp__lt=s, dbp__lt=d) | Q(sbp__lt=se, dbp__lt=de, elderly_from__lte=F("seen"))
    )
    return _record_members(den, num)


def _glucose_control(prefix: str, w: Period) -> Members:
    den = _managed_records(prefix, "diabetes", w)
    num = den.annotate(fpg=_latest("dm_followup", w, "fasting_glucose")).filter(
        fpg__lt=CONTROLLED_GLUCOSE
    )
    return _record_members(den, num)


def _prevalence_leaves(programme: str):
    """Patients under management ÷ the residents the prevalence says have the disease."""

    def leaves(prefix: str, w: Period) -> Leaves:
        managed = count_by_region(_managed_records(prefix, programme, w), "region_code")
        bands = conf.prevalence(programme)
        people = residents(prefix, w.end)
        counts = {}
        for i, (lo, hi, _rate) in enumerate(bands):
            cond = Q(birth_date__lte=years_before(w.end, lo))
            if hi is not None:
                cond &= Q(birth_date__gt=years_before(w.end, hi + 1))
            counts[f"b{i}"] = Count("pk", filter=cond)
        rows = people.order_by().values("village_id").annotate(**counts)
        out: Leaves = {}
        for row in rows:
            est = sum(
                (Decimal(row[f"b{i}"]) * rate for i, (_, _, rate) in enumerate(bands)), ZERO
            ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            out[row["village_id"]] = (managed.get(row["village_id"], ZERO), est)
        for code, n in managed.items():
            out.setdefault(code, (n, ZERO))
        return out

    return leaves


# ------------------------------------------------------------------ elderly, children, mothers


def _elderly(prefix: str, w: Period, form_kind: str = "health_check") -> Members:
    den = residents(prefix, w.end).filter(birth_date__lte=years_before(w.end, ELDERLY_AGE))
    served = signed(form_kind, window=w).filter(person_id=OuterRef("pk"))
    return _person_members(den, den.filter(Exists(served)))


def _tcm_elderly(prefix: str, w: Period) -> Members:
    return _elderly(prefix, w, "tcm_elderly")


def _children(prefix: str, w: Period) -> Members:
    den = residents(prefix, w.end).filter(birth_date__gt=years_before(w.end, 7))
    served = signed("child_check", "newborn_visit", window=w).filter(person_id=OuterRef("pk"))
    return _person_members(den, den.filter(Exists(served)))


def _tcm_children(prefix: str, w: Period) -> Members:
    # 0–36 months: born after the day they would have turned 3.
    den = residents(prefix, w.end).filter(birth_date__gt=years_before(w.end, 3))
    served = signed("tcm_child", window=w).filter(person_id=OuterRef("pk"))
    return _person_members(den, den.filter(Exists(served)))


def _births(prefix: str, w: Period):
    """活产: residents born in the window (those who died since included)."""
    return Person.objects.filter(prefix_condition("village_id", prefix)).filter(
        status=PersonStatus.ACTIVE, birth_date__gte=w.start, birth_date__lte=w.end
    )


def _newborn(prefix: str, w: Period) -> Members:
    den = _births(prefix, w)
    visited = Form.objects.filter(
        kind="newborn_visit",
        status=FormStatus.SIGNED,
        person_id=OuterRef("pk"),
        service_date__gte=OuterRef("birth_date"),
        service_date__lte=AddDays(OuterRef("birth_date"), NEWBORN_DAYS),
    )
    return _person_members(den, den.filter(Exists(visited)))


def _deliveries(prefix: str, w: Period):
    """Pregnancies ended by a delivery in the window (the day the programme ended)."""
    return Programme.objects.filter(prefix_condition("region_code", prefix)).filter(
        kind="pregnancy", end_reason=DELIVERY, ended_on__gte=w.start, ended_on__lte=w.end
    )


def _programme_members(den, num) -> Members:
    return Members(
        den, num, region_field="region_code", person_field="person_id", subject="programme"
    )


def _early_pregnancy(prefix: str, w: Period) -> Members:
    den = _deliveries(prefix, w)
    booked = Form.objects.filter(
        kind="prenatal_first",
        status=FormStatus.SIGNED,
        person_id=OuterRef("person_id"),
        service_date__lte=OuterRef("ended_on"),
        service_date__gte=AddDays(OuterRef("ended_on"), -44 * 7),
        data__gestational_weeks__lt=EARLY_PREGNANCY_WEEKS,
    )
    return _programme_members(den, den.filter(Exists(booked)))


def _postpartum(prefix: str, w: Period) -> Members:
    den = _deliveries(prefix, w)
    visited = Form.objects.filter(
        kind="postpartum_visit",
        status=FormStatus.SIGNED,
        person_id=OuterRef("person_id"),
        service_date__gte=OuterRef("ended_on"),
        service_date__lte=AddDays(OuterRef("ended_on"), POSTPARTUM_DAYS),
    )
    return _programme_members(den, den.filter(Exists(visited)))


# ------------------------------------------------------------------ immunisation


def _dose_given(vaccine: str, dose: int, by: dt.date):
    return Form.objects.filter(
        kind="immunisation",
        status=FormStatus.SIGNED,
        person_id=OuterRef("pk"),
        service_date__lte=by,
    ).filter(Q(data__vaccine=vaccine) & (Q(data__dose=dose) | Q(data__dose=str(dose))))


def _vaccine(d):
    alternatives = {
        a.vaccine for a in INACTIVATED_ALTERNATIVES if SERIES[a.vaccine] == SERIES[d.vaccine]
    }
    inactivated = d in INACTIVATED_ALTERNATIVES

    def members(prefix: str, w: Period) -> Members:
        # 应种: children who reached the age by which the dose is due complete (及时
        # 接种建议) inside the window; 实种: those given it by the window's end.
        overdue = dt.timedelta(days=d.overdue_age_days)
        den = residents(prefix, w.end).filter(
            birth_date__gte=w.start - overdue, birth_date__lte=w.end - overdue
        )
        on_alternative = Form.objects.filter(
            kind="immunisation", status=FormStatus.SIGNED, person_id=OuterRef("pk")
        ).filter(data__vaccine__in=sorted(alternatives))
        if alternatives:
            # A child on the inactivated JE/HepA series is due that series, not the live.
            den = (
                den.filter(Exists(on_alternative))
                if inactivated
                else den.exclude(Exists(on_alternative))
            )
        return _person_members(den, den.filter(Exists(_dose_given(d.vaccine, d.dose, w.end))))

    return members


# ------------------------------------------------------------------ notifiable diseases


def _infectious_timely(prefix: str, w: Period) -> Members:
    """Report cards filled in the window; timely when the card was filled no later than
    the day after the diagnosis (24 hours, at the day's resolution the card keeps)."""
    den = signed("infectious_report", window=w).filter(prefix_condition("region_code", prefix))
    timely = []
    for pk, filled, diagnosed in den.values_list("pk", "service_date", "data__diagnosis_date"):
        try:
            day = dt.date.fromisoformat(str(diagnosed))
        except ValueError:
            continue
        if filled is not None and filled <= day + dt.timedelta(days=1):
            timely.append(pk)
    return Members(
        den,
        den.filter(pk__in=timely),
        region_field="region_code",
        person_field="person_id",
        subject="form",
    )


def _rate(code, name, members, num_text, den_text, source, target, kind=ROLLING_YEAR, **kw):
    return Indicator(
        code=code,
        name=name,
        unit=RATE,
        period_kind=kind,
        numerator_text=num_text,
        denominator_text=den_text,
        source=source,
        group="health",
        leaves=member_rate(members),
        members=members,
        target=None if target is None else Decimal(target),
        **kw,
    )


INDICATORS = [
    _rate(
        "record.building",
        "居民电子健康档案建档率",
        _record_building,
        "期末建立电子健康档案（未结案、未销毁）的常住居民人数",
        "期末辖区常住居民人数",
        f"{SPEC}·居民健康档案管理服务规范·工作指标",
        "0.90",
        kind=STOCK,
    ),
    _rate(
        "record.dynamic_use",
        "健康档案动态使用率",
        _dynamic_use,
        "近12个月内有服务记录（签名表单）或就诊记录的档案数",
        "期末在管档案数",
        f"{SPEC}·居民健康档案管理服务规范·工作指标（健康档案使用率）",
        "0.60",
        kind=STOCK,
    ),
    _rate(
        "record.qualified",
        "健康档案合格率",
        _qualified,
        "最近一次质量检查无未处理阻断问题的在管档案数",
        "期末在管档案数",
        "国家基本公共卫生服务项目绩效评价指标（档案真实性、完整性）；规则见 docs/records.md",
        "0.90",
        kind=STOCK,
        note="读取档案当前的质量检查结果（records/quality.py），不回溯历史期间。",
    ),
    _rate(
        "htn.standard",
        "高血压患者规范管理率",
        _standard("hypertension", "htn_followup"),
        "年内面对面随访不少于4次的已管理高血压患者人数",
        "年内已管理的高血压患者人数",
        f"{SPEC}·高血压患者健康管理服务规范·工作指标",
        "0.65",
    ),
    _rate(
        "htn.control",
        "管理人群血压控制率",
        _bp_control,
        "年内最近一次随访血压达标（<140/90mmHg；65岁及以上<150/90mmHg）人数",
        "年内已管理的高血压患者人数",
        f"{SPEC}·高血压患者健康管理服务规范·工作指标",
        "0.60",
    ),
    _rate(
        "dm.standard",
        "2型糖尿病患者规范管理率",
        _standard("diabetes", "dm_followup"),
        "年内面对面随访不少于4次的已管理2型糖尿病患者人数",
        "年内已管理的2型糖尿病患者人数",
        f"{SPEC}·2型糖尿病患者健康管理服务规范·工作指标",
        "0.65",
    ),
    _rate(
        "dm.control",
        "管理人群血糖控制率",
        _glucose_control,
        "年内最近一次随访空腹血糖<7.0mmol/L人数",
        "年内已管理的2型糖尿病患者人数",
        f"{SPEC}·2型糖尿病患者健康管理服务规范·工作指标",
        "0.60",
    ),
    Indicator(
        code="htn.coverage",
        name="高血压患者管理率",
        unit=RATE,
        period_kind=ROLLING_YEAR,
        numerator_text="年内已管理的高血压患者人数",
        denominator_text="辖区内高血压患者估算人数（常住居民分年龄段人数×患病率，见设置）",
        source=f"{SPEC}·高血压患者健康管理服务规范·工作指标（高血压患者管理率）",
        group="health",
        leaves=_prevalence_leaves("hypertension"),
        target=Decimal("0.45"),
        note="患病率按年龄段可配置（HUIMIN_REPORTS_PREVALENCE）；估算分母无人员清单。",
    ),
    Indicator(
        code="dm.coverage",
        name="2型糖尿病患者管理率",
        unit=RATE,
        period_kind=ROLLING_YEAR,
        numerator_text="年内已管理的2型糖尿病患者人数",
        denominator_text="辖区内2型糖尿病患者估算人数（常住居民分年龄段人数×患病率，见设置）",
        source=f"{SPEC}·2型糖尿病患者健康管理服务规范·工作指标（糖尿病患者管理率）",
        group="health",
        leaves=_prevalence_leaves("diabetes"),
        target=Decimal("0.35"),
        note="患病率按年龄段可配置（HUIMIN_REPORTS_PREVALENCE）；估算分母无人员清单。",
    ),
    _rate(
        "elderly.managed",
        "65岁及以上老年人健康管理率",
        _elderly,
        "年内接受健康体检（健康体检表）的65岁及以上常住居民数",
        "年内辖区内65岁及以上常住居民数",
        f"{SPEC}·老年人健康管理服务规范·工作指标",
        "0.70",
    ),
    _rate(
        "child.managed",
        "0～6岁儿童健康管理率",
        _children,
        "年内接受1次及以上随访（新生儿访视或儿童健康检查）的0～6岁儿童数",
        "年内辖区内0～6岁儿童数",
        f"{SPEC}·0～6岁儿童健康管理服务规范·工作指标",
        "0.90",
    ),
    _rate(
        "child.newborn_visit",
        "新生儿访视率",
        _newborn,
        "年内出生后28天内接受1次及以上访视的新生儿人数",
        "年内辖区内活产数",
        f"{SPEC}·0～6岁儿童健康管理服务规范·工作指标",
        "0.90",
    ),
    _rate(
        "maternal.early_booking",
        "早孕建册率",
        _early_pregnancy,
        "年内分娩的产妇中孕13周之前建册并进行第一次产前检查的人数",
        "年内辖区内活产数（分娩结案的孕产妇）",
        f"{SPEC}·孕产妇健康管理服务规范·工作指标",
        "0.85",
    ),
    _rate(
        "maternal.postpartum_visit",
        "产后访视率",
        _postpartum,
        "年内分娩的产妇中产后28天内接受过产后访视的人数",
        "年内辖区内活产数（分娩结案的孕产妇）",
        f"{SPEC}·孕产妇健康管理服务规范·工作指标",
        "0.90",
    ),
    _rate(
        "smi.standard",
        "严重精神障碍患者规范管理率",
        _standard("smi", "smi_followup"),
        "年内面对面随访（不含电话、未访到）不少于4次的在册患者人数",
        "年内辖区内登记在册的确诊严重精神障碍患者人数",
        f"{SPEC}·严重精神障碍患者管理服务规范·工作指标",
        "0.80",
    ),
    _rate(
        "tcm.elderly",
        "老年人中医药健康管理率",
        _tcm_elderly,
        "年内接受中医药健康管理服务的65岁及以上居民数",
        "年内辖区内65岁及以上常住居民数",
        f"{SPEC}·中医药健康管理服务规范·工作指标",
        "0.70",
    ),
    _rate(
        "tcm.child",
        "儿童中医药健康管理率",
        _tcm_children,
        "年内接受中医药健康管理服务的0～36月龄儿童数",
        "年内辖区内0～36月龄儿童数",
        f"{SPEC}·中医药健康管理服务规范·工作指标",
        "0.77",
    ),
    _rate(
        "infectious.timely",
        "传染病报告及时率",
        _infectious_timely,
        "期间内诊断后24小时内（按日计：诊断次日及以前）填报的传染病报告卡数",
        "期间内填报的传染病报告卡数",
        f"{SPEC}·传染病及突发公共卫生事件报告和处理服务规范·工作指标",
        "1.00",
        kind=FLOW,
        note="报告卡只记日期（诊断时间仅到小时、填卡只到日），甲类2小时时限无法核对，按日计24小时。",
    ),
]

for _d in PROGRAMME_SCHEDULE + INACTIVATED_ALTERNATIVES:
    INDICATORS.append(
        _rate(
            f"nip.{_d.vaccine}-{_d.dose}",
            f"{_d.label}接种率",
            _vaccine(_d),
            f"应种儿童中期末前已接种{_d.label}的人数",
            f"截至期末12个月内达到{_d.label}及时接种截止月龄的辖区儿童数（替代程序按所用程序计）",
            f"{NIP}；{SPEC}·预防接种服务规范·工作指标",
            "0.90",
            tags=("nip",),
        )
    )

register(*INDICATORS)
