"""The settlement CSV export with a bad filter: 422 with the field errors the list shows,
no file and no export audited."""

from django.urls import reverse

from huimin.audit.models import AuditEvent
from tests.insurance.officer_support import settle_outpatient


def test_a_bad_filter_is_422_with_the_fields_reasons(client, insured):
    settle_outpatient(insured, "MZ1")
    client.force_login(insured.officer)
    query = {"date_from": "2026-11-01", "date_to": "2026-11-30", "total_min": "abc"}
    listed = client.get(reverse("insurance:settlement_list"), query)
    r = client.get(reverse("insurance:settlement_export"), query)
    assert r.status_code == 422
    assert r["Content-Type"].startswith("text/html")
    html = r.content.decode()
    assert listed.context["error"]["fields"] == r.context["error"]["fields"]
    label, reason = next(iter(r.context["error"]["fields"].items()))
    assert f"{label}：{reason}" in html and "不存在" not in html
    assert not AuditEvent.objects.filter(action="export").exists()
