"""terms_on and resolve_codes cost one query each, however many codes a claim has."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from huimin.insurance.catalog import services
from huimin.insurance.catalog.models import InstitutionItemMap
from tests.catalog.conftest import make_item, terms

D = datetime.date


def service_code(n: int) -> str:
    return f"0012{n:06d}00000"


def populate(n: int) -> list[str]:
    codes = []
    for i in range(n):
        code = service_code(i)
        make_item(
            code,
            "service",
            [
                (D(2020, 1, 1), D(2025, 12, 31), terms(f"项目{i}", "A", ceiling=Decimal(10))),
                (D(2026, 1, 1), None, terms(f"项目{i}", "A", ceiling=Decimal(12))),
            ],
        )
        codes.append(code)
    return codes


def queries(fn) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx.captured_queries), result


def test_terms_on_is_one_query(db):
    codes = populate(40)
    few, got = queries(lambda: services.terms_on(codes[:2], D(2026, 3, 1)))
    many, got_many = queries(lambda: services.terms_on(codes, D(2025, 3, 1)))
    assert few == many == 1
    assert len(got) == 2 and len(got_many) == 40
    assert set(got_many) == set(codes)
    assert {v.ceiling for v in got_many.values()} == {Decimal(10)}


def test_resolve_codes_is_one_query(hospital):
    codes = populate(30)
    for i, code in enumerate(codes):
        InstitutionItemMap.objects.create(
            institution=hospital,
            local_code=f"H{i:04d}",
            local_name=f"本院项目{i}",
            item_id=services.get_item(code).pk,
            status="approved",
            reviewed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        )
    given = [f"H{i:04d}" for i in range(30)] + codes[:5]
    n, resolved = queries(lambda: services.resolve_codes(hospital.pk, given))
    assert n == 1
    assert resolved["H0007"] == codes[7]
    assert resolved[codes[3]] == codes[3]  # a national code passes through
