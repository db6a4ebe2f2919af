"""Uploading a plan through the page: every problem listed at once, nothing written."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huimin.audit.models import AuditEvent
from huimin.insurance.models import BenefitPlan
from tests.insurance.conftest import example_plan_text
from tests.insurance.officer_support import cashier


def next_year_text(**replacements) -> str:
    text = example_plan_text().replace("year: 2026", "year: 2027")
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text


def counts():
    return BenefitPlan.objects.count(), AuditEvent.objects.count()


def test_a_bad_document_lists_every_problem_and_writes_nothing(client, insured):
    bad = (
        example_plan_text()
        .replace("year: 2026", 'year: "abc"')
        .replace('"2": "0.80"', '"2": "1.50"')
        .replace('annual_cap: "150000.00"', 'annual_cap: "-5"')
    )
    client.force_login(insured.officer)
    before = counts()
    r = client.post(reverse("insurance:plan_upload"), {"document": bad})
    assert r.status_code == 422
    problems = dict(r.context["problems"])
    assert set(problems) == {"year", "basic.annual_cap", "basic.visit_types.inpatient.ratio.2"}
    assert problems["basic.visit_types.inpatient.ratio.2"] == "比例须在0到1之间"
    page = r.content.decode()
    assert "共发现 3 处问题" in page and "basic.visit_types.inpatient.ratio.2" in page
    assert counts() == before
    # What was typed is kept for correcting.
    assert "year: &quot;abc&quot;" in page


def test_broken_yaml_is_refused_with_its_reason(client, insured):
    client.force_login(insured.officer)
    before = counts()
    r = client.post(reverse("insurance:plan_upload"), {"document": "plan: [unclosed"})
    assert r.status_code == 422
    assert "YAML格式错误" in dict(r.context["problems"])["plan"]
    assert counts() == before


def test_an_empty_or_undecodable_upload_is_refused(client, insured):
    client.force_login(insured.officer)
    before = counts()
    r = client.post(reverse("insurance:plan_upload"), {"document": "   "})
    assert r.status_code == 422
    latin = SimpleUploadedFile("plan.yaml", "plan: 'é'".encode("latin-1"))
    r = client.post(reverse("insurance:plan_upload"), {"file": latin})
    assert r.status_code == 422 and "UTF-8" in r.content.decode()
    assert counts() == before


def test_a_good_document_becomes_a_draft_awaiting_another_officer(client, insured):
    client.force_login(insured.officer)
    r = client.post(
        reverse("insurance:plan_upload"), {"document": next_year_text(), "note": "提标"}
    )
    plan = BenefitPlan.objects.get(year=2027)
    assert r.status_code == 302 and r["Location"] == reverse(
        "insurance:plan_detail", args=[plan.pk]
    )
    assert (plan.status, plan.uploaded_by, plan.note) == ("draft", insured.officer, "提标")
    assert AuditEvent.objects.filter(
        action="create", object_type="insurance.plan", object_id=str(plan.pk)
    ).exists()


def test_a_file_upload_works_like_pasting(client, insured):
    client.force_login(insured.officer)
    upload = SimpleUploadedFile("plan-2027.yaml", next_year_text().encode("utf-8"))
    r = client.post(reverse("insurance:plan_upload"), {"file": upload})
    assert r.status_code == 302
    assert BenefitPlan.objects.filter(year=2027, status="draft").count() == 1


def test_a_plan_for_another_county_is_refused(client, insured):
    client.force_login(insured.officer)
    before = counts()
    other = next_year_text().replace('region: "430522"', 'region: "430523"')
    r = client.post(reverse("insurance:plan_upload"), {"document": other})
    assert r.status_code == 403
    assert "不在您的辖区内" in r.content.decode()
    assert counts() == before


def test_a_cashier_may_not_upload(client, insured):
    client.force_login(cashier(insured))
    before = counts()
    assert client.get(reverse("insurance:plan_upload")).status_code == 403
    r = client.post(reverse("insurance:plan_upload"), {"document": next_year_text()})
    assert r.status_code == 403
    assert counts() == before


def test_a_misspelt_key_or_group_is_refused_not_dropped(client, insured):
    # Read leniently, `anual_limit` would lift the outpatient limit, `assistence` would
    # drop medical assistance and `dibaoo` the dibao bonus, all without a word.
    bad = (
        example_plan_text()
        .replace('      annual_limit: "300.00"', '      anual_limit: "300.00"')
        .replace("\nassistance:", "\nassistence:")
        .replace("  dibao: {deductible_factor", "  dibaoo: {deductible_factor")
    )
    client.force_login(insured.officer)
    before = counts()
    r = client.post(reverse("insurance:plan_upload"), {"document": bad})
    assert r.status_code == 422
    problems = dict(r.context["problems"])
    assert set(problems) == {
        "basic.visit_types.outpatient_general.anual_limit",
        "assistence",
        "groups.dibaoo",
    }
    assert "拼写错误" in problems["assistence"] and "assistance" in problems["assistence"]
    assert "未知的人员类别" in problems["groups.dibaoo"]
    assert counts() == before


def test_the_settle_command_still_reads_a_plan_leniently():
    # DESIGN.md §5's reader: keys it does not know are ignored, as before.
    from huimin.insurance.plan import PlanError, load_plan_yaml

    text = example_plan_text() + "\nremarks: 试行\n"
    assert load_plan_yaml(text).year == 2026
    try:
        load_plan_yaml(text, strict=True)
    except PlanError as exc:
        assert set(exc.problems) == {"remarks"}
    else:
        raise AssertionError("a strict read refuses an unknown key")
