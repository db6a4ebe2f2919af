"""Used jtis and tokens are forgotten once expired; current ones are kept, so a replay
of a still-valid assertion stays refused."""

import datetime

from django.core.management import call_command
from django.utils import timezone

from huimin.access import tokens
from huimin.access.models import AccessToken, UsedAssertion
from tests.access import helpers


def test_purge_keeps_current_and_drops_expired(client, hospital):
    helpers.get_token(client, hospital)
    helpers.get_token(client, hospital)
    past = timezone.now() - datetime.timedelta(seconds=1)
    UsedAssertion.objects.filter(pk=UsedAssertion.objects.first().pk).update(expires_at=past)
    AccessToken.objects.filter(pk=AccessToken.objects.first().pk).update(expires_at=past)
    assert tokens.purge_expired() == (1, 1)
    assert UsedAssertion.objects.count() == 1
    assert AccessToken.objects.count() == 1


def test_purge_command(client, hospital):
    helpers.get_token(client, hospital)
    UsedAssertion.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    call_command("purge_access_tokens", verbosity=0)
    assert UsedAssertion.objects.count() == 0
    assert AccessToken.objects.count() == 1
