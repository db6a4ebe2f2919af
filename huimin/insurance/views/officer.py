"""What the officer's pages share: labels, error rendering, paging, audited listings."""

from django.conf import settings

from huimin.core.errors import DomainError
from huimin.insurance.models import VisitType
from huimin.policy import reads

VISIT_TYPES = dict(VisitType.choices)
LABELS = {
    "document": "方案",
    "reason": "原因",
    "month": "清算月份",
    "institution": "医疗机构",
    "file": "文件",
}


def error_of(exc: DomainError) -> dict:
    fields = {}
    for key, reason in exc.fields.items():
        # Plan problems come as "document.<path>": the path is what the office reads.
        label = key.removeprefix("document.") if key.startswith("document.") else key
        fields[LABELS.get(label, label)] = reason
    return {"message": exc.message, "fields": fields}


def form_error(form) -> dict:
    return {
        "message": "输入有误，请检查后重试",
        "fields": {
            (form.fields[k].label if k in form.fields else "输入"): " ".join(v)
            for k, v in form.errors.items()
        },
    }


def page_size() -> int:
    return settings.HUIMIN_PAGE_SIZE


def with_labels(settlements):
    for s in settlements:
        s.visit_type_label = VISIT_TYPES.get(s.visit_type, s.visit_type)
        s.fund = s.basic_fund + s.critical_illness + s.assistance
    return settlements


def audit_rows(request, rows, query_kind: str, object_type="insurance.settlement") -> None:
    """Who saw which rows of a list, and whose they are: one event per page."""
    reads.audit_listing(
        request.user,
        model_label=object_type,
        rows=rows,
        query_description=query_kind,
        request=request,
    )


def query_without(request, *names) -> str:
    """The current query string without the pager's keys (for the next-page links)."""
    q = request.GET.copy()
    for name in names:
        q.pop(name, None)
    return q.urlencode()
