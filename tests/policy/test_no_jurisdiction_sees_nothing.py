"""Fail closed: a user without a jurisdiction (None) is never treated as one with every
region (""). Before the policy layer `jurisdiction_of(user) or ""` did exactly that in
enrollment, bank batches, the duty log and account administration, saved only where an
earlier check happened to refuse first.

To reach the jurisdiction rule itself, the user here holds every permission (patched)
yet has no Staff row, hence no jurisdiction: each place must still refuse or show
nothing.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from huimin.accounts import administration
from huimin.core.errors import PermissionDenied
from huimin.insurance.enrollment import bank
from huimin.insurance.enrollment import services as enrollment
from huimin.ops import services as ops
from huimin.policy import check_jurisdiction, jurisdiction_of, permissions
from tests import factories


@pytest.fixture
def unplaced(county, monkeypatch):
    factories.make_staff("sysadmin", "system_admin", factories.COUNTY)
    factories.make_person("张三", factories.VILLAGES[0])
    monkeypatch.setattr(permissions, "grants_of", lambda user: frozenset(permissions.PERMISSIONS))
    return get_user_model().objects.create_user("unplaced", password="Huimin#2026pass")


def test_check_jurisdiction_refuses_none(unplaced):
    assert jurisdiction_of(unplaced) is None
    with pytest.raises(PermissionDenied) as refused:
        check_jurisdiction(unplaced)
    assert refused.value.code == "no_jurisdiction"


def test_enrollment_progress_refuses(unplaced):
    with pytest.raises(PermissionDenied):
        enrollment.progress(unplaced, 2026)


def test_enrollment_pages_refuse(unplaced, client):
    client.force_login(unplaced)
    assert client.get(reverse("enrollment:progress")).status_code == 403
    assert client.get(reverse("enrollment:periods")).status_code == 403


def test_bank_batches_refuse(unplaced):
    with pytest.raises(PermissionDenied):
        bank.do_import_bank_batch(
            unplaced,
            2026,
            "bank.csv",
            f"{factories.valid_id()},张三,400.00,YH1,2025-11-20\n".encode(),
        )


def test_the_duty_log_refuses(unplaced):
    with pytest.raises(PermissionDenied):
        ops.check_can_write(unplaced)


def test_account_administration_lists_no_accounts(unplaced):
    with pytest.raises(PermissionDenied):
        list(administration.managed_accounts(unplaced))


def test_a_superuser_is_such_a_user_without_any_patch(county):
    root = get_user_model().objects.create_superuser("root", password="Root#2026pass")
    assert jurisdiction_of(root) is None
    with pytest.raises(PermissionDenied):
        enrollment.progress(root, 2026)
