"""Immunisation records (预防接种卡/证) and the national programme schedule.

The schedule is the 国家免疫规划疫苗儿童免疫程序 (2021 edition) with its notes: the
age each dose is due, the minimum interval from the previous dose of the same series
and the age by which it should be complete (及时接种建议). The due list imports
`PROGRAMME_SCHEDULE`; it is plain data so it can be read without the form machinery.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from huimin.records.forms import codes
from huimin.records.forms.spec import (
    BOOL,
    CODE,
    DATE,
    INT,
    TEXT,
    Context,
    Field,
    FormSpec,
    Problem,
    date_of,
    required_if,
)


def months(n: int) -> int:
    """Days in n months at the mean month (365.25 / 12): 1 → 30, 6 → 183, 12 → 365."""
    return round(n * 365.25 / 12)


def years(n: int) -> int:
    """Days in n years at the mean year: 1 → 365, 4 → 1461, 7 → 2557."""
    return round(n * 365.25)


@dataclass(frozen=True)
class ScheduledDose:
    vaccine: str  # code in VACCINES
    # Dose number as the 2021 table prints it: polio counts IPV and bOPV as one series
    # (bOPV is doses 3 and 4); every other vaccine counts its own doses.
    dose: int
    due_age_days: int  # the age at which the schedule gives this dose
    min_interval_days: int  # from the previous dose of the same series; 0 for a first dose
    overdue_age_days: int  # not given by this age: late (及时接种建议)
    label: str
    # From the series' first dose, besides `min_interval_days` from the previous one
    # (HepB 3: ≥4 months after dose 1, 2021 notes 补种原则).
    after_first_days: int = 0


_D = ScheduledDose

# The default (live-vaccine) schedule as the 2021 table prints it. Where the table lets a
# county use the inactivated JE or HepA vaccine instead, those series are in
# INACTIVATED_ALTERNATIVES, never both in one child's plan.
PROGRAMME_SCHEDULE: tuple[ScheduledDose, ...] = (
    # HepB: birth (within 24 h), 1, 6 months; ≥28 days then ≥60 days apart, and the 3rd
    # ≥4 months after the 1st; the series is complete before 12 months.
    _D("HepB", 1, 0, 0, 1, "乙肝疫苗第1剂"),
    _D("HepB", 2, months(1), 28, months(12), "乙肝疫苗第2剂"),
    _D("HepB", 3, months(6), 60, months(12), "乙肝疫苗第3剂", after_first_days=months(4)),
    # BCG at birth, done before 3 months.
    _D("BCG", 1, 0, 0, months(3), "卡介苗"),
    # Polio: IPV at 2 and 3 months, bOPV at 4 months and 4 years, one series of four
    # doses ≥28 days apart; the 3rd before 12 months, the 4th before 5 years.
    _D("IPV", 1, months(2), 0, months(12), "脊灰灭活疫苗第1剂"),
    _D("IPV", 2, months(3), 28, months(12), "脊灰灭活疫苗第2剂"),
    _D("bOPV", 3, months(4), 28, months(12), "脊灰减毒活疫苗第3剂"),
    _D("bOPV", 4, years(4), 28, years(5), "脊灰减毒活疫苗第4剂"),
    # DTaP at 3, 4, 5, 18 months: ≥28 days apart, the 4th ≥6 months after the 3rd;
    # primary series before 12 months, the booster before 24 months.
    _D("DTaP", 1, months(3), 0, months(12), "百白破疫苗第1剂"),
    _D("DTaP", 2, months(4), 28, months(12), "百白破疫苗第2剂"),
    _D("DTaP", 3, months(5), 28, months(12), "百白破疫苗第3剂"),
    _D("DTaP", 4, months(18), months(6), months(24), "百白破疫苗第4剂"),
    # DT at 6 years, before 7.
    _D("DT", 1, years(6), 0, years(7), "白破疫苗"),
    # MMR at 8 and 18 months, ≥28 days apart; before 12 and 24 months.
    _D("MMR", 1, months(8), 0, months(12), "麻腮风疫苗第1剂"),
    _D("MMR", 2, months(18), 28, months(24), "麻腮风疫苗第2剂"),
    # Live JE at 8 months and 2 years, ≥12 months apart; before 12 months and 3 years.
    _D("JE-L", 1, months(8), 0, months(12), "乙脑减毒活疫苗第1剂"),
    _D("JE-L", 2, years(2), months(12), years(3), "乙脑减毒活疫苗第2剂"),
    # Group A meningococcal at 6 and 9 months, ≥3 months apart, 2nd before 18 months;
    # A+C at 3 and 6 years: the 1st ≥12 months after MPSV-A 2, the 2nd ≥3 years after
    # the 1st; before 4 and 7 years.
    _D("MPSV-A", 1, months(6), 0, months(18), "A群流脑多糖疫苗第1剂"),
    _D("MPSV-A", 2, months(9), months(3), months(18), "A群流脑多糖疫苗第2剂"),
    _D("MPSV-AC", 1, years(3), months(12), years(4), "A群C群流脑多糖疫苗第1剂"),
    _D("MPSV-AC", 2, years(6), years(3), years(7), "A群C群流脑多糖疫苗第2剂"),
    # Live HepA at 18 months, before 24 months.
    _D("HepA-L", 1, months(18), 0, months(24), "甲肝减毒活疫苗"),
)

INACTIVATED_ALTERNATIVES: tuple[ScheduledDose, ...] = (
    # Inactivated JE: two doses at 8 months 7–10 days apart, then 2 and 6 years
    # (2nd→3rd 1–12 months, 3rd→4th ≥3 years); 2nd before 12 months, 3rd before 3 years,
    # 4th before 7 years.
    _D("JE-I", 1, months(8), 0, months(12), "乙脑灭活疫苗第1剂"),
    _D("JE-I", 2, months(8) + 7, 7, months(12), "乙脑灭活疫苗第2剂"),
    _D("JE-I", 3, years(2), months(1), years(3), "乙脑灭活疫苗第3剂"),
    _D("JE-I", 4, years(6), years(3), years(7), "乙脑灭活疫苗第4剂"),
    # Inactivated HepA at 18 and 24 months, ≥6 months apart; before 24 months and 3 years.
    _D("HepA-I", 1, months(18), 0, months(24), "甲肝灭活疫苗第1剂"),
    _D("HepA-I", 2, months(24), months(6), years(3), "甲肝灭活疫苗第2剂"),
)

# Vaccines of one series, for the minimum interval: the previous dose of bOPV 3 is
# IPV 2, of MPSV-AC 1 is MPSV-A 2. A child on the inactivated JE or HepA series is not due the
# live one (same series name). A dose is identified by its vaccine and number
# (`dose_key`), not by the series: MPSV-A 1–2 are not MPSV-AC 1–2.
SERIES = {
    "HepB": "HepB",
    "BCG": "BCG",
    "IPV": "polio",
    "bOPV": "polio",
    "DTaP": "DTaP",
    "DT": "DT",
    "MMR": "MMR",
    "JE-L": "JE",
    "JE-I": "JE",
    "MPSV-A": "MPSV",
    "MPSV-AC": "MPSV",
    "HepA-L": "HepA",
    "HepA-I": "HepA",
}

# Polio numbers its doses across IPV and bOPV (bOPV 3 follows IPV 2), so a polio dose
# is keyed by the series; every other vaccine by itself.
_KEYED_BY_SERIES = frozenset({"IPV", "bOPV"})


def dose_key(vaccine: str, dose: int) -> tuple[str, int]:
    """Which dose of the schedule a recorded dose is: ("MPSV-AC", 1), ("polio", 3)."""
    return (SERIES[vaccine] if vaccine in _KEYED_BY_SERIES else vaccine, dose)


# The 2021 notes' catch-up (补种) ages: children under 18 catch up every programme
# vaccine, except BCG (not from 4 years: ≥4岁儿童不予补种) and JE (≤15 years).
CATCH_UP_AGE_LIMIT = 18
CATCH_UP_BEFORE_AGE = {"BCG": 4, "JE-L": 16, "JE-I": 16}
# Group A meningococcal is not caught up from 24 months: A+C replaces it
# (≥24月龄儿童补齐A群C群流脑多糖疫苗剂次，不再补种A群流脑多糖疫苗).
MPSV_A_UNTIL_MONTHS = 24
# DT instead of DTaP from 6 years (6～11岁使用白破疫苗补种): up to 3 doses in all, the
# 2nd 1–2 months after the 1st, the 3rd 6–12 months after the 2nd; the booster after 3
# DTaP ≥6 months, after 4 DTaP ≥12 months.
DT_FROM_YEARS = 6

_ID, _SC, _IM, _PO = "1", "2", "3", "4"
ROUTES = {_ID: "皮内注射", _SC: "皮下注射", _IM: "肌内注射", _PO: "口服"}
SITES = {
    "1": "左上臂",
    "2": "右上臂",
    "3": "左大腿",
    "4": "右大腿",
    "5": "左臀部",
    "6": "右臀部",
    "7": "口服",
    "9": "其他",
}


@dataclass(frozen=True)
class Vaccine:
    label: str
    doses: int  # most doses a person receives of it (the form's dose number bound)
    route: str | None  # the route the programme prescribes; None: depends on product
    programme: bool  # 国家免疫规划疫苗 (free) or not (非免疫规划疫苗, self-paid)


VACCINES: dict[str, Vaccine] = {
    "HepB": Vaccine("乙肝疫苗", 3, _IM, True),
    "BCG": Vaccine("卡介苗", 1, _ID, True),
    # Polio doses are numbered within the four-dose series, whichever vaccine gave them.
    "IPV": Vaccine("脊灰灭活疫苗", 4, _IM, True),
    "bOPV": Vaccine("脊灰减毒活疫苗", 4, _PO, True),
    "DTaP": Vaccine("百白破疫苗", 4, _IM, True),
    # One booster at 6 years, or up to three doses caught up from 6 years.
    "DT": Vaccine("白破疫苗", 3, _IM, True),
    "MMR": Vaccine("麻腮风疫苗", 2, _SC, True),
    "JE-L": Vaccine("乙脑减毒活疫苗", 2, _SC, True),
    "JE-I": Vaccine("乙脑灭活疫苗", 4, _IM, True),
    "MPSV-A": Vaccine("A群流脑多糖疫苗", 2, _SC, True),
    "MPSV-AC": Vaccine("A群C群流脑多糖疫苗", 2, _SC, True),
    "HepA-L": Vaccine("甲肝减毒活疫苗", 1, _SC, True),
    "HepA-I": Vaccine("甲肝灭活疫苗", 2, _IM, True),
    # Common non-programme vaccines (self-paid).
    "Hib": Vaccine("b型流感嗜血杆菌结合疫苗", 4, _IM, False),
    "DTaP-IPV/Hib": Vaccine("百白破-脊灰-Hib联合疫苗（五联）", 4, _IM, False),
    "PCV13": Vaccine("13价肺炎球菌多糖结合疫苗", 4, _IM, False),
    "PPV23": Vaccine("23价肺炎球菌多糖疫苗", 2, None, False),
    "EV71": Vaccine("肠道病毒71型灭活疫苗", 2, _IM, False),
    "VarV": Vaccine("水痘减毒活疫苗", 2, _SC, False),
    "RV": Vaccine("轮状病毒疫苗", 3, _PO, False),
    "Flu": Vaccine("流感疫苗", 2, None, False),
    "HPV": Vaccine("人乳头瘤病毒疫苗", 3, _IM, False),
    "HepE": Vaccine("戊肝疫苗", 3, _IM, False),
    "Rabies": Vaccine("人用狂犬病疫苗", 5, _IM, False),
    "Zoster": Vaccine("带状疱疹疫苗", 2, None, False),
    "Other": Vaccine("其他疫苗", 5, None, False),
}

VACCINE_CODES = {code: v.label for code, v in VACCINES.items()}

# The youngest age at which each programme vaccine may be given, in calendar months:
# the series' first scheduled dose (bOPV may open the polio series in a catch-up).
_START_MONTHS = {
    "HepB": 0,
    "BCG": 0,
    "IPV": 2,
    "bOPV": 2,
    "DTaP": 3,
    "DT": 72,
    "MMR": 8,
    "JE-L": 8,
    "JE-I": 8,
    "MPSV-A": 6,
    # From 24 months for a child who missed group A (2021 notes); else at 3 years.
    "MPSV-AC": 24,
    "HepA-L": 18,
    "HepA-I": 18,
}


def add_months(day: dt.date, n: int) -> dt.date:
    """The same day n calendar months later (31 Jan + 1 month = 28/29 Feb)."""
    month = day.month - 1 + n
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_in_months(birth: dt.date, day: dt.date) -> int:
    """Completed calendar months of age on `day` (月龄)."""
    n = (day.year - birth.year) * 12 + day.month - birth.month
    if add_months(birth, n) > day:
        n -= 1
    return n


def _dose_within_vaccine(data: dict, ctx: Context) -> list[Problem]:
    vaccine, dose = VACCINES.get(data.get("vaccine", "")), data.get("dose")
    if vaccine and dose is not None and dose > vaccine.doses:
        return [
            Problem("dose", "too_many_doses", f"{vaccine.label}最多接种{vaccine.doses}剂，剂次有误")
        ]
    return []


def _route_of_vaccine(data: dict, ctx: Context) -> list[Problem]:
    vaccine, route = VACCINES.get(data.get("vaccine", "")), data.get("route")
    if vaccine and vaccine.route and route and route != vaccine.route:
        return [
            Problem(
                "route",
                "wrong_route",
                f"{vaccine.label}应{ROUTES[vaccine.route]}，不是{ROUTES[route]}",
            )
        ]
    return []


def _not_before_start_age(data: dict, ctx: Context) -> list[Problem]:
    """A programme vaccine given younger than its starting age does not count (e.g. MMR
    at 2 months)."""
    start = _START_MONTHS.get(data.get("vaccine", ""))
    day = date_of(data, "vaccinated_on")
    if not start or day is None or ctx.birth_date is None:
        return []
    if day < add_months(ctx.birth_date, start):
        label = VACCINES[data["vaccine"]].label
        return [
            Problem(
                "vaccinated_on",
                "too_young_for_vaccine",
                f"{label}的起始接种月龄为{start}月龄，接种时尚未满{start}月龄",
            )
        ]
    return []


IMMUNISATION = FormSpec(
    kind="immunisation",
    title="预防接种记录",
    fields=(
        Field("vaccine", "疫苗", CODE, required=True, codes=VACCINE_CODES, section="疫苗"),
        Field("vaccine_other", "其他疫苗名称", TEXT, max_length=50, section="疫苗"),
        Field("dose", "剂次", INT, required=True, min=1, max=5, section="疫苗"),
        Field("vaccinated_on", "接种日期", DATE, required=True, section="接种"),
        Field("lot_number", "疫苗批号", TEXT, required=True, max_length=30, section="疫苗"),
        Field("manufacturer", "生产企业", TEXT, max_length=60, section="疫苗"),
        Field("expires_on", "有效期至", DATE, allow_future=True, section="疫苗"),
        Field("site", "接种部位", CODE, codes=SITES, section="接种"),
        Field("route", "接种途径", CODE, required=True, codes=ROUTES, section="接种"),
        Field("vaccinating_unit", "接种单位", TEXT, required=True, max_length=60, section="接种"),
        Field("catch_up", "补种", BOOL, section="接种"),
        Field("vaccinator", "接种医生", TEXT, required=True, max_length=50, section="接种"),
        Field("adverse_reaction", "疑似预防接种异常反应", CODE, codes=codes.YES_NO, section="反应"),
        Field("adverse_reaction_detail", "反应描述", TEXT, max_length=200, section="反应"),
    ),
    date_field="vaccinated_on",
    doctor_field="vaccinator",
    checks=(
        _dose_within_vaccine,
        _route_of_vaccine,
        _not_before_start_age,
        required_if("vaccine_other", lambda d: d.get("vaccine") == "Other", "其他疫苗名称"),
        required_if(
            "adverse_reaction_detail", lambda d: d.get("adverse_reaction") == "2", "反应描述"
        ),
        # A dose given with an expired vaccine is invalid and must be repeated.
        lambda data, ctx: (
            [Problem("expires_on", "expired", "接种日期已超过疫苗有效期")]
            if date_of(data, "expires_on")
            and date_of(data, "vaccinated_on")
            and date_of(data, "vaccinated_on") > date_of(data, "expires_on")
            else []
        ),
    ),
)

SPECS_HERE = (IMMUNISATION,)
