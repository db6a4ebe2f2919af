"""Bad input: skipping a mediation step is refused (409, in the error shape on the page)
and nothing changes; so is repeating one, or recording on a closed case."""

from huimin.audit.models import AuditEvent
from huimin.core.errors import Conflict
from huimin.mediation import services
from huimin.mediation.models import CaseStep
from tests.mediation.conftest import STEP_FORMS, walk


def test_posting_a_later_step_is_refused_and_changes_nothing(client, officer, open_case):
    case = open_case()
    walk(officer, case, "responsibility")
    updates = AuditEvent.objects.filter(action="update", object_type="mediation.case")
    before = updates.count()
    client.force_login(officer)

    response = client.post(
        f"/mediation/{case.pk}/step/", {"step": "mediation", **STEP_FORMS["mediation"]}
    )

    assert response.status_code == 409
    text = response.content.decode()
    assert "请先完成“初步责任认定”，不能跳过步骤直接登记“调解”" in text
    case.refresh_from_db()
    assert case.status == "responsibility"
    assert list(case.steps.values_list("step", flat=True)) == ["acceptance", "evidence"]
    assert updates.count() == before  # the refused post recorded no step


def test_repeating_a_step_is_refused(officer, open_case):
    case = open_case()
    walk(officer, case, "evidence")
    try:
        services.do_record_step(officer, case.pk, "acceptance", {"note": "再次受理"})
    except Conflict as exc:
        assert exc.code == "mediation_step_order" and "不能重复登记" in exc.message
    else:
        raise AssertionError("a repeated step was recorded")
    assert CaseStep.objects.filter(case=case, step="acceptance").count() == 1


def test_a_closed_case_takes_no_more_steps(officer, open_case):
    case = open_case()
    walk(officer, case, "none")
    case.refresh_from_db()
    assert case.status == "closed"
    for step in ("follow_up", "acceptance"):
        try:
            services.do_record_step(officer, case.pk, step, STEP_FORMS[step])
        except Conflict as exc:
            assert "结案" in exc.message or "不能重复登记" in exc.message
        else:
            raise AssertionError(step)
    assert case.steps.count() == 8


def test_an_unknown_step_is_refused(client, officer, open_case):
    case = open_case()
    client.force_login(officer)
    response = client.post(f"/mediation/{case.pk}/step/", {"step": "closed", "note": "x"})
    assert response.status_code == 409
    assert not CaseStep.objects.exists()
