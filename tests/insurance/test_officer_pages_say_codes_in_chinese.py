"""Officer pages name people's categories, journal sources and visit types in Chinese, not
by the codes stored (dibao, "settlement 12 reverse", inpatient)."""

import re

from django.urls import reverse

from huimin.insurance import plans
from huimin.insurance.services import clearing
from huimin.insurance.services.reversal import do_reverse
from tests import factories
from tests.insurance.officer_support import settle_outpatient
from tests.insurance.test_officer_plan_upload import next_year_text


def text_of(response) -> str:
    """What the page says, without markup (attribute values are not read aloud)."""
    return re.sub(r"<[^>]+>", " ", response.content.decode())


def test_settlement_detail_names_the_persons_category(client, insured):
    s = settle_outpatient(insured, "MZ1")  # the insured person is dibao
    client.force_login(insured.officer)
    page = text_of(client.get(reverse("insurance:settlement_detail", args=[s.pk])))
    assert "（低保对象）" in page and "dibao" not in page


def test_journal_sources_are_named(client, insured):
    settled = settle_outpatient(insured, "MZ1")
    settle_outpatient(insured, "MZ2")
    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    clearing.do_approve_clearing(insured.officer, batch.pk)
    clearing.do_confirm_clearing(insured.second_officer, batch.pk)
    do_reverse(insured.hospital, settled.pk, "r1", "收费项目录错")
    client.force_login(insured.officer)
    page = text_of(
        client.get(reverse("insurance:ledger_entries"), {"region": factories.COUNTY, "year": 2026})
    )
    for said in ("结算 ", "冲正", "清算批次 ", "拨付定点医疗机构", "参保缴费 ", "个人缴费"):
        assert said in page, said
    for code in ("settlement", "reverse", "clearing", "payment", "enrollment", "contribution"):
        assert code not in page, code


def test_plan_comparison_names_the_critical_illness_visit_types(client, insured):
    draft = plans.do_upload_plan(insured.officer, next_year_text())
    client.force_login(insured.second_officer)
    r = client.get(reverse("insurance:plan_detail", args=[draft.pk]))
    row = next(x for x in r.context["comparison"] if x["item"] == "大病保险计入的就诊类型")
    assert (row["old"], row["new"]) == ("住院", "住院")
    assert "inpatient" not in text_of(r).split("方案原文")[0]
