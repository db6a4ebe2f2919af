"""The service schedule: which basic public-health services a person is due for.

Pure: plain facts in (the person, their programmes, their signed forms, today), a list
of open `DueItem`s out. `due.refresh` stores them; the due list reads them.

Conventions
- `service` is the form kind that delivers the service, so a due row links straight
  to the form to fill in; `occasion` names which one ("2026Q4", "month-6", "HepB-2").
- `due_on` is the first day the service should be given; `overdue_on` the first day it
  is late. An item is overdue when `overdue_on <= today`.
- Only open items are returned, and only those that still make sense to deliver: a
  child's missed 6-month check drops off once the 8-month check falls due (the miss
  stays visible to the quality and assessment counts, which read the forms, not this
  list). Items due later than `HORIZON_DAYS` ahead are left out; a nightly
  `refresh_due` brings them in as they come near.
- The annual health check is due from the first day of the person's birth month (or
  from the day they became eligible that year, if later) and overdue from 1 January of
  the next year. Birth months spread a village's checks across the year, which is how
  a visit plan can absorb them; the specification only asks for one check a year.
- HTN, T2DM and SMI follow-ups: one face-to-face visit per quarter, but an outcome that
  the specification follows up within two weeks (控制不满意, 不良反应, 并发症, a referral;
  SMI 不稳定 or 基本稳定) replaces the quarter's item with a recheck due within 14 days
  of that visit. Phone follow-ups and SMI visits marked 未访到 deliver nothing here.
- Children's vaccines follow the 2021 schedule and its catch-up notes: every child
  under 7; from 7 to 18 (BCG until 4, JE until 16) the catch-up of a child whose
  vaccination card is kept here (at least one programme dose recorded) — a child
  without one is followed by the vaccination clinic's own card.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from huimin.core.dates import age_on
from huimin.records.forms import chronic as chronic_forms
from huimin.records.forms import tuberculosis as tb_forms
from huimin.records.forms.chronic import (
    TARGET_AGE,
    UNDER_TARGET_REASON,
    face_to_face,
    needs_recheck,
)
from huimin.records.forms.immunisation import (
    CATCH_UP_AGE_LIMIT,
    CATCH_UP_BEFORE_AGE,
    DT_FROM_YEARS,
    INACTIVATED_ALTERNATIVES,
    MPSV_A_UNTIL_MONTHS,
    PROGRAMME_SCHEDULE,
    SERIES,
    ScheduledDose,
    add_months,
    dose_key,
)
from huimin.records.models import ProgrammeKind

HORIZON_DAYS = 120
# Forms of these kinds are read by the TCM and tuberculosis schedules (due.py loads them).
TCM_TB_KINDS = ("tcm_child", "tcm_elderly", "tb_first_visit", "tb_followup")

ACTIVE = "active"

# Programme → the follow-up form that counts for its quarter.
QUARTERLY = {
    "hypertension": ("htn_followup", "高血压随访"),
    "diabetes": ("dm_followup", "糖尿病随访"),
    "smi": ("smi_followup", "严重精神障碍随访"),
}

RECHECK_DAYS = chronic_forms.RECHECK_DAYS

CHILD_CHECK_MONTHS = (1, 3, 6, 8, 12, 18, 24, 30, 36)
CHILD_CHECK_YEARS = (4, 5, 6)
NEWBORN_DAYS = 28  # 新生儿期
NEWBORN_VISIT_DAYS = 7  # the home visit within 7 days of discharge
FULL_MONTH_DAYS = (28, 30)  # 满月: 新生儿满28天后, done by day 30
PRETERM_WEEKS = 37
LOW_BIRTH_WEIGHT_KG = 2.5

# Antenatal visits 2–5: (visit number, first week, first late week).
ANTENATAL = ((2, 16, 21), (3, 21, 25), (4, 28, 37), (5, 37, 41))
FIRST_ANTENATAL_LATE_WEEK = 13
DELIVERY = "delivery"
POSTPARTUM_VISIT_LAST_DAY = 28  # specification: within 28 days at the latest
POSTPARTUM_AFTER_DISCHARGE_DAYS = 7  # 出院后1周内
POSTPARTUM_42_LISTED_DAYS = 84  # a missed 42-day check stays listed for 12 weeks

CHILD_AGE_LIMIT = 7
# A child's forms are read from birth until the vaccine catch-up ends (due.py).
FORMS_FROM_BIRTH_UNDER_AGE = CATCH_UP_AGE_LIMIT
ELDERLY_AGE = 65
# Registered patients who are due the yearly health check besides the 65+.
CHECKED_PROGRAMMES = ("hypertension", "diabetes", "smi")


# ---------------------------------------------------------------- facts


@dataclass(frozen=True)
class ProgrammeFact:
    kind: str
    registered_on: dt.date
    ended_on: dt.date | None = None
    end_reason: str = ""
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FormFact:
    """A signed form: its kind, service date, planned next date and the few data keys
    the schedule reads (month_age, visit_number, vaccine, dose)."""

    kind: str
    service_date: dt.date | None
    next_due_date: dt.date | None = None
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Facts:
    today: dt.date
    birth_date: dt.date | None
    sex: str | None = None
    death_date: dt.date | None = None
    record_status: str = ACTIVE
    programmes: tuple[ProgrammeFact, ...] = ()
    forms: tuple[FormFact, ...] = ()


@dataclass(frozen=True)
class DueItem:
    service: str
    occasion: str
    label: str
    due_on: dt.date
    overdue_on: dt.date

    def overdue(self, today: dt.date) -> bool:
        return self.overdue_on <= today


# Keys of Form.data the schedule reads; due.refresh loads only these.
DATA_KEYS = (
    "month_age",
    "visit_number",
    "vaccine",
    "dose",
    # The first newborn visit: is the baby high-risk?
    "gestational_weeks",
    "birth_weight",
    "birth_conditions",
    "malformation",
    # Tuberculosis: treatment start, patient type, the closing assessment.
    "treatment_started_on",
    "patient_type",
    "stopped_on",
    *chronic_forms.OUTCOME_KEYS,
)


# ---------------------------------------------------------------- helpers


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_start(q: tuple[int, int]) -> dt.date:
    return dt.date(q[0], 3 * q[1] - 2, 1)


def quarter_after(q: tuple[int, int]) -> tuple[int, int]:
    return (q[0] + 1, 1) if q[1] == 4 else (q[0], q[1] + 1)


def quarter_before(q: tuple[int, int]) -> tuple[int, int]:
    return (q[0] - 1, 4) if q[1] == 1 else (q[0], q[1] - 1)


def quarter_end(q: tuple[int, int]) -> dt.date:
    return quarter_start(quarter_after(q)) - dt.timedelta(days=1)


def quarter_label(q: tuple[int, int]) -> str:
    return f"{q[0]}Q{q[1]}"


def add_years(day: dt.date, n: int) -> dt.date:
    return add_months(day, 12 * n)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def _open(p: ProgrammeFact, today: dt.date) -> bool:
    return p.registered_on <= today and (p.ended_on is None or p.ended_on > today)


def _signed(facts: Facts, *kinds: str, since: dt.date | None = None) -> list[FormFact]:
    return sorted(
        (
            f
            for f in facts.forms
            if f.kind in kinds
            and f.service_date is not None
            and f.service_date <= facts.today
            and (since is None or f.service_date >= since)
        ),
        key=lambda f: f.service_date,
    )


@dataclass(frozen=True)
class _Occasion:
    """One occasion of a series, before deciding whether it is still listed."""

    item: DueItem
    done: bool
    listed_until: dt.date | None = None  # None: until the next occasion is due


def _series(occasions: list[_Occasion], today: dt.date) -> list[DueItem]:
    """Open occasions still worth delivering: not superseded by the next occasion of
    the series falling due (or past their own last day), and within the horizon."""
    out = []
    horizon = today + dt.timedelta(days=HORIZON_DAYS)
    for i, occ in enumerate(occasions):
        if occ.done or occ.item.due_on > horizon:
            continue
        if occ.listed_until is not None:
            if today > occ.listed_until:
                continue
        elif i + 1 < len(occasions) and occasions[i + 1].item.due_on <= today:
            continue
        out.append(occ.item)
    return out


# ---------------------------------------------------------------- the rules


def due_services(facts: Facts) -> list[DueItem]:
    """Every open service the person is due for, in urgency order."""
    if facts.record_status != ACTIVE or facts.death_date is not None:
        return []
    if facts.birth_date is None or facts.birth_date > facts.today:
        return []
    items: list[DueItem] = []
    items += quarterly_followups(facts)
    items += health_check(facts)
    items += child_checks(facts)
    items += vaccines(facts)
    items += maternal(facts)
    items += tcm(facts)
    items += tuberculosis(facts)
    horizon = facts.today + dt.timedelta(days=HORIZON_DAYS)
    items = [i for i in items if i.due_on <= horizon]
    return sorted(items, key=lambda i: (i.overdue_on, i.due_on, i.service, i.occasion))


def quarterly_followups(facts: Facts) -> list[DueItem]:
    """HTN, T2DM and SMI: at least one face-to-face follow-up per calendar quarter. The
    next one is planned at the form's next visit date (else 3 months after the last),
    never later than its quarter's end; a new patient is due at once; a quarter that
    ends without one makes the patient overdue. After an outcome the specification
    rechecks within two weeks, the next visit is due by then and late the day after."""
    today = facts.today
    out = []
    for kind, (form_kind, title) in QUARTERLY.items():
        programme = _latest_open(facts, kind)
        if programme is None:
            continue
        done = [
            f
            for f in _signed(facts, form_kind, since=programme.registered_on)
            if face_to_face(form_kind, f.data)
        ]
        current = quarter_of(today)
        last = done[-1] if done else None
        if last is not None and needs_recheck(form_kind, last.data):
            out.append(_recheck(form_kind, title, last))
            continue
        planned = None
        if last is not None:
            planned = last.next_due_date or add_months(last.service_date, 3)
        if last is not None and quarter_of(last.service_date) == current:
            q = quarter_after(current)
            due_on = min(planned, quarter_end(q))
            overdue_on = quarter_start(quarter_after(q))
        else:
            q = current
            due_on = planned or programme.registered_on
            previous = quarter_before(current)
            missed_previous = quarter_of(programme.registered_on) <= previous and not any(
                quarter_of(f.service_date) == previous for f in done
            )
            overdue_on = (
                quarter_start(current) if missed_previous else quarter_start(quarter_after(current))
            )
            due_on = min(due_on, quarter_end(q), overdue_on)
        out.append(
            DueItem(
                form_kind,
                quarter_label(q),
                f"{title}（{q[0]}年第{q[1]}季度）",
                due_on,
                overdue_on,
            )
        )
    return out


def _recheck(form_kind: str, title: str, last: FormFact) -> DueItem:
    """The visit within two weeks of `last`: at its planned date if sooner, late from
    the 15th day."""
    latest = last.service_date + dt.timedelta(days=RECHECK_DAYS)
    planned = (
        last.next_due_date
        if last.next_due_date and last.next_due_date > last.service_date
        else None
    )
    day = last.service_date
    return DueItem(
        form_kind,
        f"recheck-{day.isoformat()}",
        f"{title}（{day.month}月{day.day}日随访后2周内复访）",
        min(planned or latest, latest),
        latest + dt.timedelta(days=1),
    )


def _latest_open(facts: Facts, kind: str) -> ProgrammeFact | None:
    rows = [p for p in facts.programmes if p.kind == kind and _open(p, facts.today)]
    return max(rows, key=lambda p: p.registered_on) if rows else None


def _ended(facts: Facts, kind: str) -> bool:
    """Registered once and ended, with no open registration: e.g. refused or moved."""
    rows = [p for p in facts.programmes if p.kind == kind and p.registered_on <= facts.today]
    return bool(rows) and not any(_open(p, facts.today) for p in rows)


def health_check(facts: Facts) -> list[DueItem]:
    """健康体检表 once per calendar year for people 65 and over (65 during the year) and
    for registered HTN/T2DM and SMI patients (严重精神障碍患者管理服务规范 服务内容（四）)."""
    today, birth = facts.today, facts.birth_date
    year = today.year
    elderly = year - birth.year >= ELDERLY_AGE and not _ended(facts, "elderly")
    chronic = [_latest_open(facts, k) for k in CHECKED_PROGRAMMES]
    chronic = [p for p in chronic if p is not None]
    if not elderly and not chronic:
        return []
    checked = {f.service_date.year for f in _signed(facts, "health_check")}
    if year in checked:
        year += 1
    since = dt.date(year, birth.month, 1)
    if not elderly:
        since = max(since, min(p.registered_on for p in chronic))
    return [
        DueItem(
            "health_check",
            str(year),
            f"年度健康体检（{year}年）",
            min(since, dt.date(year, 12, 31)),
            dt.date(year + 1, 1, 1),
        )
    ]


def child_checks(facts: Facts) -> list[DueItem]:
    """0–6 years: the newborn home visit within 7 days of discharge (规范 0～6岁儿童
    健康管理 服务内容 1: 新生儿出院后1周内; discharge from the child's registration,
    else the birth day), another visit for a high-risk newborn, 满月 at 28–30 days,
    check-ups at 3, 6, 8, 12, 18, 24, 30 and 36 months (late a month after) and at 4, 5
    and 6 years (late at the next birthday)."""
    birth, today = facts.birth_date, facts.today
    if age_on(birth, today) >= CHILD_AGE_LIMIT or _ended(facts, "child"):
        return []
    ages = {_int(f.data.get("month_age")) for f in _signed(facts, "child_check")}
    programme = _latest_open(facts, "child")
    discharged = _date(programme.details.get("discharge_date")) if programme else None
    discharged = max(discharged or birth, birth)
    newborn_end = birth + dt.timedelta(days=NEWBORN_DAYS)
    visits = _signed(facts, "newborn_visit")
    when = "出院后7天内" if programme and programme.details.get("discharge_date") else "出生后7天内"
    occasions = [
        _Occasion(
            DueItem(
                "newborn_visit",
                "newborn",
                f"新生儿家庭访视（{when}）",
                discharged,
                discharged + dt.timedelta(days=NEWBORN_VISIT_DAYS + 1),
            ),
            done=bool(visits),
            listed_until=newborn_end,
        )
    ]
    extra = _high_risk_visit(visits, newborn_end)
    if extra is not None:
        occasions.append(_Occasion(extra, done=len(visits) >= 2, listed_until=newborn_end))
    occasions.append(
        _Occasion(
            DueItem(
                "child_check",
                "month-1",
                "满月健康检查（出生28～30天）",
                birth + dt.timedelta(days=FULL_MONTH_DAYS[0]),
                birth + dt.timedelta(days=FULL_MONTH_DAYS[1] + 1),
            ),
            done=1 in ages,
        )
    )
    for m in CHILD_CHECK_MONTHS[1:]:
        occasions.append(
            _Occasion(
                DueItem(
                    "child_check",
                    f"month-{m}",
                    f"{m}月龄健康检查",
                    add_months(birth, m),
                    add_months(birth, m + 1) + dt.timedelta(days=1),
                ),
                done=m in ages,
            )
        )
    for y in CHILD_CHECK_YEARS:
        occasions.append(
            _Occasion(
                DueItem(
                    "child_check",
                    f"month-{12 * y}",
                    f"{y}岁健康检查",
                    add_years(birth, y),
                    add_years(birth, y + 1),
                ),
                done=12 * y in ages,
            )
        )
    # The newborn occasions carry their own last day; the checks supersede each other.
    listed = [o for o in occasions if o.item.service == "newborn_visit"]
    return _series(listed, today) + _series(occasions[len(listed) :], today)


def high_risk_newborn(data: dict) -> list[str]:
    """Why the first home visit's facts make a newborn high-risk (规范: 早产儿、低出生
    体重儿、多胞胎、出生缺陷 — 根据实际情况增加家庭访视次数): empty when none."""
    out = []
    weeks = _int(data.get("gestational_weeks"))
    if weeks is not None and weeks < PRETERM_WEEKS:
        out.append("早产")
    try:
        weight = float(data.get("birth_weight"))
    except (TypeError, ValueError):
        weight = None
    if weight is not None and weight < LOW_BIRTH_WEIGHT_KG:
        out.append("低出生体重")
    if "5" in (data.get("birth_conditions") or ()):
        out.append("双多胎")
    if data.get("malformation") == "2":
        out.append("出生缺陷")
    return out


def _high_risk_visit(visits: list[FormFact], newborn_end: dt.date) -> DueItem | None:
    """A high-risk newborn's second home visit: on the date the first visit planned,
    else a week after it, while still a newborn; late a week later."""
    if not visits:
        return None
    first = visits[0]
    reasons = high_risk_newborn(first.data)
    if not reasons:
        return None
    due_on = first.next_due_date or first.service_date + dt.timedelta(days=7)
    if due_on > newborn_end:
        return None
    overdue_on = min(due_on + dt.timedelta(days=7), newborn_end + dt.timedelta(days=1))
    return DueItem(
        "newborn_visit",
        "newborn-2",
        f"高危新生儿增加访视（{'、'.join(reasons)}）",
        due_on,
        overdue_on,
    )


def vaccines(facts: Facts) -> list[DueItem]:
    """The national programme schedule: per series, the next dose not yet given, due at
    max(the schedule's age, the previous dose + the minimum interval). Doses are keyed
    by vaccine (MPSV-A 2 is not MPSV-AC 2). Under 7 every child is followed; from 7 to
    18 only a child with a programme dose on record here (the 2021 notes' catch-up
    ages; a child whose card is kept at the vaccination clinic is followed there)."""
    birth, today = facts.birth_date, facts.today
    age = age_on(birth, today)
    if age >= CATCH_UP_AGE_LIMIT:
        return []
    given: dict[tuple[str, int], dt.date] = {}
    used: set[str] = set()
    for f in _signed(facts, "immunisation"):
        vaccine, dose = f.data.get("vaccine"), _int(f.data.get("dose"))
        if vaccine not in SERIES or dose is None:
            continue
        given.setdefault(dose_key(vaccine, dose), f.service_date)
        used.add(vaccine)
    if age >= CHILD_AGE_LIMIT and not used:
        return []
    out = []
    for series, doses in _plan(used).items():
        if series in ("DTaP", "DT"):
            continue
        previous: dt.date | None = None
        first: dt.date | None = None
        for d in doses:
            if age >= CATCH_UP_BEFORE_AGE.get(d.vaccine, CATCH_UP_AGE_LIMIT):
                break
            key = dose_key(d.vaccine, d.dose)
            if key in given:
                previous = given[key]
                first = first or previous
                continue
            if d.vaccine == "MPSV-A" and today >= add_months(birth, MPSV_A_UNTIL_MONTHS):
                continue  # A+C catches it up from 24 months
            item = _dose_due(d, birth, previous, first)
            if d.vaccine == "MPSV-AC" and d.dose == 1 and ("MPSV-A", 2) not in given:
                item = _mpsv_ac_catch_up(d, birth, previous)
            out.append(item)
            break
    out += _diphtheria_tetanus(birth, today, given)
    return out


def _dose_due(
    d: ScheduledDose, birth: dt.date, previous: dt.date | None, first: dt.date | None
) -> DueItem:
    due_on = birth + dt.timedelta(days=d.due_age_days)
    if previous is not None:
        due_on = max(due_on, previous + dt.timedelta(days=d.min_interval_days))
    if first is not None and d.after_first_days:
        due_on = max(due_on, first + dt.timedelta(days=d.after_first_days))
    overdue_on = max(birth + dt.timedelta(days=d.overdue_age_days), due_on)
    return DueItem("immunisation", f"{d.vaccine}-{d.dose}", d.label, due_on, overdue_on)


def _mpsv_ac_catch_up(d: ScheduledDose, birth: dt.date, previous: dt.date | None) -> DueItem:
    """Group A incomplete: A+C 1 from 24 months, 3 months after a lone MPSV-A 1 (the
    A series' own interval), late at 4 years as scheduled."""
    due_on = add_months(birth, MPSV_A_UNTIL_MONTHS)
    if previous is not None:
        due_on = max(due_on, add_months(previous, 3))
    overdue_on = max(birth + dt.timedelta(days=d.overdue_age_days), due_on)
    label = f"{d.label}（补种A群流脑疫苗）"
    return DueItem("immunisation", f"{d.vaccine}-{d.dose}", label, due_on, overdue_on)


def _diphtheria_tetanus(
    birth: dt.date, today: dt.date, given: dict[tuple[str, int], dt.date]
) -> list[DueItem]:
    """DTaP at 3, 4, 5 and 18 months and DT at 6 years; from 6 years a child short of
    doses catches up with DT (2021 notes): fewer than 3 doses in all → DT up to 3 (the
    2nd ≥1 month after the 1st, the 3rd ≥6 months after the 2nd); 3 DTaP and no DT → one
    DT ≥6 months after the 3rd; 4 DTaP and no DT → one DT ≥12 months after the 4th."""
    dtap = [given[("DTaP", n)] for n in range(1, 5) if ("DTaP", n) in given]
    dts = [given[("DT", n)] for n in range(1, 4) if ("DT", n) in given]
    six = add_years(birth, DT_FROM_YEARS)
    seven = add_years(birth, CHILD_AGE_LIMIT)
    if today < six:
        for d in PROGRAMME_SCHEDULE:
            if d.vaccine == "DTaP" and ("DTaP", d.dose) not in given:
                previous = given.get(("DTaP", d.dose - 1))
                return [_dose_due(d, birth, previous, None)]
        if dts:
            return []
        due_on = max(six, add_months(dtap[-1], 12)) if dtap else six
        return [_dt_item(1, due_on, max(seven, due_on), "白破疫苗")]
    total = len(dtap) + len(dts)
    if total < 3:
        n = len(dts) + 1
        last = max([*dtap, *dts], default=None)
        gap = {0: 0, 1: 1, 2: 6}[total]
        due_on = six if last is None else max(six, add_months(last, gap))
        return [_dt_item(n, due_on, max(seven, due_on), f"白破疫苗第{n}剂（补种）")]
    if dts:
        return []
    due_on = max(six, add_months(dtap[-1], 6 if len(dtap) == 3 else 12))
    return [_dt_item(1, due_on, max(seven, due_on), "白破疫苗")]


def _dt_item(n: int, due_on: dt.date, overdue_on: dt.date, label: str) -> DueItem:
    return DueItem("immunisation", f"DT-{n}", label, due_on, overdue_on)


def _plan(used: set[str]) -> dict[str, list[ScheduledDose]]:
    """The child's schedule by series: the inactivated JE/HepA series replace the live
    ones for a child who has started them."""
    alternatives = {SERIES[d.vaccine] for d in INACTIVATED_ALTERNATIVES if d.vaccine in used}
    plan: dict[str, list[ScheduledDose]] = {}
    for d in PROGRAMME_SCHEDULE + INACTIVATED_ALTERNATIVES:
        series = SERIES[d.vaccine]
        inactivated = d in INACTIVATED_ALTERNATIVES
        if inactivated != (series in alternatives):
            continue
        plan.setdefault(series, []).append(d)
    for doses in plan.values():
        doses.sort(key=lambda d: d.dose)
    return plan


def maternal(facts: Facts) -> list[DueItem]:
    """The newest pregnancy: antenatal visits by gestational week while it is open;
    after a delivery, the postpartum visit and the 42-day check."""
    today = facts.today
    pregnancies = [
        p for p in facts.programmes if p.kind == "pregnancy" and p.registered_on <= today
    ]
    if not pregnancies:
        return []
    p = max(pregnancies, key=lambda p: p.registered_on)
    lmp = _date(p.details.get("last_menstrual_period"))
    if _open(p, today):
        return [] if lmp is None else _antenatal(facts, p, lmp)
    delivered = _date(p.details.get("delivery_date"))
    if p.end_reason != DELIVERY or delivered is None:
        return []
    return _postpartum(facts, delivered, _date(p.details.get("discharge_date")))


def _antenatal(facts: Facts, p: ProgrammeFact, lmp: dt.date) -> list[DueItem]:
    def week(n: int) -> dt.date:
        return lmp + dt.timedelta(weeks=n)

    first_late = week(FIRST_ANTENATAL_LATE_WEEK)
    visits = {
        _int(f.data.get("visit_number")) for f in _signed(facts, "prenatal_followup", since=lmp)
    }
    occasions = [
        _Occasion(
            DueItem(
                "prenatal_first",
                "antenatal-1",
                "第1次产前检查（孕13周前）",
                min(p.registered_on, first_late),
                first_late,
            ),
            done=bool(_signed(facts, "prenatal_first", since=lmp)),
        )
    ]
    for n, first, late in ANTENATAL:
        occasions.append(
            _Occasion(
                DueItem(
                    "prenatal_followup",
                    f"antenatal-{n}",
                    f"第{n}次产前随访（孕{first}～{late - 1}周）",
                    week(first),
                    week(late),
                ),
                done=n in visits,
                # The last visit stays listed until delivery ends the programme.
                listed_until=None if n < 5 else dt.date.max,
            )
        )
    return _series(occasions, facts.today)


def _postpartum(facts: Facts, delivered: dt.date, discharged: dt.date | None) -> list[DueItem]:
    """The postpartum visit within 7 days of discharge (规范 孕产妇健康管理 服务内容
    3: 于产妇出院后1周内到产妇家中进行产后访视); without a discharge date on record,
    on days 3–7 after delivery. The 42-day check from day 42."""

    def day(n: int) -> dt.date:
        return delivered + dt.timedelta(days=n)

    visit = DueItem("postpartum_visit", "postpartum", "产后访视（产后3～7天）", day(3), day(8))
    if discharged is not None and discharged >= delivered:
        visit = DueItem(
            "postpartum_visit",
            "postpartum",
            "产后访视（出院后7天内）",
            discharged,
            discharged + dt.timedelta(days=POSTPARTUM_AFTER_DISCHARGE_DAYS + 1),
        )
    occasions = [
        _Occasion(
            visit,
            done=bool(_signed(facts, "postpartum_visit", since=delivered)),
            listed_until=max(day(POSTPARTUM_VISIT_LAST_DAY), visit.overdue_on),
        ),
        _Occasion(
            DueItem("postpartum_42", "postpartum-42", "产后42天健康检查", day(42), day(57)),
            done=bool(_signed(facts, "postpartum_42", since=delivered)),
            listed_until=day(POSTPARTUM_42_LISTED_DAYS),
        ),
    ]
    return _series(occasions, facts.today)


# ---------------------------------------------------------------- registrations

# Adults for the chronic programmes. The service targets residents 35 and over (高血压/
# 2型糖尿病患者健康管理服务规范 一、服务对象); a younger diagnosed patient may be managed
# all the same, with the reason recorded (details["under_35_reason"]).
ADULT_AGE = 18
PREGNANCY_AGES = (12, 60)
LONGEST_PREGNANCY_DAYS = 44 * 7

END_REASONS = {
    DELIVERY: "分娩",
    "pregnancy_loss": "流产/引产",
    "moved": "迁出",
    "death": "死亡",
    "refused": "拒绝管理",
    "ruled_out": "排除诊断/治愈",
    "aged_out": "超出服务年龄",
    "other": "其他",
}


def registration_problems(
    kind: str,
    registered_on: dt.date,
    details: dict,
    *,
    today: dt.date,
    birth_date: dt.date,
    sex: str | None,
    death_date: dt.date | None,
    open_kinds: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """Why this person cannot be registered in this programme (field → reason); empty
    when they can. `open_kinds`: the kinds the person is registered in now."""
    if kind not in ProgrammeKind.values:
        return {"kind": "没有该管理项目"}
    if registered_on > today:
        return {"registered_on": "纳入管理日期不能晚于今天"}
    if registered_on < birth_date:
        return {"registered_on": "纳入管理日期不能早于出生日期"}
    if death_date is not None:
        return {"registered_on": "居民已死亡，不能纳入管理"}
    age = age_on(birth_date, registered_on)
    label = ProgrammeKind(kind).label
    if kind in open_kinds:
        return {"kind": f"已在{label}中，不能重复登记"}
    if kind in ("hypertension", "diabetes") and age < ADULT_AGE:
        return {"kind": f"{label}只登记{ADULT_AGE}岁及以上的成人"}
    if (
        kind in ("hypertension", "diabetes")
        and age < TARGET_AGE
        and not str(details.get(UNDER_TARGET_REASON) or "").strip()
    ):
        return {
            UNDER_TARGET_REASON: f"{label}的服务对象为{TARGET_AGE}岁及以上居民，"
            f"登记{age}岁的患者请填写原因"
        }
    if kind == "child" and age >= CHILD_AGE_LIMIT:
        return {"kind": "0～6岁儿童健康管理只登记未满7岁的儿童"}
    if kind == "child":
        return _discharge_problems(details, birth_date, today, "出生日期")
    if kind == "elderly" and age < ELDERLY_AGE:
        return {"kind": "老年人健康管理只登记65岁及以上的居民"}
    if kind == "pregnancy":
        return _pregnancy_problems(registered_on, details, age, sex)
    return {}


def _pregnancy_problems(registered_on, details, age, sex) -> dict[str, str]:
    if sex != "2":
        return {"kind": "孕产妇健康管理只登记女性"}
    if not PREGNANCY_AGES[0] <= age <= PREGNANCY_AGES[1]:
        return {"kind": f"孕产妇年龄应在{PREGNANCY_AGES[0]}～{PREGNANCY_AGES[1]}岁之间"}
    lmp = _date(details.get("last_menstrual_period"))
    if lmp is None:
        return {"last_menstrual_period": "请填写末次月经日期"}
    if lmp > registered_on:
        return {"last_menstrual_period": "末次月经日期不能晚于纳入管理日期"}
    if (registered_on - lmp).days > LONGEST_PREGNANCY_DAYS:
        return {"last_menstrual_period": "末次月经日期距今超过44周，请核对"}
    return {}


def ending_problems(
    kind: str,
    registered_on: dt.date,
    ended_on: dt.date,
    reason: str,
    details: dict,
    *,
    today: dt.date,
) -> dict[str, str]:
    if reason not in END_REASONS:
        return {"reason": "请选择结束管理的原因"}
    if ended_on > today:
        return {"ended_on": "结束管理日期不能晚于今天"}
    if ended_on < registered_on:
        return {"ended_on": "结束管理日期不能早于纳入管理日期"}
    if (reason == DELIVERY or reason == "pregnancy_loss") and kind != "pregnancy":
        return {"reason": "分娩或流产只能结束孕产妇健康管理"}
    if reason == DELIVERY:
        delivered = _date(details.get("delivery_date"))
        if delivered is None:
            return {"delivery_date": "请填写分娩日期"}
        if delivered > ended_on or delivered > today:
            return {"delivery_date": "分娩日期不能晚于结束管理日期"}
        lmp = _date(details.get("last_menstrual_period"))
        if lmp is not None and delivered <= lmp:
            return {"delivery_date": "分娩日期应晚于末次月经日期"}
        return _discharge_problems(details, delivered, today, "分娩日期")
    return {}


def _discharge_problems(details: dict, earliest: dt.date, today: dt.date, what: str):
    """The discharge date (出院日期) the home visits count from: optional, a date,
    not before birth or delivery, not after today."""
    raw = details.get("discharge_date")
    if raw in (None, ""):
        return {}
    day = _date(raw)
    if day is None:
        return {"discharge_date": "出院日期格式应为 YYYY-MM-DD"}
    if day < earliest:
        return {"discharge_date": f"出院日期不能早于{what}"}
    if day > today:
        return {"discharge_date": "出院日期不能晚于今天"}
    return {}


# ---------------------------------------------------------------- TCM and tuberculosis

TCM_CHILD_MONTHS = (6, 12, 18, 24, 30, 36)


def tcm(facts: Facts) -> list[DueItem]:
    """中医药健康管理 (规范 中医药健康管理服务规范): children at 6, 12, 18, 24, 30
    and 36 months (due at the month, late a month after, superseded by the next, as
    the child checks they go with); residents of 65 and over once a year (due from
    the birth month, late from 1 January, as the yearly health check they go with)."""
    return _tcm_child(facts) + _tcm_elderly(facts)


def _tcm_child(facts: Facts) -> list[DueItem]:
    birth, today = facts.birth_date, facts.today
    if today >= add_months(birth, TCM_CHILD_MONTHS[-1] + 1) or _ended(facts, "child"):
        return []
    ages = {_int(f.data.get("month_age")) for f in _signed(facts, "tcm_child")}
    occasions = [
        _Occasion(
            DueItem(
                "tcm_child",
                f"month-{m}",
                f"儿童中医药健康管理（{m}月龄）",
                add_months(birth, m),
                add_months(birth, m + 1) + dt.timedelta(days=1),
            ),
            done=m in ages,
        )
        for m in TCM_CHILD_MONTHS
    ]
    return _series(occasions, today)


def _tcm_elderly(facts: Facts) -> list[DueItem]:
    birth, today = facts.birth_date, facts.today
    year = today.year
    if year - birth.year < ELDERLY_AGE or _ended(facts, "elderly"):
        return []
    if year in {f.service_date.year for f in _signed(facts, "tcm_elderly")}:
        year += 1
    return [
        DueItem(
            "tcm_elderly",
            str(year),
            f"老年人中医药健康管理（{year}年）",
            min(dt.date(year, birth.month, 1), dt.date(year, 12, 31)),
            dt.date(year + 1, 1, 1),
        )
    ]


def tuberculosis(facts: Facts) -> list[DueItem]:
    """肺结核患者健康管理 (规范 服务内容 2–4): the first home visit within 72 hours of
    the notification (the registration day); then a visit every 10 days in the
    intensive phase (the first 2 months from the treatment start the first visit
    records) and every month after; when the course ends (6 months, 8 for a
    retreatment), the closing assessment (结案评估), recorded on the last follow-up."""
    p = _latest_open(facts, "tb")
    if p is None:
        return []
    first = _signed(facts, "tb_first_visit", since=p.registered_on)
    if not first:
        due = p.registered_on
        return [
            DueItem(
                "tb_first_visit",
                "tb-first",
                "肺结核患者第一次入户随访（接到通知72小时内）",
                due,
                due + dt.timedelta(days=tb_forms.FIRST_VISIT_DAYS + 1),
            )
        ]
    first_visit = first[0]
    start = _date(first_visit.data.get("treatment_started_on")) or first_visit.service_date
    months = tb_forms.TREATMENT_MONTHS.get(str(first_visit.data.get("patient_type")), 6)
    course_end = add_months(start, months)
    followups = _signed(facts, "tb_followup", since=first_visit.service_date)
    if any(f.data.get("stopped_on") for f in followups):
        return []  # closed: the programme is ended next
    last = followups[-1] if followups else first_visit
    if last.service_date < add_months(start, tb_forms.INTENSIVE_MONTHS):
        due_on = last.service_date + dt.timedelta(days=tb_forms.INTENSIVE_INTERVAL_DAYS)
        phase = "强化期"
    else:
        due_on = add_months(last.service_date, 1)
        phase = "继续期"
    if last.next_due_date is not None and last.service_date < last.next_due_date < due_on:
        due_on = last.next_due_date
    if due_on >= course_end:
        return [
            DueItem(
                "tb_followup",
                "tb-close",
                "肺结核患者结案评估（疗程结束）",
                course_end,
                add_months(course_end, tb_forms.CLOSING_LATE_MONTHS),
            )
        ]
    n = len(followups) + 1
    return [
        DueItem(
            "tb_followup",
            f"tb-{n}",
            f"肺结核患者第{n}次随访（{phase}）",
            due_on,
            due_on + dt.timedelta(days=1),
        )
    ]
