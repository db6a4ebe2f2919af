"""str.isdigit() takes a superscript ² (and circled or Arabic-Indic digits) for a digit and
int() then fails: region prefixes and paging cursors sent that way were a 500. They are
tested with core.text.ascii_digits before int() now."""

import pytest

from huimin.core.text import ascii_digits
from tests import factories
from tests.ops.duty import admin


@pytest.mark.parametrize("text", ["²", "43²", "٤٣", "①", "４３", "", "-1", "1.0"])
def test_only_ascii_digits_are_digits(text):
    assert not ascii_digits(text)


def test_ascii_digits_are():
    assert ascii_digits("430522") and ascii_digits("0")


@pytest.mark.parametrize(
    "path",
    ["/api/v1/registry/people", "/api/v1/registry/households", "/api/v1/registry/institutions"],
)
@pytest.mark.parametrize("region", ["43²", "٤٣"])
def test_api_region_filter_with_other_digits_finds_nothing(client, officer, path, region):
    client.force_login(officer)
    factories.make_person("李四")
    r = client.get(path, {"region": region})
    assert r.status_code in (200, 422), r.content
    if r.status_code == 200:
        assert r.json()["items"] == []


@pytest.mark.parametrize("cursor", ["after", "before"])
def test_duty_log_cursor_with_a_superscript_is_ignored(client, db, cursor):
    client.force_login(admin())
    r = client.get("/ops/duty/", {cursor: "1²"})
    assert r.status_code == 200
