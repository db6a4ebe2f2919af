"""The duty-log rules, as pure functions: what an entry must say, and what it may refer to."""

import datetime

import pytest

from huimin.ops.rules import EntryInput, Referenced, check_entry, is_open_incident

TODAY = datetime.date(2026, 11, 24)


def entry(**kw) -> EntryInput:
    base = {"shift_date": TODAY, "shift": "night", "kind": "routine", "text": "机房巡检正常"}
    return EntryInput(**{**base, **kw})


def incident(pk=7, corrected=False, resolved=False) -> Referenced:
    return Referenced(id=pk, kind="incident", corrected=corrected, resolved=resolved)


def test_a_complete_routine_entry_passes():
    assert check_entry(entry(), today=TODAY) == {}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"shift_date": None}, "shift_date"),
        ({"shift_date": TODAY + datetime.timedelta(days=1)}, "shift_date"),
        ({"shift_date": TODAY - datetime.timedelta(days=8)}, "shift_date"),
        ({"shift": "evening"}, "shift"),
        ({"kind": "gossip"}, "kind"),
        ({"text": "   "}, "text"),
        ({"text": "长" * 4001}, "text"),
        ({"text": "a\x00b"}, "text"),
        ({"kind": "incident"}, "severity"),
        ({"kind": "incident", "severity": "apocalyptic"}, "severity"),
        ({"severity": "major"}, "severity"),
        ({"related_alert_id": 0}, "related_alert_id"),
        ({"related_alert_id": 2**63}, "related_alert_id"),
    ],
)
def test_each_bad_field_is_named(changes, field):
    errors = check_entry(entry(**changes), today=TODAY)
    assert errors.get(field)


def test_a_week_old_shift_may_still_be_written_up():
    assert check_entry(entry(shift_date=TODAY - datetime.timedelta(days=7)), today=TODAY) == {}


def test_only_an_action_resolves_and_only_an_open_incident():
    ok = entry(kind="action", resolves_id=7)
    assert check_entry(ok, today=TODAY, resolves=incident()) == {}
    assert "resolves" in check_entry(entry(resolves_id=7), today=TODAY, resolves=incident())
    assert "resolves" in check_entry(ok, today=TODAY, resolves=None)
    routine = Referenced(id=7, kind="routine", corrected=False, resolved=False)
    assert "resolves" in check_entry(ok, today=TODAY, resolves=routine)
    assert "resolves" in check_entry(ok, today=TODAY, resolves=incident(resolved=True))
    assert "resolves" in check_entry(ok, today=TODAY, resolves=incident(corrected=True))


def test_an_entry_is_corrected_once_the_latest_version_again():
    fix = entry(corrects_id=7)
    assert check_entry(fix, today=TODAY, corrects=incident()) == {}
    assert "corrects" in check_entry(fix, today=TODAY, corrects=incident(corrected=True))
    assert "corrects" in check_entry(fix, today=TODAY, corrects=None)


def test_open_incident():
    assert is_open_incident("incident", corrected=False, resolved=False)
    assert not is_open_incident("incident", corrected=True, resolved=False)
    assert not is_open_incident("incident", corrected=False, resolved=True)
    assert not is_open_incident("routine", corrected=False, resolved=False)
