from .builders import D, fired, inpatient, item, line, with_params

PANEL = item(category="lab", components=frozenset({"ALT", "AST"}))


def test_a_panel_billed_with_its_own_component_fires():
    claim = inpatient(
        lines=(line(1, "LIVER", "肝功能组合", item=PANEL), line(2, "ALT", "丙氨酸氨基转移酶"))
    )
    [finding] = fired("unbundling", claim)
    assert finding.lines == (1, 2)
    assert "组套项目肝功能组合与其组成项目同日收费" in finding.explanation


def test_a_component_on_another_day_does_not():
    claim = inpatient(
        lines=(
            line(1, "LIVER", "肝功能组合", item=PANEL),
            line(2, "ALT", "丙氨酸氨基转移酶", service_date=D(2026, 3, 12)),
        )
    )
    assert fired("unbundling", claim) == []


def test_items_the_catalog_marks_exclusive_on_one_day_fire_once():
    first = item(category="nursing", exclusive_with=frozenset({"N2"}))
    second = item(category="nursing", exclusive_with=frozenset({"N1"}))
    claim = inpatient(
        lines=(
            line(1, "N1", "一级护理", item=first),
            line(2, "N2", "二级护理", item=second),
            line(3, "CBC", "血常规"),
        )
    )
    [finding] = fired("unbundling", claim)
    assert finding.lines == (1, 2)
    assert finding.facts["reason"] == "一级护理与二级护理为互斥项目，同日收费"
    # one side naming the other is enough
    one_sided = inpatient(lines=(line(1, "N1", "一级护理", item=first), line(2, "N2", "二级护理")))
    assert [f.lines for f in fired("unbundling", one_sided)] == [(1, 2)]


def test_exclusive_items_on_different_days_do_not():
    first = item(category="nursing", exclusive_with=frozenset({"N2"}))
    claim = inpatient(
        lines=(
            line(1, "N1", "一级护理", item=first),
            line(2, "N2", "二级护理", service_date=D(2026, 3, 11)),
        )
    )
    assert fired("unbundling", claim) == []


def test_a_configured_mutually_exclusive_pair_on_one_day_fires():
    rs = with_params("unbundling", exclusive_pairs=(("GA", "LA"),))
    claim = inpatient(lines=(line(1, "GA", "全身麻醉"), line(2, "LA", "局部浸润麻醉")))
    [finding] = fired("unbundling", claim, rule_set=rs)
    assert finding.lines == (1, 2) and "互斥" in finding.explanation
    other_day = inpatient(
        lines=(
            line(1, "GA", "全身麻醉"),
            line(2, "LA", "局部浸润麻醉", service_date=D(2026, 3, 11)),
        )
    )
    assert fired("unbundling", other_day, rule_set=rs) == []
