"""The likely-duplicates page shows people side by side: one audit event naming them."""

import datetime

from huimin.audit.models import AuditEvent
from tests import factories
from tests.audit.shown import people_named


def test_the_duplicates_page_names_the_people_it_shows(client, officer, county):
    birth = datetime.date(1970, 1, 1)
    twins = [
        factories.make_person("重名", village=factories.VILLAGES[0], birth=birth) for _ in "ab"
    ]
    factories.make_person("别人", village=factories.VILLAGES[0], birth=birth)
    client.force_login(officer)
    assert client.get("/registry/duplicates/").status_code == 200
    event = AuditEvent.objects.get(action="search", object_type="registry.person")
    assert people_named(event) == {p.pk for p in twins}
    assert event.purpose == "疑似重复居民"
