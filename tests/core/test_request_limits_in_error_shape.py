"""An over-long request line (414) or header (431) is answered by Django in the error
shape (a Chinese page outside /api/), not by gunicorn's English HTML page: gunicorn's
limits (gunicorn.conf.py, used by `make demo` and `make serve`) sit above Django's."""

import importlib.util
import re
from pathlib import Path

import pytest

from huimin.core import middleware

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def logged_in(client, officer):
    client.force_login(officer)
    return client


def test_an_api_request_line_over_4_kb_is_414_in_the_error_shape(logged_in):
    r = logged_in.get("/api/v1/registry/people", {"q": "张" * 2000})  # 18 KB percent-encoded
    assert r.status_code == 414
    error = r.json()["error"]
    assert error["code"] == "uri_too_long"
    assert "请求行过长" in error["message"]


def test_a_page_request_line_over_4_kb_is_a_chinese_page(logged_in):
    r = logged_in.get("/registry/people/", {"q": "a" * 5000})
    assert r.status_code == 414
    assert "请求行过长" in r.content.decode()


def test_a_request_line_under_the_limit_is_served(logged_in):
    r = logged_in.get("/api/v1/registry/people", {"q": "a" * 40})
    assert r.status_code == 200


def test_the_limit_is_counted_on_the_raw_target_gunicorn_passes(logged_in):
    r = logged_in.get("/api/v1/registry/people", RAW_URI="/api/v1/registry/people?q=" + "a" * 4100)
    assert r.status_code == 414


def test_an_over_long_header_is_431_naming_it(logged_in):
    r = logged_in.get("/api/v1/registry/people", HTTP_X_HUIMIN_PURPOSE="x" * 9000)
    assert r.status_code == 431
    error = r.json()["error"]
    assert error["code"] == "headers_too_large"
    assert list(error["fields"]) == ["X-Huimin-Purpose"]


def test_too_many_headers_is_431(logged_in):
    extra = {f"HTTP_X_FILLER_{i}": "1" for i in range(120)}
    r = logged_in.get("/registry/people/", **extra)
    assert r.status_code == 431
    assert "请求头过多" in r.content.decode()


def test_gunicorns_limits_are_above_djangos_and_make_uses_them():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert conf.limit_request_line > middleware.REQUEST_LINE_MAX
    assert conf.limit_request_line <= 8190  # gunicorn's own ceiling (0 would be unlimited)
    assert conf.limit_request_field_size > middleware.HEADER_FIELD_MAX
    assert conf.limit_request_fields > middleware.HEADER_FIELDS_MAX
    makefile = (ROOT / "Makefile").read_text()
    lines = [ln for ln in makefile.splitlines() if re.search(r"bin/gunicorn\b", ln)]
    assert len(lines) == 2
    assert all("-c gunicorn.conf.py" in ln for ln in lines)
