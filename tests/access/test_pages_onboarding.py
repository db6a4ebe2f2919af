"""The 接入管理 pages carry an application from entry to approval; each person sees only
the buttons they may use, and a forged POST is refused without changing anything."""

import pytest
from django.urls import reverse

from huimin.access import services
from huimin.access.models import AccessApplication, InstitutionAccess
from tests import factories
from tests.access import helpers


@pytest.fixture
def institution(county):
    return factories.make_institution("严塘镇中心卫生院", kind="township_health_centre")


def form_data(institution, **overrides):
    data = {
        "institution": institution.pk,
        "kind": "institution",
        "contact_name": "王主任",
        "contact_phone": "0739-3621234",
        "ip_ranges": "10.1.2.0/24\n192.168.50.0/24",
        "terminals": "HIS-YT-01 门诊收费\nHIS-YT-02 住院结算",
        "scopes": ["settlement", "catalog.read"],
        "details": "",
    }
    data.update(overrides)
    return data


def test_officer_enters_an_application(client, staff, institution):
    helpers.login_verified(client, staff["submitter"])
    page = client.get(reverse("access:application_new"))
    assert page.status_code == 200
    assert "严塘镇中心卫生院" in page.content.decode()
    response = client.post(reverse("access:application_new"), form_data(institution))
    app = AccessApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("access:application_detail", args=[app.pk])
    assert app.terminals == [
        {"device_id": "HIS-YT-01", "description": "门诊收费"},
        {"device_id": "HIS-YT-02", "description": "住院结算"},
    ]
    detail = client.get(response["Location"]).content.decode()
    assert "提交申请" in detail  # the history
    # No button to review one's own submission.
    assert reverse("access:application_review", args=[app.pk]) not in detail


def test_bad_input_is_shown_on_the_form(client, staff, institution):
    helpers.login_verified(client, staff["submitter"])
    response = client.post(
        reverse("access:application_new"), form_data(institution, ip_ranges="10.1.2.3/24")
    )
    assert response.status_code == 200
    assert "主机位不为零" in response.content.decode()
    assert not AccessApplication.objects.exists()


def test_buttons_follow_the_stage_and_the_person(client, staff, institution):
    app = services.do_submit_application(staff["submitter"], helpers.application_data(institution))
    url = reverse("access:application_detail", args=[app.pk])

    review = reverse("access:application_review", args=[app.pk])
    approve = reverse("access:application_approve", args=[app.pk])
    reject = reverse("access:application_reject", args=[app.pk])

    helpers.login_verified(client, staff["reviewer"])
    page = client.get(url).content.decode()
    assert review in page and reject in page and approve not in page
    client.post(review)
    page = client.get(url).content.decode()
    assert "已初审" in page
    assert review not in page and approve not in page and reject not in page

    helpers.login_verified(client, staff["approver"])
    page = client.get(url).content.decode()
    assert approve in page and reject in page and review not in page
    response = client.post(approve)
    assert response["Location"] == reverse("access:institution_access", args=[institution.pk])
    assert InstitutionAccess.objects.get().status == "active"
    page = client.get(url).content.decode()
    for step in ("提交申请", "初审通过", "开通接入", "批准"):
        assert step in page


def test_forged_self_review_is_refused(client, staff, institution):
    app = services.do_submit_application(staff["submitter"], helpers.application_data(institution))
    helpers.login_verified(client, staff["submitter"])
    response = client.post(reverse("access:application_review", args=[app.pk]), follow=True)
    assert "不能初审自己提交的申请" in response.content.decode()
    app.refresh_from_db()
    assert app.status == "submitted"


def test_list_filters_by_state(client, staff, institution):
    submitted = services.do_submit_application(
        staff["submitter"], helpers.application_data(institution)
    )
    other = factories.make_institution("城东村卫生室", kind="village_clinic", level="")
    reviewed = services.do_submit_application(
        staff["submitter"],
        helpers.application_data(other, terminals=[("VC-01", "")]),
    )
    services.do_review(staff["reviewer"], reviewed.pk)
    helpers.login_verified(client, staff["reviewer"])
    url = reverse("access:application_list")
    both = client.get(url).content.decode()
    assert f"#{submitted.pk}<" in both and f"#{reviewed.pk}<" in both
    only = client.get(url, {"status": "reviewed"}).content.decode()
    assert f"#{reviewed.pk}<" in only and f"#{submitted.pk}<" not in only
    # A state that does not exist shows everything rather than failing.
    assert client.get(url, {"status": "bogus"}).status_code == 200
