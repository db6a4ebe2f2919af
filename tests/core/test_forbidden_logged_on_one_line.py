"""A 403 is logged as one line naming the path and the reason, without a traceback; a
server error keeps its traceback."""

import logging

from django.http import HttpResponse
from django.test import Client
from django.utils.log import log_response

from tests import factories


def request_records(caplog):
    return [r for r in caplog.records if r.name == "django.request"]


def test_a_403_is_one_line_with_its_reason(county, caplog):
    # A village clinic's cashier: a password alone reaches the pages (no second factor).
    clinic = factories.make_institution("城东村卫生室", factories.VILLAGES[0], "village_clinic", "")
    cashier = factories.make_staff("cashier1", "cashier", factories.VILLAGES[0], institution=clinic)
    client = Client()
    client.force_login(cashier)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/insurance/plans/").status_code == 403
    (record,) = request_records(caplog)
    assert record.exc_info is None and record.exc_text is None
    line = logging.Formatter().format(record)
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith("Forbidden (Permission denied): /insurance/plans/")
    assert "您的角色不能使用此页面" in line


def test_a_server_error_keeps_its_traceback(caplog):
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        with caplog.at_level(logging.ERROR, logger="django.request"):
            log_response(
                "Internal Server Error: %s", "/x/", response=HttpResponse(status=500), exception=exc
            )
    (record,) = request_records(caplog)
    assert record.exc_info is not None
    assert "Traceback" in logging.Formatter().format(record)
