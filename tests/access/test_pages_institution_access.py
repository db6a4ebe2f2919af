"""The institution access page: the security administrator suspends and resumes with a
reason, issues credentials and registers an uploaded JWK Set; mistakes change nothing."""

import json

from django.urls import reverse

from huimin.access.models import AccessEvent, ClientCredential, ClientKey
from tests.access import helpers


def test_suspend_and_resume_from_the_page(client, staff, hospital):
    helpers.login_verified(client, staff["approver"])
    url = reverse("access:institution_access", args=[hospital.institution.pk])
    status_url = reverse("access:institution_status", args=[hospital.institution.pk])
    assert "暂停接入" in client.get(url).content.decode()

    response = client.post(status_url, {"action": "suspend", "reason": ""}, follow=True)
    assert "须填写理由" in response.content.decode()
    hospital.access.refresh_from_db()
    assert hospital.access.status == "active"

    response = client.post(status_url, {"action": "suspend", "reason": "违规收费核查"}, follow=True)
    page = response.content.decode()
    assert "已暂停" in page and "违规收费核查" in page and "恢复接入" in page
    hospital.access.refresh_from_db()
    assert hospital.access.status == "suspended"

    client.post(status_url, {"action": "resume", "reason": "核查完毕"})
    hospital.access.refresh_from_db()
    assert hospital.access.status == "active"
    assert list(
        AccessEvent.objects.filter(action__in=["suspend", "resume"]).values_list(
            "action", flat=True
        )
    ) == ["suspend", "resume"]


def test_issue_a_credential_and_upload_its_keys(client, staff, hospital):
    helpers.login_verified(client, staff["approver"])
    client.post(reverse("access:credential_issue", args=[hospital.institution.pk]))
    new = ClientCredential.objects.exclude(pk=hospital.credential.pk).get()
    page = client.get(reverse("access:institution_access", args=[hospital.institution.pk]))
    assert new.client_id in page.content.decode()

    keys_url = reverse("access:credential_keys", args=[new.pk])
    leaky = json.dumps({"keys": [helpers.new_key("p1").as_dict(private=True)]})
    response = client.post(keys_url, {"jwks": leaky}, follow=True)
    assert "私钥" in response.content.decode()
    assert not ClientKey.objects.filter(credential=new).exists()

    key = helpers.new_key("site-2026")
    response = client.post(keys_url, {"jwks": helpers.public_jwks(key)}, follow=True)
    assert "已登记1个公钥" in response.content.decode()
    stored = ClientKey.objects.get(credential=new)
    assert stored.kid == "site-2026"
    assert stored.not_after == new.expires_at


def test_revoke_a_credential_from_the_page(client, staff, hospital):
    helpers.login_verified(client, staff["approver"])
    url = reverse("access:credential_revoke", args=[hospital.credential.pk])
    client.post(url, {"reason": ""})
    hospital.credential.refresh_from_db()
    assert hospital.credential.status == "active"
    client.post(url, {"reason": "设备报废"})
    hospital.credential.refresh_from_db()
    assert (hospital.credential.status, hospital.credential.revoke_reason) == (
        "revoked",
        "设备报废",
    )
