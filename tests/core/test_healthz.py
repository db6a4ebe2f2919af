from django.conf import settings


def test_healthz_reports_database_and_version(client, db):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["database"] == "ok"
    assert body["version"] == settings.VERSION


def test_healthz_needs_no_login_and_only_reads(client, db):
    assert client.post("/healthz").status_code == 405
