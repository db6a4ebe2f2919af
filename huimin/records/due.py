"""Due services: keeps each record's DueService rows in step with its forms and
programmes (the schedule rules are pure, in schedule.py)."""


def refresh(record) -> None:
    """Recompute the record's due services. Filled in by the schedule work."""
