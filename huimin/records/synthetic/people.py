"""The generator: plans each person's record, programmes and forms, village by village.

`_Person` holds one person's plan; its services live in the mixins of the sibling
modules (chronic, children, maternal, elderly, mental, personal) and the problems they
inject in problems.py.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from huimin.records.forms import SPECS
from huimin.records.forms.spec import FormSpec
from huimin.records.synthetic.base import (
    CHINA,
    DEFAULT_SEED,
    FILE_RATE,
    FormRow,
    Injected,
    PersonIn,
    ProgrammeRow,
    RecordBatch,
    RecordRow,
    age_on,
    clip,
    village_doctor_name,
)
from huimin.records.synthetic.children import ChildMixin
from huimin.records.synthetic.chronic import ChronicMixin
from huimin.records.synthetic.elderly import ElderlyMixin
from huimin.records.synthetic.maternal import MaternalMixin
from huimin.records.synthetic.mental import MentalMixin
from huimin.records.synthetic.personal import PersonalMixin
from huimin.records.synthetic.problems import ProblemsMixin
from huimin.records.synthetic.tuberculosis import TuberculosisMixin


class RecordsGenerator:
    """Plans health records for people of the registry, village by village.

    `doctors` maps a village code to the responsible doctor's name (a staff account's
    name in the database); villages without one get a stable invented name. Each
    person's rows depend only on (seed, person id), so batching and reruns do not
    change them.
    """

    def __init__(
        self,
        year: int,
        *,
        as_of: dt.date | None = None,
        seed: int = DEFAULT_SEED,
        doctors: Mapping[str, str] | None = None,
        units: Mapping[str, str] | None = None,
        specs: Mapping[str, FormSpec] | None = None,
    ):
        self.year = year
        self.start = dt.date(year, 1, 1)
        self.as_of = min(as_of or dt.date(year, 12, 31), dt.date(year, 12, 31))
        if self.as_of < self.start:
            raise ValueError("as_of must lie in the year")
        self.seed = seed
        self.doctors = dict(doctors or {})
        # Township code → the health centre that vaccinates (预防接种门诊).
        self.units = dict(units or {})
        self.specs = dict(SPECS if specs is None else specs)

    # -- entry points

    def batches(self, people: Iterable[PersonIn]) -> Iterator[RecordBatch]:
        """One batch per run of consecutive people of the same village (callers pass
        people ordered by village)."""
        batch: RecordBatch | None = None
        for p in people:
            if batch is None or batch.village != p.village:
                if batch is not None:
                    yield batch
                batch = RecordBatch(village=p.village)
            self.person(p, batch)
        if batch is not None:
            yield batch

    def doctor(self, village: str) -> str:
        name = self.doctors.get(village)
        if not name:
            name = self.doctors[village] = village_doctor_name(self.seed, village)
        return name

    def person(self, p: PersonIn, batch: RecordBatch) -> None:
        """Add one person's record, programmes and forms to the batch (or nothing: no
        file, or born after the reference date)."""
        if p.birth_date > self.as_of:
            return
        rng = random.Random(self.seed * 10_000_019 + p.id)  # noqa: S311 - synthetic data
        age = age_on(p.birth_date, self.as_of)
        # Children are filed at birth; young adults who work away are filed least.
        rate = 0.97 if age < 7 else 0.78 if 18 <= age < 45 else FILE_RATE + 0.03
        if rng.random() >= rate:
            return
        _Person(p, rng, self, batch).build()


@dataclass
class _Person(
    ChronicMixin,
    ChildMixin,
    MaternalMixin,
    ElderlyMixin,
    MentalMixin,
    PersonalMixin,
    ProblemsMixin,
    TuberculosisMixin,
):
    p: PersonIn
    rng: random.Random
    gen: RecordsGenerator
    batch: RecordBatch

    def build(self) -> None:
        p, gen, rng = self.p, self.gen, self.rng
        self.end = min(gen.as_of, p.death_date) if p.death_date else gen.as_of
        self.doctor = gen.doctor(p.village)
        # Heights and a usual weight, kept across the person's forms.
        if p.sex == "1":
            self.height = clip(rng.gauss(166, 6), 150, 185)
        else:
            self.height = clip(rng.gauss(155, 5.5), 142, 172)
        self.bmi = clip(rng.gauss(24.2, 3.0), 17.5, 34)
        self.smoker = p.sex == "1" and rng.random() < 0.45
        self.drinker = p.sex == "1" and rng.random() < 0.3
        self.chronic: dict[str, dt.date] = {}  # programme kind → registered on
        self.drugs: list[tuple[str, str]] = []
        self.opened_on = self._opened_on()
        if self.opened_on > self.end:
            return
        self.last = self.opened_on
        record = RecordRow(
            person=p.id, village=p.village, opened_on=self.opened_on, last_activity_on=self.end
        )
        if p.death_date and p.death_date <= gen.as_of:
            record.closed_on = p.death_date
            record.close_reason = "死亡"
        self.batch.records.append(record)
        self._personal()
        age = age_on(p.birth_date, gen.as_of)
        if age < 7:
            self._child()
        if self.end >= gen.start:
            self._chronic()
            if p.sex == "2" and 20 <= age <= 40 and p.death_date is None:
                self._pregnancy()
            self._mental()
            self._elderly()
            if age >= 15:
                self._tuberculosis()
        record.last_activity_on = self.last

    # -- dates

    def _opened_on(self) -> dt.date:
        p, rng = self.p, self.rng
        if age_on(p.birth_date, self.gen.as_of) < 7:
            return min(p.birth_date + dt.timedelta(days=rng.randint(3, 40)), self.end)
        # Files were opened in drives from 2009 on; some this year.
        first = max(dt.date(2009, 6, 1), p.birth_date + dt.timedelta(days=30))
        span = (self.gen.as_of - first).days
        return first + dt.timedelta(days=int(span * rng.random() ** 0.6))

    def day_between(self, a: dt.date, b: dt.date) -> dt.date:
        return a + dt.timedelta(days=self.rng.randint(0, max(0, (b - a).days)))

    def signed_at(self, day: dt.date) -> dt.datetime:
        minutes = self.rng.randint(8 * 60, 17 * 60 + 30)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=CHINA)

    # -- rows

    def form(self, kind: str, day: dt.date, build, *, programme: int | None = None) -> int | None:
        """Add a signed form of `kind` dated `day` if its spec has landed. Derived
        values (scores, BMI) are stored as signing would store them."""
        spec = self.gen.specs.get(kind)
        if spec is None or day > self.end:
            return None
        data = build()
        if data is None:
            return None
        if spec.derive is not None:
            data.update({k: v for k, v in spec.derive(data).items() if v is not None})
        self.batch.forms.append(
            FormRow(
                person=self.p.id,
                village=self.p.village,
                kind=kind,
                data=data,
                programme=programme,
                signed_at=self.signed_at(day),
            )
        )
        self.last = max(self.last, day)
        return len(self.batch.forms) - 1

    def inject(self, kind: str, problem: str, form: int | None = None) -> None:
        self.batch.injected.append(Injected(self.p.id, kind, problem, form))

    def programme(self, kind: str, registered_on: dt.date, **details) -> int:
        row = ProgrammeRow(
            person=self.p.id,
            village=self.p.village,
            kind=kind,
            registered_on=registered_on,
            details=details,
        )
        if self.p.death_date and self.p.death_date <= self.gen.as_of:
            row.ended_on, row.end_reason = self.p.death_date, "死亡"
        self.batch.programmes.append(row)
        return len(self.batch.programmes) - 1
