import datetime

from huimin.review.claim import Swipe, TerminalActivity
from huimin.review.engine import review_terminal
from huimin.review.ruleset import default_rule_set

from .builders import CENTRE

T0 = datetime.datetime(2026, 3, 10, 9, 0)


def activity(swipes):
    return TerminalActivity("T-0042", CENTRE.id, CENTRE.name, tuple(swipes))


def every(minutes, people):
    return [
        Swipe(f"S{i}", f"p{i}", T0 + datetime.timedelta(minutes=minutes * i)) for i in range(people)
    ]


def test_eight_cards_in_ten_minutes_fire_once():
    [finding] = review_terminal(activity(every(1, 9)), default_rule_set())
    assert finding.rule == "bulk_swiping" and finding.subject == "T-0042"
    assert finding.facts["cards"] == "9"
    assert "疑似套刷" in finding.explanation and "2026-03-10 09:00" in finding.explanation


def test_one_card_swiped_many_times_is_not_many_cards():
    swipes = [Swipe(f"S{i}", "p1", T0 + datetime.timedelta(minutes=i)) for i in range(10)]
    assert review_terminal(activity(swipes), default_rule_set()) == []


def test_eight_cards_spread_over_an_hour_do_not():
    assert review_terminal(activity(every(8, 8)), default_rule_set()) == []


def test_two_bursts_are_two_findings():
    later = [Swipe(f"L{i}", f"q{i}", T0 + datetime.timedelta(hours=3, minutes=i)) for i in range(8)]
    found = review_terminal(activity(every(1, 8) + later), default_rule_set())
    assert [f.facts["start"] for f in found] == ["2026-03-10 09:00", "2026-03-10 12:00"]
