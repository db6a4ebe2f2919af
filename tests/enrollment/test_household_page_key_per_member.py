"""The household page gives each member's cash form its own key: paying a second member
from the same copy of the page is a new payment, sending one form twice is one payment."""

import re

import pytest
from django.urls import reverse

from huimin.insurance.enrollment.models import Enrollment, Payment
from tests.enrollment.test_pages_household import enroll_all


@pytest.fixture
def page(client, officer, this_year, family):
    client.force_login(officer)
    url = reverse("enrollment:household", args=[family["household"].pk])
    return {"client": client, "url": f"{url}?year={this_year.year}", "year": this_year.year}


def pay_keys(html: str) -> dict[int, str]:
    """enrollment id -> the idempotency key of its 收取现金 form."""
    forms = re.findall(
        r'action="/[^"]*?/enrollments/(\d+)/pay/"[^>]*>.*?name="idempotency_key" value="([^"]*)"',
        html,
        re.S,
    )
    return {int(pk): key for pk, key in forms}


def test_each_member_form_has_its_own_key_and_a_resent_form_pays_once(page, family):
    client = page["client"]
    enroll_all(page, family)
    html = client.get(page["url"]).content.decode()  # one copy of the page, used throughout
    father = Enrollment.objects.get(person=family["father"])
    mother = Enrollment.objects.get(person=family["mother"])
    keys = pay_keys(html)
    assert set(keys) == {father.pk, mother.pk}  # grandma (tekun) is paid already
    assert keys[father.pk] != keys[mother.pk]

    def pay(enrollment, receipt):
        return client.post(
            reverse("enrollment:pay", args=[enrollment.pk]),
            {
                "amount": str(enrollment.personal_due),
                "receipt_no": receipt,
                "idempotency_key": keys[enrollment.pk],
            },
        )

    assert pay(father, "XS-1").status_code == 302
    assert pay(mother, "XS-2").status_code == 302  # was 409: the father's key reused
    assert pay(father, "XS-1").status_code == 302  # the same form again: a replay
    assert Payment.objects.filter(enrollment=father).count() == 1
    assert Payment.objects.filter(enrollment=mother).count() == 1
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"paid"}
