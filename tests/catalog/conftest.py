import datetime
from decimal import Decimal

import pytest

from huimin.insurance.catalog import rules
from huimin.insurance.catalog.models import CatalogItem, CatalogVersion
from tests import factories

DRUG = "XC01EBL134A001010101445"
DRUG_B = "XB05BAA015B002010100445"
SERVICE = "001102000010000"
CONSUMABLE = "C02010100001000100019100001"
LOCAL = "ZZ0000000000000001"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # The hash's cost is not what these tests are about.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client():
    """force_login also completes the second factor (the officer's role requires one)."""
    from huimin.accounts.testing import VerifiedClient

    return VerifiedClient()


def terms(name="复方氨基酸注射液", item_class="B", **over) -> rules.Terms:
    values = {"name": name, "item_class": item_class, "unit": "瓶"}
    values.update(over)
    return rules.Terms(**values)


def make_item(code=DRUG_B, kind="drug", versions=None) -> CatalogItem:
    """An item with versions given as (effective_from, effective_to, Terms)."""
    item = CatalogItem.objects.create(code=code, kind=kind)
    for start, end, t in versions or [(datetime.date(2020, 1, 1), None, terms())]:
        CatalogVersion.objects.create(
            item=item,
            name=t.name,
            pinyin=t.pinyin,
            item_class=t.item_class,
            unit=t.unit,
            ceiling=t.ceiling,
            b_self_ratio=t.b_self_ratio,
            sex=t.sex,
            age_min=t.age_min,
            age_max=t.age_max,
            institution_levels=rules.levels_text(t.allowed_levels),
            max_quantity_per_day=t.max_quantity_per_day,
            restricted_use=t.restricted_use,
            effective_from=start,
            effective_to=end,
        )
    return item


@pytest.fixture
def amino(db):
    """复方氨基酸注射液: ceiling 88.00 until 2025-12-31, 85.00 from 2026-01-01."""
    return make_item(
        DRUG_B,
        "drug",
        [
            (datetime.date(2020, 1, 1), datetime.date(2025, 12, 31), terms(ceiling=Decimal(88))),
            (datetime.date(2026, 1, 1), None, terms(ceiling=Decimal(85))),
        ],
    )


@pytest.fixture
def officer2(county):
    return factories.make_staff("officer2", "insurance_officer", factories.COUNTY)


@pytest.fixture
def hospital(county):
    return factories.make_institution()


@pytest.fixture
def other_hospital(county):
    return factories.make_institution("邵阳县人民医院", region="430523")


@pytest.fixture
def cashier(hospital):
    return factories.make_staff("cashier", "cashier", factories.COUNTY, institution=hospital)
