"""Record loans (借阅) reach health records: a person lent to a user brings their file,
forms, programmes and due services with them (read only: writes check jurisdiction)."""

from django.db.models import Q

from huimin.accounts.loans import active_loan_person_ids
from huimin.records.models import DueService, Form, HealthRecord, Programme


def record_loan_scope(user, model):
    if model not in (HealthRecord, Form, Programme, DueService):
        return None
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    ids = active_loan_person_ids(user)
    if not ids:
        return None
    return Q(person_id__in=ids)
