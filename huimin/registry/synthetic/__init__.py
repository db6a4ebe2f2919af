"""A synthetic county for demos, tests and benchmarks, deterministic from a seed.

Two halves:

* `CountyGenerator` is pure: from (county, residents, seed, as-of date) and one
  `random.Random(seed)` it plans townships, villages and institutions, then yields
  households village by village as plain dataclass rows. Same inputs, same rows, on any
  machine — tests compare two runs without a database.
* `write_county` is the only part that touches the database: bulk inserts in batches,
  all inside one transaction, so an interrupted run leaves nothing half-written.

Demographic shape (rural central China, 2020 census orders of magnitude): households
of 1-7 people, mean about 3; about 22% aged 60+, about 16% under 15; three-generation
and "left-behind" (grandparents with grandchildren) households; spouses mostly married
in from the same county. A person's ID number carries the address code in force when
it was issued (DESIGN.md §3) and is unique per (address, birth date, sex) through its
sequence digits.
"""

from huimin.registry.synthetic.county import CountyGenerator, generate_all
from huimin.registry.synthetic.pools import make_credit_code, name_pinyin
from huimin.registry.synthetic.rows import (
    DEATH_REASON,
    DEATH_WINDOW_YEARS,
    DEFAULT_COUNTY,
    DEFAULT_RESIDENTS,
    DEFAULT_SEED,
    DUPLICATE_RATE,
    SOURCE,
    CategoryRow,
    HouseholdRow,
    InstitutionRow,
    MemberRow,
    PersonRow,
    RegionRow,
    VillageBatch,
)
from huimin.registry.synthetic.writer import WriteResult, write_county

__all__ = [
    "DEATH_REASON",
    "DEATH_WINDOW_YEARS",
    "DEFAULT_COUNTY",
    "DEFAULT_RESIDENTS",
    "DEFAULT_SEED",
    "DUPLICATE_RATE",
    "SOURCE",
    "CategoryRow",
    "CountyGenerator",
    "HouseholdRow",
    "InstitutionRow",
    "MemberRow",
    "PersonRow",
    "RegionRow",
    "VillageBatch",
    "WriteResult",
    "generate_all",
    "make_credit_code",
    "name_pinyin",
    "write_county",
]
