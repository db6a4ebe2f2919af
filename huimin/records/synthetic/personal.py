"""个人基本信息表, filled in when the file is opened (a few are missing or incomplete)."""

from __future__ import annotations

import datetime as dt
from functools import partial

from huimin.records.forms.personal import ADULT_ITEMS_FROM_AGE
from huimin.records.synthetic.base import age_on, phone, some_name, years_after
from huimin.records.synthetic.problems import (
    INCOMPLETE_PERSONAL_INFO_RATE,
    MISSING_PERSONAL_INFO_RATE,
    PERSONAL_INFO_OFTEN_BLANK,
)

_OPERATIONS = ("阑尾切除术", "胆囊切除术", "剖宫产术", "白内障摘除术", "疝修补术", "骨折内固定术")
_INJURIES = ("右前臂骨折", "左踝扭伤", "头皮裂伤", "肋骨骨折", "左手刀割伤")
_TRANSFUSIONS = ("外伤失血", "产后出血", "手术输血")
# 疾病史 a file most often records, besides HTN/DM (which have their own programmes).
_PAST_DISEASES = ("4", "5", "7", "10")


class PersonalMixin:
    """Part of people._Person."""

    def _personal(self) -> None:
        roll = self.rng.random()
        if roll < MISSING_PERSONAL_INFO_RATE:
            if "personal_info" in self.gen.specs:
                self.inject("personal_info", "missing_personal_info")
            return
        at = self.form(
            "personal_info", self.opened_on, partial(self._personal_info, self.opened_on)
        )
        if at is not None and roll < MISSING_PERSONAL_INFO_RATE + INCOMPLETE_PERSONAL_INFO_RATE:
            data = self.batch.forms[at].data
            for name in self.rng.sample(PERSONAL_INFO_OFTEN_BLANK, self.rng.randint(1, 3)):
                data.pop(name, None)
            self.inject("personal_info", "personal_info_incomplete", at)

    def _personal_info(self, day: dt.date) -> dict:
        p, rng = self.p, self.rng
        age = age_on(p.birth_date, day)
        known = rng.random() < 0.6  # many rural residents have never been typed
        data = {
            "filled_date": day.isoformat(),
            "blood_type": rng.choices(("1", "2", "3", "4"), (28, 24, 41, 7))[0] if known else "5",
            "rh": ("2" if rng.random() < 0.997 else "1") if known else "3",
            "payment_methods": [rng.choices(("3", "2", "1"), (75, 20, 5))[0]],
            "drug_allergy": ["1"],
            "exposure": ["1"],
            "past_disease": "1",
            "past_operation": "1",
            "past_injury": "1",
            "past_transfusion": "1",
            "family_father": ["1"],
            "family_mother": ["1"],
            "family_siblings": ["1"],
            "family_children": ["1"],
            "hereditary": "1",
            "disability": ["1"],
            "kitchen_exhaust": rng.choices(("4", "2", "3", "1"), (45, 30, 15, 10))[0],
            "fuel": rng.choices(("1", "5", "4", "2"), (45, 35, 10, 10))[0],
            "drinking_water": rng.choices(("1", "3", "2"), (75, 20, 5))[0],
            "toilet": rng.choices(("1", "2", "5", "4"), (60, 25, 10, 5))[0],
            "livestock_pen": rng.choices(("1", "2", "4"), (60, 30, 10))[0],
            "doctor": self.doctor,
        }
        if rng.random() < 0.04:
            data["payment_methods"].append("4")  # 贫困救助
        if rng.random() < 0.5:
            data["contact_name"] = some_name(rng)
            data["contact_phone"] = phone(rng)
        if rng.random() < 0.05:
            data["drug_allergy"] = [rng.choice(("2", "3", "4"))]
        if age >= ADULT_ITEMS_FROM_AGE:
            self._adult_items(data, age)
        for parent in ("family_father", "family_mother"):
            if rng.random() < 0.18:
                data[parent] = [rng.choices(("2", "3", "7", "6"), (60, 20, 12, 8))[0]]
        if age >= 40 and rng.random() < 0.03:
            data["disability"] = [rng.choice(("2", "3", "5"))]
        self._history(data, day, age)
        return data

    def _adult_items(self, data: dict, age: int) -> None:
        rng = self.rng
        if age >= 60:
            education = rng.choices(("9", "8", "7"), (30, 50, 20))[0]
        elif age >= 40:
            education = rng.choices(("8", "7", "6", "4"), (25, 50, 18, 7))[0]
        else:
            education = rng.choices(("7", "6", "4", "3", "2"), (35, 25, 15, 15, 10))[0]
        data["education"] = education
        if age >= 70:
            data["occupation"] = rng.choices(("4", "8"), (40, 60))[0]
        else:
            data["occupation"] = rng.choices(("4", "5", "3", "8", "1"), (55, 15, 15, 10, 5))[0]
        if age < 22:
            data["marital_status"] = "1"
        elif age >= 70:
            data["marital_status"] = rng.choices(("2", "3"), (70, 30))[0]
        else:
            data["marital_status"] = rng.choices(("2", "1", "4"), (85, 10, 5))[0]

    def _history(self, data: dict, day: dt.date, age: int) -> None:
        """Past diseases, operations, injuries and transfusions, each dated between
        adulthood (or birth) and the day the form is filled in."""
        rng = self.rng
        grown = years_after(self.p.birth_date, 18)

        def when() -> str:
            start = grown if grown < day else self.p.birth_date
            return self.day_between(start, day - dt.timedelta(days=1)).isoformat()

        if age >= 40 and rng.random() < 0.12:
            data["past_disease"] = "2"
            data["past_diseases"] = [
                {"disease": rng.choice(_PAST_DISEASES), "diagnosed_on": when()}
            ]
        if age >= 18 and rng.random() < 0.08:
            data["past_operation"] = "2"
            names = [o for o in _OPERATIONS if self.p.sex == "2" or o != "剖宫产术"]
            name = rng.choice(names)
            data["operations"] = [{"name": name, "date": when()}]
        if age >= 10 and rng.random() < 0.05:
            data["past_injury"] = "2"
            data["injuries"] = [{"name": rng.choice(_INJURIES), "date": when()}]
        if age >= 18 and rng.random() < 0.02:
            data["past_transfusion"] = "2"
            data["transfusions"] = [{"name": rng.choice(_TRANSFUSIONS), "date": when()}]
