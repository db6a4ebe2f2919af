"""The expiring page lists active credentials and keys that end within 30 days, and
nothing that ends later or was revoked."""

import datetime

from django.urls import reverse
from django.utils import timezone

from huimin.access import services
from huimin.access.models import ClientCredential, ClientKey
from tests.access import helpers


def test_expiring_credentials_and_keys(client, staff, hospital):
    soon = timezone.now() + datetime.timedelta(days=20)
    later = timezone.now() + datetime.timedelta(days=45)
    ClientCredential.objects.filter(pk=hospital.credential.pk).update(expires_at=soon)
    ClientKey.objects.filter(kid=hospital.kid).update(not_after=soon)
    fresh = services.do_issue_credential(staff["approver"], hospital.institution.pk)
    services.do_register_keys(
        staff["approver"], fresh.pk, helpers.public_jwks(helpers.new_key("late")), not_after=later
    )
    gone = services.do_issue_credential(staff["approver"], hospital.institution.pk)
    ClientCredential.objects.filter(pk=gone.pk).update(expires_at=soon)
    services.do_revoke_credential(staff["approver"], gone.pk, "作废")

    helpers.login_verified(client, staff["reviewer"])
    page = client.get(reverse("access:expiring")).content.decode()
    assert hospital.client_id in page
    assert hospital.kid in page
    assert fresh.client_id not in page
    assert "late" not in page
    assert gone.client_id not in page
