"""A bad application is refused field by field and nothing is written: no application,
no history row, no audit event."""

import pytest

from huimin.access import services
from huimin.access.models import AccessApplication, AccessEvent
from huimin.audit.models import AuditEvent
from huimin.core.errors import PermissionDenied, ValidationFailed
from tests import factories
from tests.access import helpers


@pytest.fixture
def institution(county):
    return factories.make_institution("严塘镇中心卫生院", kind="township_health_centre")


def refused(user, data, field: str, reason_part: str):
    with pytest.raises(ValidationFailed) as caught:
        services.do_submit_application(user, data)
    assert field in caught.value.fields, caught.value.fields
    assert reason_part in caught.value.fields[field]
    assert not AccessApplication.objects.exists()
    assert not AccessEvent.objects.exists()
    assert not AuditEvent.objects.filter(object_type="access.application").exists()


@pytest.mark.parametrize(
    ("ranges", "reason"),
    [
        (["10.1.2.0/33"], "不是有效的IP地址段"),
        (["10.1.2.3/24"], "主机位不为零"),
        (["abc"], "不是有效的IP地址段"),
        (["0.0.0.0/0"], "范围过大"),
        ([" ", ""], "至少填写一个"),
    ],
)
def test_bad_ip_ranges(staff, institution, ranges, reason):
    data = helpers.application_data(institution, ip_ranges=ranges)
    refused(staff["submitter"], data, "ip_ranges", reason)


@pytest.mark.parametrize(
    ("terminals", "reason"),
    [
        ([("a b", "")], "格式错误"),
        ([("HIS 01", "")], "格式错误"),
        ([("HIS-01", ""), ("HIS-01", "again")], "重复"),
        ([], "至少登记一台终端"),
        ([("x" * 65, "")], "格式错误"),
    ],
)
def test_bad_terminals(staff, institution, terminals, reason):
    data = helpers.application_data(institution, terminals=terminals)
    refused(staff["submitter"], data, "terminals", reason)


def test_terminal_already_registered_elsewhere(staff, institution):
    other = helpers.onboard(staff, name="新邵县中医医院")
    data = helpers.application_data(institution, terminals=[(other.terminal, "")])
    with pytest.raises(ValidationFailed) as caught:
        services.do_submit_application(staff["submitter"], data)
    assert "终端标识已登记" in caught.value.fields["terminals"]
    assert AccessApplication.objects.count() == 1  # only the other institution's


def test_unknown_scope(staff, institution):
    data = helpers.application_data(institution, scopes=["settlement", "admin"])
    refused(staff["submitter"], data, "scopes", "未知的权限范围")


def test_no_scope(staff, institution):
    refused(staff["submitter"], helpers.application_data(institution, scopes=[]), "scopes", "至少")


@pytest.mark.parametrize("phone", ["12345", "138073912345", "电话"])
def test_bad_phone(staff, institution, phone):
    data = helpers.application_data(institution, contact_phone=phone)
    refused(staff["submitter"], data, "contact_phone", "电话")


def test_institution_outside_the_officers_jurisdiction(staff, county):
    elsewhere = factories.make_institution("邵阳县人民医院", region="430523")
    refused(staff["submitter"], helpers.application_data(elsewhere), "institution", "辖区")


def test_second_institution_application_for_an_approved_institution(staff, hospital):
    data = helpers.application_data(hospital.institution, terminals=[("HIS-NEW-02", "")])
    with pytest.raises(ValidationFailed) as caught:
        services.do_submit_application(staff["submitter"], data)
    assert "新增终端" in caught.value.fields["kind"]


def test_terminal_application_for_an_institution_without_access(staff, institution):
    data = helpers.application_data(institution, kind="terminal")
    refused(staff["submitter"], data, "kind", "尚未接入")


def test_submitting_needs_the_review_permission(county, institution):
    doctor = factories.make_staff("doc", "doctor", institution=institution)
    with pytest.raises(PermissionDenied):
        services.do_submit_application(doctor, helpers.application_data(institution))
    assert not AccessApplication.objects.exists()
