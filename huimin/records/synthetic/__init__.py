"""Synthetic health records for demos and benchmarks, deterministic from a seed.

Pure: from people rows already in the registry (id, sex, birth date, death date,
village), a seed, the year and its reference date ("today"), `RecordsGenerator` yields
plain rows per village — records, programmes and forms — and `synthetic_writer` is the
only part that touches the database (the registry's generator has the same split).

Shape (rural county, national basic public-health service orders of magnitude):

* about 85% of residents have a file (children nearly all, young migrants fewer), each
  with a 个人基本信息表 from the day it was opened; deceased residents' files are closed
  on the death date;
* hypertension registered for about 15% of adults with a file and type-2 diabetes for
  about 4%, rising with age; each patient followed up about every 90 days through the
  year up to the reference date, the next visit asked for about 90 days later, so
  some are overdue today (chronic.py);
* 0–6-year-olds in child care with immunisations (children.py): discharge date at
  registration, the newborn visit within 7 days of it (a second for high-risk
  newborns), haemoglobin, hearing and vision by age; women 20–40 with pregnancies,
  open or delivered this year (maternal.py), the postpartum visit within 7 days of
  discharge; adults notified with tuberculosis and managed through their course
  (tuberculosis.py). Each has its non-compliant cases injected (see those modules);
* everyone 65+ in elderly care; most of them, and most HTN/DM patients, with this
  year's health check, the 65+ also with self-care assessment and TCM constitution
  identification (elderly.py); about 0.4% of adults in severe mental illness
  management with quarterly follow-ups (mental.py).

Forms of a kind are made only when its spec is in `specs`. Every clean form passes
`clean(spec, data, ctx, final=True)`. Quality problems are injected at realistic rates
(problems.py) and listed in `RecordBatch.injected`, so a test can count them.
"""

from huimin.records.synthetic.base import (
    CHINA,
    DEFAULT_SEED,
    FormRow,
    Injected,
    PersonIn,
    ProgrammeRow,
    RecordBatch,
    RecordRow,
    add_months,
    age_on,
    form_columns,
    village_doctor_name,
)
from huimin.records.synthetic.people import RecordsGenerator
from huimin.records.synthetic.problems import FAILS_CLEAN

__all__ = [
    "CHINA",
    "DEFAULT_SEED",
    "FAILS_CLEAN",
    "FormRow",
    "Injected",
    "PersonIn",
    "ProgrammeRow",
    "RecordBatch",
    "RecordRow",
    "RecordsGenerator",
    "add_months",
    "age_on",
    "form_columns",
    "village_doctor_name",
]
