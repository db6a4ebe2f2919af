"""A plan's page compares it side by side with last year's, changed values marked."""

from decimal import Decimal as D

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huimin.insurance import plans
from tests.insurance.test_officer_plan_upload import next_year_text


def test_changed_values_are_marked_against_last_years_plan(client, insured):
    draft = plans.do_upload_plan(
        insured.officer,
        next_year_text(
            **{'"2": "0.80"': '"2": "0.85"', 'individual: "400.00"': 'individual: "420.00"'}
        ),
    )
    client.force_login(insured.second_officer)
    r = client.get(reverse("insurance:plan_detail", args=[draft.pk]))
    assert r.context["previous"].pk == insured.plan.pk
    changed = {
        row["item"]: (row["old"], row["new"]) for row in r.context["comparison"] if row["changed"]
    }
    assert {k: (str(a), str(b)) for k, (a, b) in changed.items()} == {
        "住院 2级 报销比例": ("0.80", "0.85"),
        "个人缴费": ("400.00", "420.00"),
    }
    items = [row["item"] for row in r.context["comparison"]]
    assert "住院 异地就医 报销比例" in items and "两病门诊 年度限额" in items
    page = r.content.decode()
    assert "2 项变化" in page
    assert page.count('class="changed"') == 2
    assert "<strong>0.85</strong>" in page


def test_without_last_years_plan_the_page_says_so(client, insured):
    client.force_login(insured.officer)
    r = client.get(reverse("insurance:plan_detail", args=[insured.plan.pk]))
    assert r.context["previous"] is None
    page = r.content.decode()
    assert "2025 年度无方案" in page and 'class="changed"' not in page


def test_the_plan_list_costs_the_same_for_more_plans(client, insured):
    client.force_login(insured.officer)
    url = reverse("insurance:plan_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for year in (2027, 2028, 2029):
        plans.do_upload_plan(insured.officer, next_year_text(**{"year: 2027": f"year: {year}"}))
    with CaptureQueriesContext(connection) as more:
        r = client.get(url)
    assert len(r.context["plans"]) == 4
    assert len(more.captured_queries) == len(few.captured_queries)


def test_every_tier_and_group_is_compared_and_a_dropped_tier_shows(client, insured):
    # A correction of this year's plan: dibao's assistance ratio raised, the
    # critical-illness tier left out. It is read against the plan it would replace.
    text = (
        next_year_text()
        .replace("year: 2027", "year: 2026")
        .replace('dibao: {ratio: "0.70"', 'dibao: {ratio: "0.75"')
    )
    text = text[: text.index("\ncritical_illness:")] + text[text.index("\nassistance:") :]
    draft = plans.do_upload_plan(insured.officer, text)
    client.force_login(insured.second_officer)
    r = client.get(reverse("insurance:plan_detail", args=[draft.pk]))
    assert r.context["previous"].pk == insured.plan.pk  # the same year's plan in force
    changed = {
        row["item"]: (row["old"], row["new"]) for row in r.context["comparison"] if row["changed"]
    }
    assert changed["医疗救助 低保对象（dibao） 救助比例"] == (D("0.70"), D("0.75"))
    assert changed["大病保险"] == ("有", "无")
    assert changed["大病保险第3段比例"] == (D("0.70"), None)
    items = [row["item"] for row in r.context["comparison"]]
    assert "特困人员（tekun） 起付线系数" in items
    assert "低保对象（dibao） 个人缴费由救助代缴比例" in items
    assert "与本年度现行方案对比" in r.content.decode()
