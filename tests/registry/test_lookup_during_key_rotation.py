"""While the field key rotates, people not yet re-encrypted are still found by ID number."""

import datetime

from django.test import override_settings

from huimin.registry import queries
from huimin.registry.models import Person
from tests import factories

KEY_A = b"A" * 32
KEY_B = b"B" * 32


def test_search_by_id_number_finds_rows_under_the_previous_key(county):
    with override_settings(HUIMIN_FIELD_KEY=KEY_A, HUIMIN_FIELD_KEY_PREVIOUS=()):
        number = factories.valid_id(datetime.date(1977, 7, 1), "1")
        person = factories.make_person("秦一", id_number=number)
    with override_settings(HUIMIN_FIELD_KEY=KEY_B, HUIMIN_FIELD_KEY_PREVIOUS=(KEY_A,)):
        found = queries.search_people(Person.objects.all(), number)
        assert list(found) == [person]
    with override_settings(HUIMIN_FIELD_KEY=KEY_B, HUIMIN_FIELD_KEY_PREVIOUS=()):
        # Once the previous key is dropped, only rotated rows are found: rotate first.
        assert not queries.search_people(Person.objects.all(), number).exists()
