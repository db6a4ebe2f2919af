"""An activity log's draft id posted with a superscript digit (`1²`) is no draft: the log
is saved as new, not a 500 out of int() (str.isdigit() takes ² for a digit)."""

from huimin.records.models import Form
from tests.records.test_activity_pages import COMPLETE, NEW, officer_client  # noqa: F401


def test_a_superscript_draft_id_is_ignored(officer_client):  # noqa: F811
    response = officer_client.post(NEW, {**COMPLETE, "form_id": "1²", "action": "sign"})
    assert response.status_code == 302
    assert Form.objects.filter(kind="health_education").count() == 1
