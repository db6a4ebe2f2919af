from .builders import CENTRE, D, fired, inpatient, item, line, outpatient, person


def test_an_item_restricted_to_women_for_a_man_fires():
    claim = outpatient(lines=(line(1, "007", "孕酮测定", item=item(sex="2")),))
    [finding] = fired("item_restriction", claim)
    assert finding.lines == (1,)
    assert "限女性使用" in finding.explanation and "第1行（孕酮测定）" in finding.explanation


def test_an_item_for_children_at_sixty_fires():
    claim = outpatient(lines=(line(1, "008", "小儿推拿", item=item(age_max=14)),))
    [finding] = fired("item_restriction", claim)
    assert "14岁及以下" in finding.facts["reason"] and "60岁" in finding.facts["reason"]


def test_an_item_for_level_two_and_three_at_a_township_centre_fires():
    claim = outpatient(institution=CENTRE, lines=(line(1, item=item(levels=("2", "3"))),))
    [finding] = fired("item_restriction", claim)
    assert "二级、三级" in finding.explanation


def test_age_is_taken_on_the_service_date():
    # turns 18 on 2026-03-11: an adults-only item on the birthday is fine
    claim = inpatient(
        person=person(birth_date=D(2008, 3, 11)),
        lines=(line(1, item=item(age_min=18), service_date=D(2026, 3, 11)),),
    )
    assert fired("item_restriction", claim) == []


def test_unrestricted_and_matching_items_do_not_fire():
    claim = inpatient(lines=(line(1), line(2, item=item(sex="1", age_min=18, levels=("2",)))))
    assert fired("item_restriction", claim) == []
