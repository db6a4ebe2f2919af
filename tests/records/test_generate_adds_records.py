"""`huimin generate` gives the synthetic county its health records too (issue: "huimin
generate adds realistic records"); `--no-records` leaves them for generate-records."""

import datetime as dt
from io import StringIO

from django.core.management import call_command

from huimin.records.models import Form, HealthRecord
from huimin.registry.models import Person

AS_OF = dt.date(2026, 6, 30)


def test_generate_writes_the_peoples_health_records(db):
    out = StringIO()
    call_command("generate", residents=400, seed=3, as_of=AS_OF, no_progress=True, stdout=out)
    people = Person.objects.filter(death_date__isnull=True).count()
    records = HealthRecord.objects.filter(status="active").count()
    assert 0.75 < records / people < 0.95  # about 85% of residents have a file
    assert Form.objects.filter(kind="personal_info").exists()


def test_no_records_leaves_them_to_generate_records(db):
    call_command("generate", residents=200, seed=3, as_of=AS_OF, no_progress=True, no_records=True)
    assert Person.objects.exists() and not HealthRecord.objects.exists()
    call_command("generate_records", as_of=AS_OF, no_progress=True, stdout=StringIO())
    assert HealthRecord.objects.exists()
