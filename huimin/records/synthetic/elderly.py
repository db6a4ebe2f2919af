"""The annual 健康体检表 (65+ and registered HTN/DM patients) and the 65+ elderly's
self-care assessment and TCM constitution identification, with an `elderly` programme
for everyone 65+ with a file."""

from __future__ import annotations

import datetime as dt
from functools import partial

from huimin.records.forms.elderly import CONSTITUTIONS, PINGHE, SELFCARE_ITEMS, selfcare_level
from huimin.records.forms.health_check import ELDERLY_PANEL
from huimin.records.forms.spec import bmi
from huimin.records.synthetic.base import ELDERLY_AGE, age_on, clip, years_after
from huimin.records.synthetic.problems import ELDERLY_PANEL_MISSING_RATE, MISSING_WAIST_RATE

# Shares done this year, as a county reports them (elderly health management is
# usually 65–75%; the chronic patients' annual check a little lower).
CHECK_RATE_ELDERLY = 0.75
CHECK_RATE_CHRONIC = 0.70
SELFCARE_RATE = 0.95  # of the elderly checked
TCM_RATE = 0.80  # of the elderly checked
# Checked people without a diabetes registration whose glucose is found high.
UNDIAGNOSED_DM_RATE = 0.04
# Share with some dependence in daily living, by age.
DEPENDENT_BY_AGE = ((75, 0.05), (85, 0.12), (200, 0.25))

_EXERCISE = ("散步", "广场舞", "太极拳", "快走")
_ECG_FINDINGS = ("窦性心动过缓", "ST-T改变", "左心室高电压", "房性早搏")


class ElderlyMixin:
    """Part of people._Person; runs after the chronic programmes are planned."""

    def _elderly(self) -> None:
        p, gen, rng = self.p, self.gen, self.rng
        elderly = age_on(p.birth_date, gen.as_of) >= ELDERLY_AGE
        if not elderly and not self.chronic:
            return
        earliest = max(gen.start, self.opened_on)
        prog = None
        if elderly:
            turned = years_after(p.birth_date, ELDERLY_AGE)
            registered = max(turned, self.opened_on)
            if registered > self.end:  # died before 65
                return
            prog = self.programme("elderly", registered)
            # The self-assessments are asked from the 65th birthday on.
            earliest = max(earliest, turned)
        else:
            earliest = max(earliest, min(self.chronic.values()))
        if rng.random() >= (CHECK_RATE_ELDERLY if elderly else CHECK_RATE_CHRONIC):
            return
        if earliest > self.end:
            return
        day = self.day_between(earliest, self.end)
        answers = self._selfcare_answers(age_on(p.birth_date, day)) if elderly else None
        at = self.form(
            "health_check", day, partial(self._health_check, day, answers), programme=prog
        )
        measured = dict(self.batch.forms[at].data) if at is not None else {}
        if at is not None and rng.random() < MISSING_WAIST_RATE:
            del self.batch.forms[at].data["waist"]
            self.inject("health_check", "missing_waist", at)
        if at is not None and elderly and rng.random() < ELDERLY_PANEL_MISSING_RATE:
            # A part of the 65+ test panel not done (老年人 服务内容 3), e.g. no B超 that day.
            _, names = rng.choice(ELDERLY_PANEL)
            for name in (*names, "ecg_abnormal") if "ecg" in names else names:
                self.batch.forms[at].data.pop(name, None)
            self.inject("health_check", "elderly_panel_incomplete", at)
        if not elderly:
            return
        if rng.random() < SELFCARE_RATE:
            self.form(
                "elderly_selfcare",
                day,
                lambda: {"assessed_date": day.isoformat(), **answers, "doctor": self.doctor},
                programme=prog,
            )
        if rng.random() < TCM_RATE:
            self.form("tcm_elderly", day, partial(self._tcm, day, measured), programme=prog)

    def _selfcare_answers(self, age: int) -> dict:
        rng = self.rng
        share = next(rate for below, rate in DEPENDENT_BY_AGE if age < below)
        if rng.random() >= share:
            return {name: "1" for name, _, _ in SELFCARE_ITEMS}
        return {
            name: rng.choices(("1", "2", "3", "4"), (45, 35, 15, 5))[0]
            for name, _, _ in SELFCARE_ITEMS
        }

    # -- 健康体检表

    def _health_check(self, day: dt.date, selfcare: dict | None) -> dict:
        p, rng = self.p, self.rng
        age = age_on(p.birth_date, day)
        man = p.sex == "1"
        htn, dm = "hypertension" in self.chronic, "diabetes" in self.chronic
        sys_, dia = self._check_bp(age, htn)
        pulse = rng.randint(60, 90)
        weight = clip(self.bmi * (self.height / 100) ** 2 + rng.gauss(0, 0.8), 38, 120)
        waist = (85 if man else 80) + (self.bmi - 24) * 2.6 + rng.gauss(0, 3)
        data = {
            "check_date": day.isoformat(),
            "symptoms": ["1"] if rng.random() < 0.7 else rng.sample(["3", "13", "14", "22"], 1),
            "temperature": f"{rng.uniform(36.1, 37.0):.1f}",
            "pulse": pulse,
            "respiration": rng.randint(16, 20),
            "systolic_left": sys_,
            "diastolic_left": dia,
            "systolic_right": sys_ + rng.randint(-6, 4),
            "diastolic_right": dia + rng.randint(-3, 3),
            "height": f"{self.height:.1f}",
            "weight": f"{weight:.1f}",
            "waist": f"{clip(waist, 62, 120):.1f}",
            "diet": ["1"] if rng.random() < 0.7 else [rng.choice(("3", "4", "5"))],
            "occupational_exposure": "1",
            "lips": "1",
            "dentition": ["1"] if age < 60 or rng.random() < 0.3 else rng.sample(["2", "4"], 1),
            "throat": "1",
            "vision_left": rng.choice(("4.5", "4.6", "4.7", "4.8", "4.9", "5.0")),
            "vision_right": rng.choice(("4.5", "4.6", "4.7", "4.8", "4.9", "5.0")),
            "hearing": "1" if age < 75 or rng.random() < 0.8 else "2",
            "motor": "1",
            "fundus": "1",
            "skin": "1",
            "sclera": "1",
            "lymph_nodes": "1",
            "barrel_chest": "1",
            "breath_sounds": "1",
            "rales": "1",
            "heart_rate": pulse,
            "heart_rhythm": "1",
            **{k: "1" for k in _ABDOMEN},
            "oedema": "1",
            "dorsalis_pedis": "2",
            "cerebrovascular": ["1"],
            "kidney": ["1"],
            "heart": ["1"],
            "vascular": ["1"],
            "eye": ["1"] if age < 70 or rng.random() < 0.8 else ["4"],  # 白内障
            "nervous": "1",
            "other_system": "1",
            "doctor": self.doctor,
        }
        if not man:
            data["breast"] = ["1"]
        data["bmi"] = bmi(data["height"], data["weight"])
        if selfcare is not None:
            total = sum(scores[int(selfcare[n]) - 1] for n, _, scores in SELFCARE_ITEMS)
            data["elderly_health_self"] = rng.choices(("1", "2", "3", "4"), (25, 50, 15, 10))[0]
            data["elderly_selfcare_self"] = selfcare_level(total)
            data["elderly_cognition"] = "1" if rng.random() < 0.95 else "2"
            data["elderly_emotion"] = "1" if rng.random() < 0.96 else "2"
            if data["elderly_cognition"] == "2":
                data["elderly_mmse"] = rng.randint(17, 26)
            if data["elderly_emotion"] == "2":
                data["elderly_gds"] = rng.randint(11, 20)
        self._lifestyle(data, age)
        abnormal = self._tests(data, dm)
        self._evaluation(data, abnormal, htn, dm, sys_, dia)
        return data

    def _check_bp(self, age: int, htn: bool) -> tuple[int, int]:
        rng = self.rng
        if htn:
            sys_ = int(clip(self.sys + rng.gauss(0, 7), 120, 170))
            dia = int(clip(self.dia + rng.gauss(0, 4), 70, 100))
        else:
            sys_ = int(clip(116 + max(0, age - 40) * 0.4 + rng.gauss(0, 9), 96, 148))
            dia = int(clip(rng.gauss(74, 6), 58, 88))
        return max(sys_, dia + 25), dia

    def _lifestyle(self, data: dict, age: int) -> None:
        rng = self.rng
        freq = rng.choices(("1", "2", "3", "4"), (30, 10, 20, 40))[0]
        data["exercise_frequency"] = freq
        if freq != "4":
            data["exercise_minutes"] = rng.choice((20, 30, 30, 40, 60))
            data["exercise_years"] = rng.randint(1, 20)
            data["exercise_kind"] = rng.choice(_EXERCISE)
        start = min(age, rng.randint(16, 25))
        if self.smoker:
            data["smoking"] = "3"
            data["cigarettes_per_day"] = rng.choice((5, 10, 10, 20))
            data["smoking_start_age"] = start
        elif self.p.sex == "1" and age >= 40 and rng.random() < 0.2:
            data["smoking"] = "2"
            data["smoking_start_age"] = start
            data["smoking_quit_age"] = rng.randint(max(start, 30), age)
        else:
            data["smoking"] = "1"
        if self.drinker:
            data["drinking"] = rng.choice(("3", "4"))
            data["alcohol_per_day"] = rng.randint(1, 4)
            data["quit_drinking"] = "1"
            data["drinking_start_age"] = min(age, rng.randint(18, 25))
            data["drunk_last_year"] = "2"
            data["alcohol_kinds"] = ["1"] if rng.random() < 0.7 else ["1", "2"]
        elif self.p.sex == "1" and rng.random() < 0.25:
            data["drinking"] = "2"
            data["alcohol_per_day"] = 1
            data["quit_drinking"] = "1"
        else:
            data["drinking"] = "1"

    def _tests(self, data: dict, dm: bool) -> list[str]:
        """The elderly package of auxiliary tests; returns the abnormal findings."""
        rng, man = self.rng, self.p.sex == "1"
        found = []
        if dm:
            glucose = clip(self.glucose + rng.gauss(0, 0.7), 5.0, 12.0)
            data["hba1c"] = f"{clip(glucose * 0.9 + 0.6, 5.5, 11):.1f}"
        elif rng.random() < UNDIAGNOSED_DM_RATE:
            glucose = rng.uniform(7.0, 9.5)  # found by the check: the abnormality to follow up
        else:
            glucose = clip(rng.gauss(5.3, 0.6), 3.9, 6.9)
        data["fasting_glucose"] = f"{glucose:.1f}"
        if glucose >= 7.0:
            found.append(f"空腹血糖{glucose:.1f}mmol/L")
        hb = rng.randint(120, 160) if man else rng.randint(110, 150)
        cholesterol = clip(rng.gauss(4.9, 0.8), 3.0, 7.6)
        data.update(
            {
                "haemoglobin": hb,
                "wbc": f"{rng.uniform(4.0, 9.0):.1f}",
                "platelets": rng.randint(130, 330),
                "urine_protein": "-",
                "urine_glucose": "+" if dm and glucose > 9 else "-",
                "urine_ketone": "-",
                "urine_blood": "-",
                "alt": rng.randint(8, 40),
                "ast": rng.randint(10, 38),
                "albumin": f"{rng.uniform(38, 50):.1f}",
                "bilirubin_total": f"{rng.uniform(5, 18):.1f}",
                "bilirubin_direct": f"{rng.uniform(1, 5):.1f}",
                "creatinine": f"{rng.uniform(55, 105) if man else rng.uniform(45, 88):.1f}",
                "urea": f"{rng.uniform(3.0, 7.5):.1f}",
                "potassium": f"{rng.uniform(3.6, 5.0):.1f}",
                "sodium": f"{rng.uniform(136, 145):.1f}",
                "cholesterol": f"{cholesterol:.2f}",
                "triglycerides": f"{clip(rng.gauss(1.5, 0.5), 0.5, 3.8):.2f}",
                "ldl": f"{clip(cholesterol * 0.6 + rng.gauss(0, 0.2), 1.2, 5.0):.2f}",
                "hdl": f"{clip(rng.gauss(1.3, 0.25), 0.8, 2.2):.2f}",
            }
        )
        if cholesterol >= 6.2:
            found.append(f"总胆固醇{cholesterol:.2f}mmol/L")
        data["ecg"] = "1" if rng.random() < 0.85 else "2"
        if data["ecg"] == "2":
            data["ecg_abnormal"] = rng.choice(_ECG_FINDINGS)
            found.append(f"心电图：{data['ecg_abnormal']}")
        data["ultrasound_abdomen"] = "1" if rng.random() < 0.85 else "2"
        if data["ultrasound_abdomen"] == "2":
            data["tests_abnormal"] = "腹部B超：脂肪肝"
            found.append("脂肪肝")
        return found

    def _evaluation(self, data, abnormal, htn: bool, dm: bool, sys_: int, dia: int) -> None:
        rng = self.rng
        found = [*(["高血压"] if htn else []), *(["2型糖尿病"] if dm else [])]
        if not htn and (sys_ >= 140 or dia >= 90):
            found.append(f"血压偏高{sys_}/{dia}mmHg")
        if float(data["bmi"]) >= 28:
            found.append(f"肥胖（BMI {data['bmi']}）")
        found += abnormal
        if htn or dm:
            data["medications"] = [
                {"name": n, "usage": "口服", "dose": d, "duration": "长期", "adherence": "1"}
                for n, d in self.drugs
            ]
        if not found:
            data["evaluation"] = "1"
        else:
            data["evaluation"] = "2"
            data["abnormalities"] = "；".join(found)[:400]
            data["guidance"] = ["1"] if htn or dm else ["2"]
        risks = ["3", "4"]
        if data["smoking"] == "3":
            risks.insert(0, "1")
        if float(data["bmi"]) >= 28:
            risks.append("5")
            data["target_weight"] = f"{24 * (self.height / 100) ** 2:.1f}"
        if rng.random() < 0.3:
            risks.append("6")
            data["vaccine_advised"] = "流感疫苗、肺炎球菌疫苗"
        data["risk_control"] = risks

    # -- 中医药健康管理

    def _tcm(self, day: dt.date, measured: dict) -> dict:
        """Answers around one leading constitution (平和质 for many), with questions 9
        and 28 scored from the day's BMI and waist as the form's notes prescribe."""
        rng = self.rng
        leading = PINGHE if rng.random() < 0.4 else rng.choice(CONSTITUTIONS)
        answers = {n: rng.choices((1, 2, 3), (60, 32, 8))[0] for n in range(1, 34)}
        if leading is PINGHE:
            answers.update({n: 1 for n in (2, 4, 5, 13)})
            answers[1] = rng.choice((4, 5))
        else:
            for n in leading[2]:
                answers[n] = rng.choice((3, 4))
            answers[1] = rng.choice((2, 3))
        if measured.get("bmi"):
            b = float(measured["bmi"])
            answers[9] = 1 if b < 24 else 2 if b < 25 else 3 if b < 26 else 4 if b < 28 else 5
        if measured.get("waist"):
            w = float(measured["waist"])
            answers[28] = 1 if w < 80 else 2 if w <= 85 else 3 if w <= 90 else 4 if w <= 105 else 5
        data = {"assessed_date": day.isoformat(), **{f"q{n}": str(a) for n, a in answers.items()}}
        data["doctor"] = self.doctor
        spec = self.gen.specs["tcm_elderly"]
        for key, value in spec.derive(data).items():
            # Guidance for each type judged 是 / 倾向是 (基本是), as the form requires.
            if key.endswith("_result") and value in ("1", "2"):
                data[key.removesuffix("_result") + "_guidance"] = rng.sample(
                    ["1", "2", "3", "4", "5"], 2
                )
        return data


_ABDOMEN = (
    "heart_murmur",
    "abdomen_tenderness",
    "abdomen_mass",
    "hepatomegaly",
    "splenomegaly",
    "shifting_dullness",
)
