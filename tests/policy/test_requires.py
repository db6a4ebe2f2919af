"""@requires(perm): a page declares its permission once; login first, then 403 without
it; the declaration stays readable on the view for a test that walks the URL conf."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve, reverse

from huimin.policy import requires
from tests import factories


@requires("ledger.read")
def ledger_page(request):
    return HttpResponse("ok")


def _get(user):
    request = RequestFactory().get("/ledger/")
    request.user = user
    return ledger_page(request)


def test_anonymous_users_are_sent_to_log_in():
    response = _get(AnonymousUser())
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_role_without_the_permission_is_refused(county):
    with pytest.raises(PermissionDenied):
        _get(factories.make_staff("clerk", "township_clerk", factories.TOWNSHIPS[0]))


def test_a_role_with_it_gets_the_page(county):
    assert _get(factories.make_staff("officer")).content == b"ok"


def test_the_declared_permission_is_on_the_routed_view():
    assert ledger_page.policy_permission == "ledger.read"
    assert resolve(reverse("enrollment:progress")).func.policy_permission == "person.read"
    assert resolve(reverse("insurance:ledger")).func.policy_permission == "ledger.read"
