"""A change creates a new version; versions never overlap; each date has its version."""

import datetime
import itertools
from decimal import Decimal

import pytest

from huimin.core.errors import ValidationFailed
from huimin.insurance.catalog import services
from huimin.insurance.catalog.models import CatalogVersion
from tests.catalog.conftest import DRUG_B, make_item, terms

D = datetime.date


def spans(code=DRUG_B):
    return list(
        CatalogVersion.objects.filter(item__code=code)
        .order_by("effective_from")
        .values_list("effective_from", "effective_to", "ceiling")
    )


def assert_no_overlaps(code=DRUG_B):
    rows = spans(code)
    for (_, end, _), (start, _, _) in itertools.pairwise(rows):
        assert end is not None and end < start


def test_a_change_closes_the_open_version_the_day_before(officer):
    make_item(versions=[(D(2020, 1, 1), None, terms(ceiling=Decimal(88)))])
    services.do_add_version(officer, DRUG_B, terms(ceiling=Decimal(85)), D(2026, 1, 1))
    assert spans() == [
        (D(2020, 1, 1), D(2025, 12, 31), Decimal(88)),
        (D(2026, 1, 1), None, Decimal(85)),
    ]
    assert_no_overlaps()


def test_a_version_that_ends_after_the_new_start_is_cut_short(officer):
    make_item(versions=[(D(2020, 1, 1), D(2030, 12, 31), terms(ceiling=Decimal(88)))])
    services.do_add_version(officer, DRUG_B, terms(ceiling=Decimal(85)), D(2026, 7, 1))
    assert spans()[0][1] == D(2026, 6, 30)
    assert_no_overlaps()


def test_a_version_ended_before_the_new_start_is_left_alone(officer):
    make_item(versions=[(D(2020, 1, 1), D(2022, 12, 31), terms(ceiling=Decimal(88)))])
    services.do_add_version(officer, DRUG_B, terms(ceiling=Decimal(85)), D(2026, 1, 1))
    assert spans()[0][1] == D(2022, 12, 31)
    assert services.version_on(DRUG_B, D(2024, 1, 1)) is None  # the gap stays a gap


@pytest.mark.parametrize("start", [D(2026, 1, 1), D(2025, 6, 1)])
def test_a_version_starting_on_or_before_the_latest_is_refused(amino, officer, start):
    before = spans()
    with pytest.raises(ValidationFailed) as exc:
        services.do_add_version(officer, DRUG_B, terms(ceiling=Decimal(80)), start)
    assert "须晚于" in exc.value.fields["effective_from"]
    assert spans() == before


def test_an_unchanged_version_is_refused(amino, officer):
    before = spans()
    with pytest.raises(ValidationFailed):
        services.do_add_version(officer, DRUG_B, terms(ceiling=Decimal(85)), D(2027, 1, 1))
    assert spans() == before


def test_the_version_in_force_on_a_date(amino):
    assert services.version_on(DRUG_B, D(2019, 12, 31)) is None
    assert services.version_on(DRUG_B, D(2020, 1, 1)).ceiling == Decimal(88)
    assert services.version_on(DRUG_B, D(2025, 12, 31)).ceiling == Decimal(88)
    assert services.version_on(DRUG_B, D(2026, 1, 1)).ceiling == Decimal(85)
    assert services.version_on(DRUG_B, D(2099, 1, 1)).ceiling == Decimal(85)
    assert services.version_on("XNOSUCHCODE0000000000000", D(2026, 1, 1)) is None


def test_a_claim_dated_before_a_change_gets_the_old_ceiling(amino):
    """Settled on its own date: the 2025 visit at 88.00, the 2026 one at 85.00."""
    from huimin.insurance.engine import ClaimLine

    def priced(day):
        v = services.terms_on([DRUG_B], day)[DRUG_B]
        return ClaimLine(
            code=DRUG_B,
            name=v.name,
            cls=v.item_class,
            quantity=Decimal(10),
            unit_price=Decimal("92.00"),
            ceiling=v.ceiling,
            b_self_ratio=v.b_self_ratio,
        )

    assert priced(D(2025, 12, 20)).ceiling == Decimal(88)
    assert priced(D(2026, 3, 2)).ceiling == Decimal(85)


def test_only_catalog_managers_change_the_catalog(amino, cashier):
    before = spans()
    from huimin.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.do_add_version(cashier, DRUG_B, terms(ceiling=Decimal(1)), D(2027, 1, 1))
    assert spans() == before


def test_database_refuses_overlapping_starts_and_backwards_dates(amino):
    from django.db import IntegrityError, transaction

    item = amino
    with pytest.raises(IntegrityError), transaction.atomic():
        CatalogVersion.objects.create(
            item=item, name="x", pinyin="x", item_class="A", effective_from=D(2026, 1, 1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CatalogVersion.objects.create(
            item=item,
            name="x",
            pinyin="x",
            item_class="A",
            effective_from=D(2027, 1, 2),
            effective_to=D(2027, 1, 1),
        )
