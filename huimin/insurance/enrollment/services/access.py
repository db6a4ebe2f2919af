"""Who may read and write enrollment, and manage a region's periods."""

import datetime

from django.utils import timezone

from huimin.core.errors import NotFound, PermissionDenied
from huimin.insurance.enrollment.models import Enrollment
from huimin.policy import check_perm, has_perm
from huimin.registry.services import check_can_write

PERIOD_PERMISSION = "enrollment.manage"
LEDGER_SOURCE = "enrollment.payment"


def today() -> datetime.date:
    return timezone.localdate()


# ---------------------------------------------------------------- access


def can_read(user) -> bool:
    return has_perm(user, "person.read")


def can_write(user) -> bool:
    return has_perm(user, "registry.write")


def can_manage_periods(user) -> bool:
    return has_perm(user, PERIOD_PERMISSION)


def check_can_read(user) -> None:
    if not can_read(user):
        raise PermissionDenied("您的角色不能查看参保缴费信息")


def check_period_manager(user, region_code: str) -> None:
    check_perm(
        user,
        PERIOD_PERMISSION,
        region_code,
        message="只有县医保经办人员可以管理参保登记期",
        scope_message="该统筹区不在您的辖区内",
    )


def locked_enrollment(user, enrollment_id: int) -> Enrollment:
    """The enrollment, visible to the user, locked; NotFound otherwise. Checks writing."""
    visible = Enrollment.objects.visible_to(user).filter(pk=enrollment_id)
    if not visible.exists():
        raise NotFound("参保登记")
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("period", "person")
        .get(pk=enrollment_id)
    )
    check_can_write(user, enrollment.region_code)
    return enrollment
