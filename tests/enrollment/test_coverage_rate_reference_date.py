"""参保率 counts the residents living on the year's reference date, 1 January: someone
who died before it or was born after it is not in the denominator; someone who died
later in the year still is (and counts as insured if they paid). Enrolled and insured
count only those residents, so the rate never exceeds what the denominator allows.

Village 0 for 2026 (reference 2026-01-01), worked by hand:
  王父 owes, 王母 paid, 王奶奶 paid (tekun)          residents 3, enrolled 3, paid 2
  故甲 died 2025-12-31 (before)                     not counted
  故乙 died 2026-01-01 (that day: alive on it)      resident, not enrolled
  故丙 paid for 2026, died 2026-06-30               resident, enrolled, paid
  新生 born 2026-03-15 (after)                      not counted
  → residents 5, enrolled 4, insured 3: 3 / 5 = 60.00%
For 2027 (reference 2027-01-01) 故乙 and 故丙 are gone and 新生 is counted:
  → residents 4 (王父, 王母, 王奶奶, 新生), insured 0: 0.00%
"""

import datetime

from django.urls import reverse

from huimin.insurance.enrollment import services
from huimin.registry.models import Person
from tests import factories
from tests.enrollment.helpers import enroll, pay_cash

D = datetime.date
V0 = factories.VILLAGES[0]


def test_the_denominator_is_who_lived_on_1_january(client, officer, period, family):
    enrolled = enroll(officer, family["household"])
    pay_cash(officer, enrolled[family["mother"].pk])
    factories.make_person("故甲", birth=D(1930, 1, 1), death_date=D(2025, 12, 31))
    factories.make_person("故乙", birth=D(1931, 1, 1), death_date=D(2026, 1, 1))
    bing = factories.make_person("故丙", birth=D(1932, 1, 1))
    factories.make_household(bing)
    pay_cash(
        officer,
        enroll(officer, bing.memberships.get().household)[bing.pk],
        receipt="R0002",
        key="k-2",
    )
    Person.objects.filter(pk=bing.pk).update(death_date=D(2026, 6, 30))
    factories.make_person("新生", birth=D(2026, 3, 15))

    rows, total = services.progress(officer, 2026, factories.TOWNSHIPS[0])
    v0 = {r.code: r for r in rows}[V0]
    assert (v0.residents, v0.enrolled, v0.insured, str(v0.rate)) == (5, 4, 3, "60.00")
    assert (total.residents, total.insured, str(total.rate)) == (5, 3, "60.00")

    rows, _ = services.progress(officer, 2027, factories.TOWNSHIPS[0])
    v0 = {r.code: r for r in rows}[V0]
    assert (v0.residents, v0.enrolled, v0.insured, str(v0.rate)) == (4, 0, 0, "0.00")

    # The page shows the same figures.
    client.force_login(officer)
    r = client.get(reverse("enrollment:progress"), {"year": 2026, "region": factories.TOWNSHIPS[0]})
    assert "60.00%" in r.content.decode()
