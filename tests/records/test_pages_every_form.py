"""Every form of the specification renders through the generic page, takes a draft,
and shows it again (sections, code lists, repeatable rows, derived fields)."""

import datetime

import pytest
from django.urls import reverse

from huimin.records import services
from huimin.records.forms import SPECS
from huimin.records.models import Form
from tests import factories

PER_PERSON = sorted(kind for kind, spec in SPECS.items() if spec.per_person)


@pytest.mark.parametrize("kind", PER_PERSON)
def test_every_form_renders_and_keeps_a_draft(client, village_doctor, kind):
    spec = SPECS[kind]
    child = spec.max_age is not None and spec.max_age < 18
    person = factories.make_person(
        f"测试{len(kind)}",
        sex="2" if spec.sexes and "2" in spec.sexes else "1",
        birth=datetime.date(2025, 6, 1) if child else datetime.date(1990, 2, 3),
    )
    record = services.do_open_record(village_doctor, person.pk)
    client.force_login(village_doctor)
    url = reverse("records:form_new", args=[record.pk, kind])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for field in spec.fields:
        if field.kind == "rows":
            assert f'name="{field.name}.0.{field.rows[0].name}"' in html
        elif not field.derived:
            assert f'name="{field.name}"' in html, field.name
    assert len(page.content) < 60_000
    text = next(f for f in spec.fields if f.kind == "text" and not f.derived)
    response = client.post(url, {text.name: "草稿内容", "action": "draft"})
    assert response.status_code in (200, 302)
    form = Form.objects.get(record=record, kind=kind)
    assert form.data[text.name] == "草稿内容"
    shown = client.get(reverse("records:form", args=[form.pk])).content.decode()
    assert 'value="草稿内容"' in shown
