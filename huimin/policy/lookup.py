"""Read one row for display: scoped, audited, or 404 with the refusal audited."""

from huimin.audit.services import record
from huimin.core.errors import NotFound
from huimin.policy import reads
from huimin.policy.scope import visible_to


def region_of(obj, path: str) -> str | None:
    """The region code of a row along its queryset's `region_field` path, without a
    query when the path ends at a foreign key's target primary key ("village__code")."""
    parts = path.split("__")
    for i, part in enumerate(parts):
        if i == len(parts) - 2:
            field = obj._meta.get_field(part)
            if field.is_relation and field.target_field.name == parts[-1]:
                return getattr(obj, field.attname)
        obj = getattr(obj, part)
        if obj is None:
            return None
    return obj


def get_visible_or_404(
    user,
    queryset,
    pk,
    purpose: str = "",
    *,
    request=None,
    object_type: str | None = None,
    fields: list[str] | None = None,
    what: str = "记录",
    reason: str = "out_of_jurisdiction",
    person_ids=None,
):
    """Row `pk` of `queryset` (a model or a queryset) if `user` may see it, with the
    read recorded in the audit log (in the caller's transaction); otherwise NotFound
    (404). A row that exists but lies outside the user's scope is recorded as a refused
    read, so probing for other people's records leaves a trace; a row that does not
    exist at all is not an event.

    The read names the residents whose data the row shows (`person_ids(row)` when
    given, else worked out from the row: a person, a household's members, a row's
    person) and the record loan it is read under, if any (policy/reads.py)."""
    qs = visible_to(user, queryset)
    model = qs.model
    object_type = object_type or model._meta.label_lower
    obj = qs.filter(pk=pk).first()
    if obj is None:
        region = (
            model._default_manager.filter(pk=pk).values_list(qs.region_field, flat=True).first()
        )
        if region is not None:
            record(
                action="read",
                object_type=object_type,
                object_id=str(pk),
                region_code=region,
                outcome="denied",
                reason=reason,
                purpose=purpose[:200],
                actor=user,
                request=request,
            )
        raise NotFound(what)
    people = person_ids(obj) if callable(person_ids) else person_ids
    reads.audit_read(
        user,
        model_label=object_type,
        object_id=obj.pk,
        person_ids=reads.people_of([obj]) if people is None else people,
        region_code=region_of(obj, qs.region_field) or "",
        fields=fields or (),
        purpose=purpose,
        request=request,
    )
    return obj
