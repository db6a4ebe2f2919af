"""What an audited read names: the rows shown and the residents they concern."""

from huimin.audit import ids
from huimin.audit.models import AuditEvent, AuditEventPerson


def rows_named(event: AuditEvent) -> set[int]:
    return set(ids.from_ranges((event.changes or {}).get("ids", "")))


def people_named(event: AuditEvent) -> set[int]:
    """The residents indexed for the event; the hashed content must say the same."""
    indexed = set(AuditEventPerson.objects.filter(event=event).values_list("person_id", flat=True))
    hashed = set(ids.from_ranges((event.changes or {}).get("person_ids", "")))
    assert indexed == hashed, (indexed, hashed)
    return indexed
