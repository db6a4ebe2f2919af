"""Documents activated with four eyes: upload, activate by a second person, reject.

A benefit plan and a review rule set (core.FourEyesDocument) live the same life: one
holder of the managing permission uploads the document, which is validated whole; a
second, different holder activates it, which supersedes the one in force for the same
region and year in the same transaction; or either sends the draft back with a reason.
Every step is audited. Separation of duties is an access rule, so it lives here, once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from huimin.audit.services import record
from huimin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huimin.core.models import DocumentStatus, FourEyesDocument
from huimin.policy.permissions import check_perm

MAX_DOCUMENT_CHARS = 64_000
MAX_REASON_CHARS = 200


@dataclass(frozen=True)
class FourEyesDocuments:
    """The life cycle of one kind of document.

    `check_document(text)` parses strictly and raises ValidationFailed naming every
    problem; what it returns has `region`, `year` and `name`."""

    model: type[FourEyesDocument]
    object_type: str  # audit object type, e.g. "insurance.plan"
    label: str  # what people call it: "结算方案"
    permission: str
    check_document: Callable[[str], Any]
    code: str  # machine-code stem: "plan" → "plan_invalid", "plan_not_draft"

    def check_manager(self, user, region_code: str | None = None) -> None:
        check_perm(
            user,
            self.permission,
            region_code,
            message=f"无权管理{self.label}",
            scope_message=f"统筹区 {region_code} 不在您的辖区内",
        )

    def get(self, user, row_id: int) -> FourEyesDocument:
        """A document of the user's jurisdiction, or NotFound (another county's is not
        there for them)."""
        self.check_manager(user)
        row = (
            self.model.objects.visible_to(user)
            .select_related("uploaded_by", "activated_by")
            .filter(pk=row_id)
            .first()
        )
        if row is None:
            raise NotFound(self.label)
        return row

    def check_upload(self, user, document: str):
        """Every problem with the text at once, then whether its region is the user's."""
        self.check_manager(user)
        if not document.strip():
            raise ValidationFailed(
                {"document": f"请粘贴或上传{self.label}YAML"}, code=f"{self.code}_invalid"
            )
        if len(document) > MAX_DOCUMENT_CHARS:
            raise ValidationFailed(
                {"document": f"{self.label}文本过长（不超过{MAX_DOCUMENT_CHARS}个字符）"},
                code=f"{self.code}_invalid",
            )
        parsed = self.check_document(document)
        self.check_manager(user, parsed.region)
        return parsed

    def upload(self, user, document: str, note: str = "", *, request=None) -> FourEyesDocument:
        parsed = self.check_upload(user, document)
        with transaction.atomic():
            row = self.model.objects.create(
                region_code=parsed.region,
                year=parsed.year,
                name=parsed.name[:100],
                document=document,
                uploaded_by=user,
                note=note[:MAX_REASON_CHARS],
            )
            record(
                action="create",
                object_type=self.object_type,
                object_id=str(row.pk),
                region_code=row.region_code,
                fields=["document"],
                purpose=f"上传{self.label} {row.year}",
                actor=user,
                request=request,
            )
        return row

    def _locked_draft(self, user, row_id: int, doing: str) -> FourEyesDocument:
        # No key update: rows that reference the document (settlements, findings) keep
        # committing meanwhile (their foreign-key check takes KEY SHARE) and cannot
        # deadlock with us.
        row = self.model.objects.select_for_update(no_key=True).filter(pk=row_id).first()
        if row is None:
            raise NotFound(self.label)
        self.check_manager(user, row.region_code)
        if row.status != DocumentStatus.DRAFT:
            raise Conflict(f"{self.code}_not_draft", f"只有待启用的{self.label}可以{doing}")
        return row

    def activate(self, user, row_id: int, *, request=None) -> FourEyesDocument:
        """Never by the uploader (the table refuses it too). The document is checked
        again: what it is read against may have changed since it was uploaded."""
        self.check_manager(user)
        with transaction.atomic():
            row = self._locked_draft(user, row_id, "启用")
            if row.uploaded_by_id == user.pk:
                raise PermissionDenied(
                    f"上传人不能启用自己上传的{self.label}，须由另一位有权人员复核启用",
                    code="four_eyes",
                )
            self.check_document(row.document)
            previous = list(
                self.model.objects.select_for_update(no_key=True)
                .filter(region_code=row.region_code, year=row.year, status=DocumentStatus.ACTIVE)
                .values_list("pk", flat=True)
            )
            self.model.objects.filter(pk__in=previous).update(status=DocumentStatus.SUPERSEDED)
            row.status = DocumentStatus.ACTIVE
            row.activated_by = user
            row.activated_at = timezone.now()
            row.save(update_fields=["status", "activated_by", "activated_at"])
            record(
                action="approve",
                object_type=self.object_type,
                object_id=str(row.pk),
                region_code=row.region_code,
                changes={"status": ["draft", "active"], "superseded": previous},
                purpose=f"启用{self.label} {row.year}",
                actor=user,
                request=request,
            )
        return row

    def reject(self, user, row_id: int, reason: str, *, request=None) -> FourEyesDocument:
        """A draft goes back with the reason in its note (the uploader may withdraw
        their own)."""
        self.check_manager(user)
        reason = (reason or "").strip()
        if not reason:
            raise ValidationFailed({"reason": "退回须说明原因"})
        if len(reason) > MAX_REASON_CHARS:
            raise ValidationFailed({"reason": f"原因不能超过{MAX_REASON_CHARS}个字符"})
        with transaction.atomic():
            row = self._locked_draft(user, row_id, "退回")
            old_note = row.note
            row.status = DocumentStatus.REJECTED
            row.note = reason
            row.save(update_fields=["status", "note"])
            record(
                action="reject",
                object_type=self.object_type,
                object_id=str(row.pk),
                region_code=row.region_code,
                changes={"status": ["draft", "rejected"], "note": [old_note, reason]},
                reason=reason,
                purpose=f"退回{self.label} {row.year}",
                actor=user,
                request=request,
            )
        return row
