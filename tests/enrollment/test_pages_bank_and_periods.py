"""Bank file upload with its report; period management for county officers only."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from huimin.insurance.enrollment.models import BankBatch, EnrollmentPeriod
from tests import factories
from tests.enrollment.helpers import writes

D = datetime.date


def test_upload_books_and_shows_the_report(client, officer, this_year, family):
    from huimin.insurance.enrollment import services

    services.do_enroll_household(officer, family["household"].pk, this_year.year)
    client.force_login(officer)
    father_id = family["father"].reveal_id_number()
    today = timezone.localdate().isoformat()
    content = (
        "身份证号,姓名,金额,银行流水号,缴费日期\n"
        f"{father_id},王父,400.00,B1,{today}\n"
        f"{father_id},王父,400.00,B2,{today}\n"
        f"{family['mother'].reveal_id_number()},王母,199.00,B3,{today}\n"
    ).encode()
    r = client.post(
        reverse("enrollment:bank_batches"),
        {"year": this_year.year, "file": SimpleUploadedFile("bank.csv", content)},
    )
    assert r.status_code == 302
    batch = BankBatch.objects.get()
    assert (batch.booked, batch.rejected) == (1, 2)
    html = client.get(r.url).content.decode()
    assert "已缴费" in html and "与个人应缴200.00元不符" in html
    assert father_id not in html  # masked in the report
    assert "B1" in html


def test_an_unreadable_upload_is_refused_and_nothing_written(client, officer, this_year):
    client.force_login(officer)
    before = writes(), BankBatch.objects.count()
    r = client.post(
        reverse("enrollment:bank_batches"),
        {"year": this_year.year, "file": SimpleUploadedFile("bank.pdf", b"%PDF")},
    )
    assert r.status_code == 422 and "csv" in r.content.decode()
    assert (writes(), BankBatch.objects.count()) == before


def test_officer_creates_a_period_copying_nothing_when_amounts_are_given(client, officer):
    client.force_login(officer)
    r = client.post(
        reverse("enrollment:periods"),
        {
            "region_code": factories.COUNTY,
            "year": 2027,
            "opens_on": "2026-09-01",
            "closes_on": "2026-12-31",
            "waiting_days": 90,
            "individual": "420.00",
            "subsidy": "700.00",
            "tekun_share": "1.00",
            "dibao_share": "0.60",
        },
    )
    assert r.status_code == 302
    period = EnrollmentPeriod.objects.get(year=2027)
    assert str(period.individual) == "420.00"
    assert period.assistance_shares == {"tekun": "1.00", "dibao": "0.60"}


def test_bad_period_is_refused_and_nothing_written(client, officer):
    client.force_login(officer)
    r = client.post(
        reverse("enrollment:periods"),
        {
            "region_code": factories.COUNTY,
            "year": 2027,
            "opens_on": "2026-12-31",
            "closes_on": "2026-09-01",
            "waiting_days": 90,
            "individual": "420.001",
            "subsidy": "700.00",
        },
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert "截止日期不能早于开始日期" in html and "个人缴费标准" in html
    assert not EnrollmentPeriod.objects.exists()


def test_without_plan_or_amounts_the_period_asks_for_them(client, officer):
    client.force_login(officer)
    r = client.post(
        reverse("enrollment:periods"),
        {
            "region_code": factories.COUNTY,
            "year": 2027,
            "opens_on": "2026-09-01",
            "closes_on": "2026-12-31",
            "waiting_days": 90,
        },
    )
    assert r.status_code == 422 and "结算方案" in r.content.decode()
    assert not EnrollmentPeriod.objects.exists()


def test_township_clerk_cannot_manage_periods(client, township_clerk):
    client.force_login(township_clerk)
    assert client.get(reverse("enrollment:periods")).status_code == 403
    r = client.post(
        reverse("enrollment:periods"),
        {
            "region_code": factories.COUNTY,
            "year": 2027,
            "opens_on": "2026-09-01",
            "closes_on": "2026-12-31",
            "waiting_days": 90,
            "individual": "1",
            "subsidy": "1",
        },
    )
    assert r.status_code == 403 and not EnrollmentPeriod.objects.exists()


def test_menu_entry(officer, county):
    from huimin.insurance.enrollment.nav import menu_items

    assert menu_items(officer, "insurance_officer") == [
        {"label": "参保缴费", "url": reverse("enrollment:index")}
    ]
    admin = factories.make_staff("sys", "system_admin", factories.COUNTY)
    assert menu_items(admin, "system_admin") == []


def test_the_list_of_imported_files_pages_newest_first(client, officer, settings):
    settings.HUIMIN_PAGE_SIZE = 5
    for i in range(7):
        BankBatch.objects.create(
            region_code=factories.COUNTY, year=2026, filename=f"bank-{i}.csv", sha256=f"{i:064d}"
        )
    client.force_login(officer)
    first = client.get(reverse("enrollment:bank_batches"))
    names = [b.filename for b in first.context["batches"]]
    assert names == [f"bank-{i}.csv" for i in (6, 5, 4, 3, 2)]
    cursor = first.context["page"].next_cursor
    second = client.get(reverse("enrollment:bank_batches"), {"after": cursor})
    assert [b.filename for b in second.context["batches"]] == ["bank-1.csv", "bank-0.csv"]
    assert second.context["page"].next_cursor is None
    assert "下一页" in first.content.decode()
