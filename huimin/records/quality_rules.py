"""Data-quality rules for one health record, over plain data (issue #6, item 4).

In the manner of DHIS2's validation rules and outlier detection, but per record: each
rule yields `Hit`s (rule code, severity, field, Chinese message, the form it concerns).
`check_record` runs them all; quality.py loads records in batches, calls it, and keeps
the Finding table in step. Pure: no database, no Django.

The form-level completeness and validity rules reuse the form specifications
(`clean(spec, data, ctx, final=True)`) rather than restating field lists, so stored
data (imports, older versions of a form) is held to the rules a signing doctor meets.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from huimin.core.dates import age_on
from huimin.records.forms import SPECS
from huimin.records.forms.chronic import (
    RECHECK_DAYS,
    TARGET_AGE,
    UNDER_TARGET_REASON,
    bp_controlled,
    face_to_face,
    glucose_controlled,
    needs_recheck,
    outcome,
)
from huimin.records.forms.health_check import ELDERLY_FROM_AGE, missing_elderly_panel
from huimin.records.forms.health_check import FIELD_LABELS as CHECK_LABELS
from huimin.records.forms.spec import Context, Problem, clean

BLOCKING, WARNING, REVIEW = "blocking", "warning", "review"

PERSONAL_INFO = "personal_info"
HEALTH_CHECK = "health_check"
FOLLOWUP_KINDS = frozenset({"htn_followup", "dm_followup", "smi_followup"})
# Registered programmes whose face-to-face follow-ups are counted (at least 4 a year:
# 高血压/2型糖尿病 服务内容（二）, 严重精神障碍 服务内容（二）).
PROGRAMME_FOLLOWUPS = {
    "hypertension": "htn_followup",
    "diabetes": "dm_followup",
    "smi": "smi_followup",
}
# Programmes whose service targets residents 35 and over (服务对象).
TARGETED_FROM_35 = frozenset({"hypertension", "diabetes"})
# Follow-up classifications that are not under control (控制不满意, 不良反应), for
# "two in a row without a referral" (分类干预 3).
NOT_CONTROLLED = frozenset({"2", "3"})
# Several vaccines on one day are normal; several of these forms on one day are not.
MANY_A_DAY = frozenset({"immunisation", "infectious_report"})

STALE_DRAFT_DAYS = 30
FOLLOWUPS_A_YEAR = 4
MAX_GAP_DAYS = 106  # 3.5 months of 30.44 days
MIN_FOLLOWUP_SPACING_DAYS = 14
HEIGHT_WARN_CM, HEIGHT_BLOCK_CM = Decimal(5), Decimal(20)
WEIGHT_JUMP = Decimal("0.30")
WEIGHT_JUMP_WITHIN_DAYS = 92  # "less than 3 months apart"
OUTLIER_LIMIT = 3.5  # Iglewicz and Hoaglin's cut-off for |M|
MIN_GROUP = 20  # fewer comparable values than this: no outlier verdict

MEASURES = {
    "systolic": ("收缩压", "mmHg"),
    "diastolic": ("舒张压", "mmHg"),
    "weight_kg": ("体重", "kg"),
    "height_cm": ("身高", "cm"),
    "waist_cm": ("腰围", "cm"),
    "fasting_glucose": ("空腹血糖", "mmol/L"),
}

# clean() problem codes that are not plain validity problems.
_ELIGIBILITY = {
    "after_death": "consistency.after_death",
    "wrong_sex": "consistency.sex",
    "too_young": "consistency.age",
    "too_old": "consistency.age",
}

RULE_LABELS = {
    "completeness.required": "必填项缺失",
    "completeness.personal_info": "缺少个人基本信息表",
    "completeness.bmi": "体检缺体质指数",
    "completeness.waist": "体检缺腰围",
    "validity": "数值或逻辑错误",
    "consistency.after_death": "死亡后仍有服务",
    "consistency.sex": "表单与性别不符",
    "consistency.age": "表单与年龄不符",
    "consistency.height_shrink": "身高明显变矮",
    "consistency.weight_jump": "体重短期剧变",
    "duplicate.person": "疑似重复建档",
    "duplicate.form": "同日重复表单",
    "followup.unsigned": "随访缺日期或签名",
    "followup.too_few": "随访次数不足",
    "followup.gap": "随访间隔过长",
    "followup.too_close": "随访间隔过短",
    "followup.recheck_late": "未在2周内复访",
    "followup.no_referral": "连续两次控制不满意未转诊",
    "followup.referral_result": "缺转诊结果",
    "completeness.elderly_panel": "老年人体检缺辅助检查",
    "registration.under_35": "35岁以下登记未注明原因",
    "draft.stale": "未签名草稿",
    "outlier": "测量值异常",
}


def rule_label(rule: str) -> str:
    return RULE_LABELS.get(rule) or RULE_LABELS.get(rule.split(".")[0], rule)


@dataclass(frozen=True)
class Hit:
    rule: str
    severity: str
    field: str
    message: str
    form_id: int | None = None

    @property
    def key(self) -> tuple[str, int | None, str]:
        """What makes a finding the same finding on the next run."""
        return (self.rule, self.form_id, self.field)


@dataclass(frozen=True)
class PersonFacts:
    name: str
    sex: str
    birth_date: dt.date
    death_date: dt.date | None = None


@dataclass
class RecordFacts:
    """One record as the rules see it. `forms` are the record's forms in force (not
    AMENDED) as dicts: id, kind, status, service_date, data, created_at and the
    measurement columns; `programmes` are dicts: kind, registered_on, ended_on.
    The run may give a signed form its specification `problems` ready, and then
    leaves its `data` None unless a rule here needs it (quality._NEEDS_DATA): a new
    rule reading `data` of other forms must be added there."""

    id: int
    person: PersonFacts
    forms: list[dict] = field(default_factory=list)
    programmes: list[dict] = field(default_factory=list)
    duplicate_person: bool = False


@dataclass(frozen=True)
class GroupStats:
    """Median and spread of one measurement in one comparable group."""

    n: int
    median: float
    mad: float  # median absolute deviation
    mean_ad: float  # mean absolute deviation, when MAD is 0 (many equal values)


# ---------------------------------------------------------------- helpers


def age_band(age: int) -> str:
    """Comparable groups for measurements: children by stage, adults by decades."""
    for upper, label in ((1, "0"), (3, "1-2"), (6, "3-5"), (12, "6-11"), (18, "12-17")):
        if age < upper:
            return label
    for upper, label in ((45, "18-44"), (65, "45-64")):
        if age < upper:
            return label
    return "65+"


def _signed(forms: Iterable[dict]) -> list[dict]:
    return [f for f in forms if f["status"] == "signed"]


def _dated(forms: Iterable[dict]) -> list[dict]:
    return sorted(
        (f for f in forms if f["service_date"]), key=lambda f: (f["service_date"], f["id"])
    )


def _num(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _fmt(value) -> str:
    text = f"{Decimal(str(value)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# ---------------------------------------------------------------- form rules


def spec_problems(form: dict, ctx: Context) -> list[Problem]:
    """What signing this form now would refuse: `clean(final=True)` of its data."""
    spec = SPECS.get(form["kind"])
    if spec is None:
        return []
    return clean(spec, form["data"] or {}, ctx, final=True)[1]


def remembered_problems(stored: tuple | None, key: str, today: dt.date) -> list[Problem] | None:
    """The problems of a form's last check, if they still hold today: `stored` is
    (key, checked_on, [[field, code, message], ...]) and the key (data, person, specs)
    unchanged. `clean` reads the day only to refuse dates after it, so a check without
    a `date_in_future` problem holds on every later day; one with it, that day only."""
    if stored is None:
        return None
    stored_key, checked_on, problems = stored
    if stored_key != key or checked_on > today:
        return None
    if checked_on != today and any(p[1] == "date_in_future" for p in problems):
        return None
    return [Problem(*p) for p in problems]


def form_spec_hits(form: dict, ctx: Context) -> list[Hit]:
    """A signed form against its specification: required fields (completeness),
    ranges, codes and logic (validity), and who the form may be for (consistency).
    A form dict may carry its `problems` already (the run remembers them for forms
    and people unchanged since their last check); otherwise it is cleaned here."""
    spec = SPECS.get(form["kind"])
    if spec is None:
        return []
    problems = form.get("problems")
    if problems is None:
        problems = spec_problems(form, ctx)
    hits, seen = [], set()
    for p in problems:
        if p.code == "required":
            unsigned = form["kind"] in FOLLOWUP_KINDS and p.field in (
                spec.date_field,
                spec.doctor_field,
            )
            rule = "followup.unsigned" if unsigned else "completeness.required"
        else:
            rule = _ELIGIBILITY.get(p.code) or f"validity.{p.code}"[:40]
        hit = Hit(rule, BLOCKING, p.field, f"{spec.title}：{p.message}", form["id"])
        if hit.key not in seen:
            seen.add(hit.key)
            hits.append(hit)
    return hits


def health_check_hits(form: dict, already: set[tuple]) -> list[Hit]:
    """A health check without BMI or waist (the fields most often left blank)."""
    data = form["data"] or {}
    out = []
    has_bmi = data.get("bmi") or (form.get("height_cm") and form.get("weight_kg"))
    if not has_bmi and not any(
        k[1] == form["id"] and k[2] in ("height", "weight", "bmi") for k in already
    ):
        out.append(
            Hit(
                "completeness.bmi",
                BLOCKING,
                "bmi",
                "健康体检表缺少体质指数（需身高和体重）",
                form["id"],
            )
        )
    if not (data.get("waist") or form.get("waist_cm")) and not any(
        k[1] == form["id"] and k[2] == "waist" for k in already
    ):
        out.append(Hit("completeness.waist", BLOCKING, "waist", "健康体检表缺少腰围", form["id"]))
    return out


def stale_draft_hits(forms: list[dict], today: dt.date) -> list[Hit]:
    out = []
    for f in forms:
        if f["status"] != "draft":
            continue
        started = (
            f["created_at"].date() if isinstance(f["created_at"], dt.datetime) else f["created_at"]
        )
        if (today - started).days > STALE_DRAFT_DAYS:
            title = SPECS[f["kind"]].title if f["kind"] in SPECS else f["kind"]
            out.append(
                Hit(
                    "draft.stale",
                    WARNING,
                    "status",
                    f"未签名草稿：{title}建于{started.isoformat()}，超过{STALE_DRAFT_DAYS}天未签名",
                    f["id"],
                )
            )
    return out


# ---------------------------------------------------------------- record rules


def personal_info_hits(forms: list[dict]) -> list[Hit]:
    mine = [f for f in forms if f["kind"] == PERSONAL_INFO]
    if any(f["status"] == "signed" for f in mine):
        return []
    message = "个人基本信息表尚未签名" if mine else "缺少个人基本信息表"
    return [Hit("completeness.personal_info", BLOCKING, PERSONAL_INFO, message)]


def height_hits(forms: list[dict], person: PersonFacts) -> list[Hit]:
    """An adult's height should not shrink: >5 cm between measurements is a warning,
    >20 cm cannot be true (blocking)."""
    out, previous = [], None
    for f in _dated(_signed(forms)):
        h = _num(f.get("height_cm"))
        if h is None:
            continue
        if previous is not None and age_on(person.birth_date, previous[0]) >= 18:
            drop = previous[1] - h
            if drop > HEIGHT_WARN_CM:
                severity = BLOCKING if drop > HEIGHT_BLOCK_CM else WARNING
                out.append(
                    Hit(
                        "consistency.height_shrink",
                        severity,
                        "height_cm",
                        f"身高由{_fmt(previous[1])}cm（{previous[0].isoformat()}）"
                        f"降至{_fmt(h)}cm，相差{_fmt(drop)}cm，请核对",
                        f["id"],
                    )
                )
        previous = (f["service_date"], h)
    return out


def weight_hits(forms: list[dict], person: PersonFacts) -> list[Hit]:
    """An adult's weight changing by more than 30% between visits under 3 months apart
    (an infant's may: they gain that in weeks)."""
    out, previous = [], None
    for f in _dated(_signed(forms)):
        w = _num(f.get("weight_kg"))
        if w is None:
            continue
        adult = previous is not None and age_on(person.birth_date, previous[0]) >= 18
        if adult and previous[1] > 0:
            days = (f["service_date"] - previous[0]).days
            change = abs(w - previous[1]) / previous[1]
            if days < WEIGHT_JUMP_WITHIN_DAYS and change > WEIGHT_JUMP:
                out.append(
                    Hit(
                        "consistency.weight_jump",
                        REVIEW,
                        "weight_kg",
                        f"体重由{_fmt(previous[1])}kg变为{_fmt(w)}kg（{days}天内变化"
                        f"{round(change * 100)}%），请核实",
                        f["id"],
                    )
                )
        previous = (f["service_date"], w)
    return out


def duplicate_form_hits(forms: list[dict]) -> list[Hit]:
    out, first = [], {}
    for f in _dated(_signed(forms)):
        if f["kind"] in MANY_A_DAY:
            continue
        key = (f["kind"], f["service_date"])
        if key in first:
            title = SPECS[f["kind"]].title if f["kind"] in SPECS else f["kind"]
            out.append(
                Hit(
                    "duplicate.form",
                    WARNING,
                    "service_date",
                    f"{f['service_date'].isoformat()}已有一份已签名的{title}，疑似重复录入",
                    f["id"],
                )
            )
        else:
            first[key] = f["id"]
    return out


def followup_outcome(f: dict) -> dict:
    """A follow-up's outcome keys (mode, classification, referral…): the run gives
    them as `outcome`, read without the rest of the data; a test may give `data`."""
    if "outcome" in f:
        return outcome(f["outcome"] or {})
    return outcome(f.get("data") or {})


def referred(kind: str, out: dict) -> bool:
    if kind == "smi_followup":
        return out.get("referral") == "2"
    return bool(out.get("referral_reason"))


def not_controlled(f: dict, out: dict, birth_date: dt.date | None) -> bool:
    """控制不满意 (or a drug reaction) as classified, or by the measurements."""
    if out.get("classification") in NOT_CONTROLLED:
        return True
    if f["kind"] == "dm_followup":
        return glucose_controlled(f.get("fasting_glucose")) is False
    age = age_on(birth_date, f["service_date"]) if birth_date else None
    return bp_controlled(f.get("systolic"), f.get("diastolic"), age) is False


def followup_hits(
    forms: list[dict],
    programmes: list[dict],
    today: dt.date,
    birth_date: dt.date | None = None,
) -> list[Hit]:
    """Registered HTN/DM/SMI patients: at least 4 face-to-face follow-ups in the last
    12 months (phone follow-ups and SMI visits marked 未访到 do not count), no gap over
    3.5 months; visits under 14 days apart only when the earlier one asked for the
    two-week recheck, and then the recheck within 14 days; two uncontrolled HTN/DM
    visits in a row lead to a referral; a referral's result is on the next visit."""
    out = []
    signed = _dated(_signed(forms))
    for kind in sorted(FOLLOWUP_KINDS):
        rows = [(f, followup_outcome(f)) for f in signed if f["kind"] == kind]
        for (a, a_out), (b, b_out) in itertools.pairwise(rows):
            out += _pair_hits(kind, a, a_out, b, b_out, birth_date)
        seen = [(f, o) for f, o in rows if face_to_face(kind, o)]
        if seen and needs_recheck(kind, seen[-1][1]) and seen[-1][0]["service_date"] <= today:
            last = seen[-1][0]["service_date"]
            late = (today - last).days
            if late > RECHECK_DAYS:
                out.append(
                    Hit(
                        "followup.recheck_late",
                        WARNING,
                        "next_visit_date",
                        f"{last.isoformat()}随访后应在2周内复访，已过{late}天未复访",
                        seen[-1][0]["id"],
                    )
                )
    for p in programmes:
        kind = PROGRAMME_FOLLOWUPS.get(p["kind"])
        if kind is None or p["ended_on"] is not None or p["registered_on"] > today:
            continue
        title = SPECS[kind].title if kind in SPECS else kind
        dates = [
            f["service_date"]
            for f in signed
            if f["kind"] == kind
            and f["service_date"] <= today
            and face_to_face(kind, followup_outcome(f))
        ]
        start = max(p["registered_on"], today - dt.timedelta(days=365))
        # A registration younger than a year owes one follow-up per full quarter.
        expected = min(FOLLOWUPS_A_YEAR, (today - start).days // 91)
        done = sum(1 for d in dates if d >= start)
        if done < expected:
            out.append(
                Hit(
                    "followup.too_few",
                    WARNING,
                    kind,
                    f"近12个月面对面随访{done}次（{title}，电话随访和未访到不计），"
                    f"应不少于{expected}次",
                )
            )
        marks = [p["registered_on"], *(d for d in dates if d >= p["registered_on"]), today]
        gaps = [(b - a, a, b) for a, b in itertools.pairwise(marks) if b >= start]
        if gaps:
            longest, a, b = max(gaps)
            if longest.days > MAX_GAP_DAYS:
                until = "今天" if b == today else b.isoformat()
                out.append(
                    Hit(
                        "followup.gap",
                        WARNING,
                        kind,
                        f"{title}间隔超过3.5个月：{a.isoformat()}至{until}共{longest.days}天",
                    )
                )
    return out


def _pair_hits(kind, a, a_out, b, b_out, birth_date) -> list[Hit]:
    """The rules between one follow-up and the next of the same kind."""
    out = []
    a_day, b_day = a["service_date"], b["service_date"]
    days = (b_day - a_day).days
    recheck = needs_recheck(kind, a_out) and face_to_face(kind, a_out)
    # Same day: duplicate.form says it already. Within 14 days after an outcome that
    # asks for it, the visit is the one the specification requires.
    if 0 < days < MIN_FOLLOWUP_SPACING_DAYS and not recheck:
        out.append(
            Hit(
                "followup.too_close",
                WARNING,
                "visit_date",
                f"与上次随访（{a_day.isoformat()}）仅隔{days}天",
                b["id"],
            )
        )
    if recheck and days > RECHECK_DAYS and face_to_face(kind, b_out):
        out.append(
            Hit(
                "followup.recheck_late",
                WARNING,
                "visit_date",
                f"上次随访（{a_day.isoformat()}）后应在2周内复访，实隔{days}天",
                b["id"],
            )
        )
    if referred(kind, a_out) and not b_out.get("referral_result"):
        out.append(
            Hit(
                "followup.referral_result",
                WARNING,
                "referral_result",
                f"上次随访（{a_day.isoformat()}）已转诊，本次随访未填写转诊结果",
                b["id"],
            )
        )
    if (
        kind != "smi_followup"
        and face_to_face(kind, a_out)
        and face_to_face(kind, b_out)
        and not_controlled(a, a_out, birth_date)
        and not_controlled(b, b_out, birth_date)
        and not referred(kind, a_out)
        and not referred(kind, b_out)
    ):
        out.append(
            Hit(
                "followup.no_referral",
                WARNING,
                "referral_reason",
                f"连续两次随访（{a_day.isoformat()}、{b_day.isoformat()}）控制不满意，"
                "应建议转诊上级医院并在2周内随访转诊情况",
                b["id"],
            )
        )
    return out


def elderly_panel_hits(form: dict, person: PersonFacts) -> list[Hit]:
    """The 65+ yearly check without a part of its test panel (老年人健康管理服务规范
    服务内容 3): one finding per missing part, a warning a reviewer can confirm when
    the person refused the test."""
    day = form["service_date"]
    if day is None or age_on(person.birth_date, day) < ELDERLY_FROM_AGE:
        return []
    return [
        Hit(
            "completeness.elderly_panel",
            WARNING,
            names[0],
            f"65岁及以上老年人健康体检缺少{part}"
            + (f"（{'、'.join(CHECK_LABELS[n] for n in names)}）" if len(names) > 1 else ""),
            form["id"],
        )
        for part, names in missing_elderly_panel(form["data"] or {})
    ]


def registration_hits(programmes: list[dict], person: PersonFacts) -> list[Hit]:
    """HTN/DM registrations of residents under 35 (the service's target is 35 and
    over) without the recorded reason."""
    out = []
    for p in programmes:
        if p["kind"] not in TARGETED_FROM_35 or p["ended_on"] is not None:
            continue
        age = age_on(person.birth_date, p["registered_on"])
        reason = p.get(UNDER_TARGET_REASON) or (p.get("details") or {}).get(UNDER_TARGET_REASON)
        if age < TARGET_AGE and not str(reason or "").strip():
            label = "高血压" if p["kind"] == "hypertension" else "2型糖尿病"
            out.append(
                Hit(
                    "registration.under_35",
                    WARNING,
                    p["kind"],
                    f"{label}患者健康管理的服务对象为{TARGET_AGE}岁及以上居民，"
                    f"{p['registered_on'].isoformat()}登记时{age}岁，未填写登记原因",
                )
            )
    return out


# ---------------------------------------------------------------- outliers


def modified_z(x: float, s: GroupStats) -> float | None:
    """Iglewicz and Hoaglin's modified z-score M = 0.6745 (x − median) / MAD; when more
    than half the values are equal (MAD = 0) the mean absolute deviation stands in,
    scaled by 1.253314 so both estimate the same spread; no spread, no score."""
    if s.mad > 0:
        return 0.6745 * (x - s.median) / s.mad
    if s.mean_ad > 0:
        return (x - s.median) / (1.253314 * s.mean_ad)
    return None


def group_stats(values: list[float]) -> GroupStats:
    median = statistics.median(values)
    deviations = [abs(v - median) for v in values]
    return GroupStats(
        n=len(values),
        median=median,
        mad=statistics.median(deviations),
        mean_ad=sum(deviations) / len(deviations),
    )


def build_stats(
    rows: Iterable[tuple[str, str, int, float]], min_group: int = MIN_GROUP
) -> dict[tuple[str, str, str], GroupStats]:
    """(measure, sex, age, value) rows → stats per (measure, sex, age band) group
    with at least `min_group` values."""
    groups: dict[tuple[str, str, str], list[float]] = {}
    for measure, sex, age, value in rows:
        groups.setdefault((measure, sex, age_band(age)), []).append(float(value))
    return {k: group_stats(v) for k, v in groups.items() if len(v) >= min_group}


# A registered diabetic's fasting glucose is high by diagnosis, not by mistake: it is
# neither judged against the general population nor part of its statistics (the
# follow-up form's own range still catches a typo).
DIABETIC_KIND = "dm_followup"
GLUCOSE = "fasting_glucose"


def outlier_hits(
    forms: list[dict], person: PersonFacts, stats: dict, *, diabetic: bool = False
) -> list[Hit]:
    out = []
    for f in _signed(forms):
        if not f["service_date"]:
            continue
        band = age_band(age_on(person.birth_date, f["service_date"]))
        for measure, (label, unit) in MEASURES.items():
            if measure == GLUCOSE and (diabetic or f["kind"] == DIABETIC_KIND):
                continue
            value = f.get(measure)
            s = stats.get((measure, person.sex, band))
            if value is None or s is None:
                continue
            m = modified_z(float(value), s)
            if m is not None and abs(m) > OUTLIER_LIMIT:
                out.append(
                    Hit(
                        "outlier",
                        REVIEW,
                        measure,
                        f"{label}{_fmt(value)}{unit}远离同性别{band}岁人群"
                        f"（中位数{s.median:g}，修正Z值{m:.1f}），请核实或更正",
                        f["id"],
                    )
                )
    return out


# ---------------------------------------------------------------- all


def check_record(facts: RecordFacts, today: dt.date, stats: dict | None = None) -> list[Hit]:
    """Every rule over one record. `stats` None leaves outliers unjudged."""
    p = facts.person
    ctx = Context(today=today, birth_date=p.birth_date, sex=p.sex, death_date=p.death_date)
    hits: list[Hit] = personal_info_hits(facts.forms)
    for f in _signed(facts.forms):
        form_hits = form_spec_hits(f, ctx)
        hits += form_hits
        if f["kind"] == HEALTH_CHECK:
            hits += health_check_hits(f, {h.key for h in form_hits})
            hits += elderly_panel_hits(f, p)
    hits += stale_draft_hits(facts.forms, today)
    hits += height_hits(facts.forms, p)
    hits += weight_hits(facts.forms, p)
    hits += duplicate_form_hits(facts.forms)
    hits += followup_hits(facts.forms, facts.programmes, today, p.birth_date)
    hits += registration_hits(facts.programmes, p)
    if facts.duplicate_person:
        hits.append(
            Hit(
                "duplicate.person",
                WARNING,
                "person",
                f"本村另有同名同出生日期（{p.birth_date.isoformat()}）的居民，疑似重复建档",
            )
        )
    if stats is not None:
        diabetic = any(pr["kind"] == "diabetes" for pr in facts.programmes)
        hits += outlier_hits(facts.forms, p, stats, diabetic=diabetic)
    unique: dict[tuple, Hit] = {}
    for h in hits:
        unique.setdefault(h.key, h)
    return list(unique.values())


def qualified(hits: Iterable[Hit]) -> bool:
    """合格: no blocking finding."""
    return not any(h.severity == BLOCKING for h in hits)
