"""A multipart request without a boundary gets a 400 in the error shape (a Chinese page
outside /api/) and one log line — not a traceback in the log."""

import logging

import pytest
from django.test import Client

from huimin.accounts.testing import verify_second_factor

BODY = b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--'


def post(client, path, content_type="multipart/form-data"):
    return client.generic("POST", path, BODY, content_type=content_type)


def lines_logged(caplog) -> list[str]:
    return [logging.Formatter().format(r) for r in caplog.records]


@pytest.fixture
def strict(officer):
    # CSRF checked, as in a browser: the CSRF check is where the body is first read.
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    verify_second_factor(client, officer)
    return client


@pytest.mark.parametrize("path", ["/login/", "/accounts/password/", "/registry/people/"])
def test_a_page_post_gets_a_chinese_400_and_one_log_line(strict, caplog, path):
    with caplog.at_level(logging.WARNING):
        r = post(strict, path)
    assert r.status_code == 400
    assert "boundary" in r.content.decode() and "输入有误" in r.content.decode()
    lines = lines_logged(caplog)
    assert len(lines) == 1, lines
    assert "\n" not in lines[0] and "Traceback" not in lines[0]


@pytest.mark.parametrize("path", ["/api/v1/registry/people", "/api/v1/access/token"])
def test_an_api_post_gets_the_error_shape_and_one_log_line(strict, caplog, path):
    with caplog.at_level(logging.WARNING):
        r = post(strict, path)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "body_unparsable"
    lines = lines_logged(caplog)
    assert len(lines) == 1 and "Traceback" not in lines[0]


def test_a_bad_boundary_is_refused_alike(strict, caplog):
    with caplog.at_level(logging.WARNING):
        r = post(strict, "/login/", content_type="multipart/form-data; boundary=é")
    assert r.status_code == 400
    assert all("Traceback" not in line for line in lines_logged(caplog))


def test_a_well_formed_multipart_post_still_reaches_the_view(strict):
    r = strict.post("/login/", {"username": "a", "password": "b"})  # multipart, no token
    assert r.status_code == 403  # the CSRF check, not a parse error
