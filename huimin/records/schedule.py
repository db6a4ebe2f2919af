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
- Children's vaccines are scheduled up to age 7 (the programme's 0–6 schedule); late
  catch-up for older children is done at school-entry checks by the vaccination
  clinic, not from the village doctor's list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from huimin.core.dates import age_on
from huimin.records.forms import chronic as chronic_forms
from huimin.records.forms.chronic import (
    TARGET_AGE,
    UNDER_TARGET_REASON,
    face_to_face,
    needs_recheck,
)
from huimin.records.forms.immunisation import (
    INACTIVATED_ALTERNATIVES,
    PROGRAMME_SCHEDULE,
    SERIES,
    ScheduledDose,
    add_months,
)
from huimin.records.models import ProgrammeKind

HORIZON_DAYS = 120

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

# Antenatal visits 2–5: (visit number, first week, first late week).
ANTENATAL = ((2, 16, 21), (3, 21, 25), (4, 28, 37), (5, 37, 41))
FIRST_ANTENATAL_LATE_WEEK = 13
DELIVERY = "delivery"
POSTPARTUM_VISIT_LAST_DAY = 28  # specification: within 28 days at the latest
POSTPARTUM_42_LISTED_DAYS = 84  # a missed 42-day check stays listed for 12 weeks

CHILD_AGE_LIMIT = 7
# Catch-up limits of the 2021 schedule's notes: a child of 4 or more who missed BCG is
# not vaccinated (未接种卡介苗的≥4岁儿童不予补种), so BCG leaves the list at 4.
CATCH_UP_BEFORE_AGE = {"BCG": 4}
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
DATA_KEYS = ("month_age", "visit_number", "vaccine", "dose", *chronic_forms.OUTCOME_KEYS)


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
    """0–6 years: the newborn home visit (within 7 days, late after 28 days of age),
    check-ups at 1, 3, 6, 8, 12, 18, 24, 30 and 36 months (late a month after) and at 4,
    5 and 6 years (late at the next birthday)."""
    birth, today = facts.birth_date, facts.today
    if age_on(birth, today) >= CHILD_AGE_LIMIT or _ended(facts, "child"):
        return []
    ages = {_int(f.data.get("month_age")) for f in _signed(facts, "child_check")}
    occasions = [
        _Occasion(
            DueItem(
                "newborn_visit",
                "newborn",
                "新生儿家庭访视",
                birth,
                birth + dt.timedelta(days=29),
            ),
            done=bool(_signed(facts, "newborn_visit")),
        )
    ]
    for m in CHILD_CHECK_MONTHS:
        label = "满月健康检查" if m == 1 else f"{m}月龄健康检查"
        occasions.append(
            _Occasion(
                DueItem(
                    "child_check",
                    f"month-{m}",
                    label,
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
    return _series(occasions, today)


def vaccines(facts: Facts) -> list[DueItem]:
    """The national programme schedule: per series, the next dose not yet given, due at
    max(the schedule's age, the previous dose + the minimum interval)."""
    birth, today = facts.birth_date, facts.today
    if age_on(birth, today) >= CHILD_AGE_LIMIT:
        return []
    given: dict[tuple[str, int], dt.date] = {}
    used: set[str] = set()
    for f in _signed(facts, "immunisation"):
        vaccine, dose = f.data.get("vaccine"), _int(f.data.get("dose"))
        series = SERIES.get(vaccine or "")
        if series is None or dose is None:
            continue
        given.setdefault((series, dose), f.service_date)
        used.add(vaccine)
    out = []
    age = age_on(birth, today)
    for series, doses in _plan(used).items():
        previous: dt.date | None = None
        for d in doses:
            if age >= CATCH_UP_BEFORE_AGE.get(d.vaccine, CHILD_AGE_LIMIT):
                break
            if (series, d.dose) in given:
                previous = given[(series, d.dose)]
                continue
            due_on = birth + dt.timedelta(days=d.due_age_days)
            if previous is not None:
                due_on = max(due_on, previous + dt.timedelta(days=d.min_interval_days))
            overdue_on = max(birth + dt.timedelta(days=d.overdue_age_days), due_on)
            out.append(
                DueItem("immunisation", f"{d.vaccine}-{d.dose}", d.label, due_on, overdue_on)
            )
            break
    return out


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
    return _postpartum(facts, delivered)


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


def _postpartum(facts: Facts, delivered: dt.date) -> list[DueItem]:
    def day(n: int) -> dt.date:
        return delivered + dt.timedelta(days=n)

    occasions = [
        _Occasion(
            DueItem("postpartum_visit", "postpartum", "产后访视（产后3～7天）", day(3), day(8)),
            done=bool(_signed(facts, "postpartum_visit", since=delivered)),
            listed_until=day(POSTPARTUM_VISIT_LAST_DAY),
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
    return {}
