"""Address ranges and terminal identifiers, as pure functions."""

import pytest

from huimin.access.rules import ip_allowed, parse_ip_ranges, parse_terminals, terminal_lines


def test_ranges_are_canonical_and_deduplicated():
    ranges, problem = parse_ip_ranges([" 10.1.2.0/24", "10.1.2.0/24", "fd00:12::/48", "8.8.8.8/32"])
    assert problem is None
    assert ranges == ["10.1.2.0/24", "fd00:12::/48", "8.8.8.8/32"]  # public allowed


@pytest.mark.parametrize(
    ("ip", "allowed"),
    [
        ("10.1.2.3", True),
        ("10.1.2.255", True),
        ("10.1.3.1", False),
        ("::ffff:10.1.2.3", True),
        ("fd00:12::5", True),
        ("fd00:13::5", False),
        ("", False),
        ("not-an-ip", False),
    ],
)
def test_ip_allowed(ip, allowed):
    assert ip_allowed(ip, ["10.1.2.0/24", "fd00:12::/48"]) is allowed


def test_terminal_lines():
    assert terminal_lines("HIS-01 门诊 收费\n\n  HIS-02\n") == [
        ("HIS-01", "门诊 收费"),
        ("HIS-02", ""),
    ]


def test_terminals_need_unique_well_formed_ids():
    assert parse_terminals([("HIS-01", "a"), ("pos.7:b_c", "")])[1] is None
    assert parse_terminals([("-bad", "")])[1]
    assert parse_terminals([("ok-1", "x" * 201)])[1]
