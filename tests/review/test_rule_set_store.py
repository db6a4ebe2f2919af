"""Rule sets stored per region and year: uploaded whole or refused whole with every
problem named, activated by a second officer only (superseding the set in force),
rejected with a reason, every step audited; real time reads the set in force."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from huimin.audit.models import AuditEvent
from huimin.core.errors import PermissionDenied, ValidationFailed
from huimin.review import rule_sets
from huimin.review.models import ReviewRuleSet
from tests import factories

COUNTY = factories.COUNTY


@pytest.fixture
def officers(county):
    return (
        factories.make_staff("officer", "insurance_officer", COUNTY),
        factories.make_staff("officer2", "insurance_officer", COUNTY),
    )


def document(year=2026, **replace) -> str:
    text = rule_sets.default_document(COUNTY, year, "新邵县")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


# The four bad inputs of the issue, each as the office would type it.
NEGATIVE_WINDOW = {"window_days: 15": "window_days: -15"}
MISSING_PARAMETER = {"      tolerance_days: 0\n": "      {}\n"}
UNKNOWN_RULE = {"code: low_standard_admission": "code: low_standard_admision"}
BAD_WEIGHT = {
    'weight: "8"\n    params:\n      kinds': 'weight: "八"\n    params:\n      kinds',
}


@pytest.mark.parametrize(
    ("changes", "path", "reason"),
    [
        (NEGATIVE_WINDOW, "rules.split_admission.params.window_days", "不能为负数"),
        (MISSING_PARAMETER, "rules.day_items_beyond_stay.params.tolerance_days", "缺少此参数"),
        (UNKNOWN_RULE, "rules[7].code", "未知的规则编码“low_standard_admision”"),
        (BAD_WEIGHT, "rules.duplicate_charge.weight", "权重应为非负数值"),
    ],
    ids=["negative-window", "missing-parameter", "unknown-rule", "weight-not-parsed"],
)
def test_a_bad_rule_set_is_refused_on_the_page_naming_the_rule_and_parameter(
    client, officers, changes, path, reason
):
    client.force_login(officers[0])
    events = AuditEvent.objects.count()
    r = client.post(reverse("review:rule_set_upload"), {"document": document(**changes)})
    assert r.status_code == 422
    page = r.content.decode()
    assert "规则集未上传" in page and path in page and reason in page
    assert not ReviewRuleSet.objects.exists()
    assert AuditEvent.objects.count() == events


def test_every_problem_is_reported_at_once_by_the_service(officers):
    text = document(**NEGATIVE_WINDOW, **MISSING_PARAMETER, **UNKNOWN_RULE, **BAD_WEIGHT)
    with pytest.raises(ValidationFailed) as refused:
        rule_sets.do_upload_rule_set(officers[0], text)
    assert set(refused.value.fields) == {
        "document.rules.split_admission.params.window_days",
        "document.rules.day_items_beyond_stay.params.tolerance_days",
        "document.rules[7].code",
        "document.rules.duplicate_charge.weight",
    }
    assert refused.value.code == "rule_set_invalid"
    assert not ReviewRuleSet.objects.exists()


def test_upload_then_activation_by_another_officer_through_the_pages(client, officers):
    uploader, reviewer = officers
    client.force_login(uploader)
    r = client.post(reverse("review:rule_set_upload"), {"document": document(), "note": "首版"})
    assert r.status_code == 302
    row = ReviewRuleSet.objects.get()
    assert (row.status, row.region_code, row.year, row.uploaded_by) == (
        "draft",
        COUNTY,
        2026,
        uploader,
    )
    assert AuditEvent.objects.filter(
        object_type="review.rule_set", object_id=str(row.pk), action="create"
    ).exists()

    detail = client.get(reverse("review:rule_set_detail", args=[row.pk])).content.decode()
    assert "须由另一位审核规则管理人员复核启用" in detail
    assert reverse("review:rule_set_activate", args=[row.pk]) not in detail
    assert "split_admission" in detail  # the document itself is shown

    r = client.post(reverse("review:rule_set_activate", args=[row.pk]))
    assert r.status_code == 403 and "上传人不能启用" in r.content.decode()
    row.refresh_from_db()
    assert row.status == "draft" and row.activated_by is None

    client.force_login(reviewer)
    assert (
        reverse("review:rule_set_activate", args=[row.pk])
        in client.get(reverse("review:rule_set_detail", args=[row.pk])).content.decode()
    )
    r = client.post(reverse("review:rule_set_activate", args=[row.pk]))
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.status == "active" and row.activated_by == reviewer
    assert AuditEvent.objects.filter(
        object_type="review.rule_set", object_id=str(row.pk), action="approve", actor=reviewer
    ).exists()
    listing = client.get(reverse("review:rule_sets")).content.decode()
    assert row.name in listing and "生效" in listing


def test_activating_supersedes_the_set_in_force_and_real_time_reads_the_new_one(officers):
    uploader, reviewer = officers
    first = rule_sets.do_activate_rule_set(
        reviewer, rule_sets.do_upload_rule_set(uploader, document()).pk
    )
    village = factories.VILLAGES[0]
    assert (
        rule_sets.active_rule_set(village, 2026).rules["split_admission"].params["window_days"]
        == 15
    )
    second_doc = document(**{"window_days: 15": "window_days: 20"}).replace(
        "智能审核规则2026年度", "智能审核规则2026年度（修订）", 1
    )
    second = rule_sets.do_upload_rule_set(reviewer, second_doc)
    rule_sets.do_activate_rule_set(uploader, second.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "active")
    in_force = rule_sets.active_rule_set(village, 2026)
    assert in_force.rules["split_admission"].params["window_days"] == 20
    assert in_force.name.endswith("（修订）")


def test_without_an_active_set_the_shipped_default_is_used_and_says_so(officers):
    fallback = rule_sets.active_rule_set(factories.VILLAGES[0], 2027)
    assert "未启用本地规则集" in fallback.name
    assert (fallback.region, fallback.year) == (COUNTY, 2027)
    assert set(fallback.rules) == set(rule_sets.default_rule_set().rules)


def test_the_uploader_cannot_activate_through_the_service_either(officers):
    row = rule_sets.do_upload_rule_set(officers[0], document())
    with pytest.raises(PermissionDenied):
        rule_sets.do_activate_rule_set(officers[0], row.pk)


def test_rejecting_takes_a_reason_and_is_audited(client, officers):
    row = rule_sets.do_upload_rule_set(officers[0], document())
    client.force_login(officers[1])
    r = client.post(reverse("review:rule_set_reject", args=[row.pk]), {"reason": " "})
    assert r.status_code == 422 and "退回须说明原因" in r.content.decode()
    row.refresh_from_db()
    assert row.status == "draft"
    r = client.post(reverse("review:rule_set_reject", args=[row.pk]), {"reason": "权重偏高"})
    assert r.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.note) == ("rejected", "权重偏高")
    assert AuditEvent.objects.filter(
        object_type="review.rule_set", object_id=str(row.pk), reason="权重偏高"
    ).exists()
    # A rejected set cannot be activated afterwards.
    r = client.post(reverse("review:rule_set_activate", args=[row.pk]))
    assert r.status_code == 409


def test_a_cashier_has_no_rule_set_pages(client, county):
    hospital = factories.make_institution()
    cashier = factories.make_staff("cashier", "cashier", COUNTY, institution=hospital)
    client.force_login(cashier)
    assert client.get(reverse("review:rule_sets")).status_code == 403


def test_another_countys_officer_does_not_see_the_set(client, officers):
    row = rule_sets.do_upload_rule_set(officers[0], document())
    other = factories.make_staff("officer9", "insurance_officer", "430523")
    client.force_login(other)
    assert client.get(reverse("review:rule_set_detail", args=[row.pk])).status_code == 404
    assert client.post(reverse("review:rule_set_activate", args=[row.pk])).status_code == 404


def test_seed_review_rules_uploads_and_activates_with_four_eyes_once(officers):
    call_command("seed_review_rules", "--year", "2026", "--county", COUNTY)
    row = ReviewRuleSet.objects.get()
    assert row.status == "active"
    assert (row.uploaded_by.username, row.activated_by.username) == ("officer", "officer2")
    call_command("seed_review_rules", "--year", "2026", "--county", COUNTY)
    assert ReviewRuleSet.objects.count() == 1
