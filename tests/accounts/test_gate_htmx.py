"""An htmx request from a session that must first give its code or change its password
is sent (whole window) to that step, not swapped into a fragment."""

from tests.accounts.conftest import login


def test_htmx_request_of_an_unverified_session_redirects_the_window(client, officer):
    login(client, "officer")
    response = client.get("/registry/people/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert response.status_code == 302
    assert response["HX-Redirect"].startswith("/accounts/2fa/enrol/")
