"""Finding a person at the counter: the insured are shown with their year so far; anyone
else gets a clear reason, no registration form, and nothing is written."""

import datetime

import pytest

from huimin.audit.models import AuditEvent
from huimin.insurance.models import Visit
from tests import factories
from tests.insurance.test_cashier_counter_flow import DAY, HX, counter_client, register


@pytest.fixture
def at_counter(client, insured):
    return counter_client(client, insured.hospital)


def find(client, id_number, day=DAY):
    return client.post(
        "/insurance/cashier/find/", {"id_number": id_number, "visit_date": day.isoformat()}, **HX
    )


def reads():
    return AuditEvent.objects.filter(action="read", object_type="registry.person").count()


def test_insured_person_shows_masked_id_cover_and_year_so_far(at_counter, insured):
    response = find(at_counter, insured.id_number.lower())  # a lowercase x is the same
    html = response.content.decode()
    assert response.status_code == 200
    assert insured.person.id_number_masked in html
    assert "邓建国" in html and "58岁" in html and "男" in html
    assert "已参保" in html and "低保对象" in html
    assert response.context["ytd"].basic_paid == 0
    assert 'id="register"' in html
    assert reads() == 1


def test_person_not_insured_gets_a_clear_message_and_no_registration(at_counter, insured):
    stranger = factories.make_person("李四", birth=datetime.date(1990, 3, 3))
    number = stranger.reveal_id_number()
    response = find(at_counter, number)
    html = response.content.decode()
    assert response.status_code == 200
    assert "未参保" in html and "不能按医保结算" in html
    assert 'id="register"' not in html
    # Registering anyway (a forged form) is refused and writes nothing.
    refused = register(at_counter, number)
    assert refused.status_code == 422
    assert "未参保" in refused.content.decode()
    assert not Visit.objects.exists()


def test_insured_person_on_a_day_before_cover_is_not_insured(at_counter, insured):
    response = find(at_counter, insured.id_number, day=datetime.date(2025, 12, 31))
    assert "未参保" in response.content.decode()
    assert 'id="register"' not in response.content.decode()


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("", "身份证号码应为18位"),
        ("43052219680412013", "身份证号码应为18位"),
        ("430522196804120139", "身份证号码校验码错误"),
        ("43052219680412013X' OR 1=1 --", "身份证号码应为18位"),
    ],
)
def test_malformed_id_number_is_refused_next_to_the_field(at_counter, insured, raw, reason):
    before = reads()
    response = find(at_counter, raw)
    assert response.status_code == 422
    assert reason in response.content.decode()
    assert reads() == before and not Visit.objects.exists()


def test_unknown_id_number_is_not_found(at_counter, insured):
    number = factories.valid_id(datetime.date(1975, 1, 1))
    response = find(at_counter, number)
    assert response.status_code == 422
    assert "未找到该参保人" in response.content.decode()
    assert reads() == 0


def test_a_visit_date_after_today_is_refused(at_counter, insured):
    response = find(
        at_counter, insured.id_number, day=datetime.date.today() + datetime.timedelta(2)
    )
    assert response.status_code == 422
    assert "不晚于今天" in response.content.decode()
    assert reads() == 0


def test_without_htmx_the_whole_page_comes_back_with_the_person(at_counter, insured):
    response = at_counter.post(
        "/insurance/cashier/find/", {"id_number": insured.id_number, "visit_date": "2026-05-12"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and "邓建国" in html and 'id="register"' in html
