"""A bank batch page's cursor with a superscript digit shows the first page, not a 500."""

from django.urls import reverse

from huimin.insurance.enrollment import bank
from tests.enrollment.conftest import YEAR
from tests.enrollment.test_bank_batch_import import TODAY, csv_bytes, id_of, village  # noqa: F401


def test_a_superscript_cursor_shows_the_first_page(client, officer, village):  # noqa: F811
    # str.isdigit() takes "1²" for digits and int() then failed: a 500.
    content = csv_bytes([(id_of(village["father"]), "王父", "400.00", "T1", "2026-01-10")])
    batch = bank.do_import_bank_batch(officer, YEAR, "bank.csv", content, today=TODAY)
    client.force_login(officer)
    response = client.get(reverse("enrollment:bank_batch", args=[batch.pk]), {"after": "1²"})
    assert response.status_code == 200
    assert [p.bank_txn_no for p in response.context["payments"]] == ["T1"]
