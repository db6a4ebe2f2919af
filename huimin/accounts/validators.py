"""Password validators (AUTH_PASSWORD_VALIDATORS): strength, and no reuse of recent ones.

Django calls `password_changed` on every validator after any save that set a password
(set_password + save, create_user, createsuperuser, demo_accounts), so the history and
the password's age are kept whichever code path set it.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, is_password_usable
from django.core.exceptions import ValidationError
from django.utils import timezone

from huimin.accounts import rules
from huimin.accounts.models import AccountState, PasswordHistory


class ComplexityValidator:
    """Length, all four character classes together, and not the username inside.

    OPTIONS in AUTH_PASSWORD_VALIDATORS: min_length (settings read
    HUIMIN_PASSWORD_MIN_LENGTH), min_classes (4: upper, lower, digit and symbol),
    forbid_username.
    """

    def __init__(
        self,
        min_length: int = rules.MIN_LENGTH,
        min_classes: int = rules.MIN_CLASSES,
        forbid_username: bool = True,
    ):
        self.min_length = min_length
        self.min_classes = min_classes
        self.forbid_username = forbid_username

    def validate(self, password, user=None):
        username = user.get_username() if user is not None and self.forbid_username else ""
        problems = rules.password_strength_problems(
            password, username, min_length=self.min_length, min_classes=self.min_classes
        )
        if problems:
            raise ValidationError("；".join(problems), code="password_too_weak")

    def get_help_text(self):
        classes = (
            "同时包含大写字母、小写字母、数字和符号"
            if self.min_classes >= 4
            else f"包含大写字母、小写字母、数字、符号中的至少{self.min_classes}类"
        )
        name = "，且不能包含用户名" if self.forbid_username else ""
        return f"密码至少{self.min_length}位，{classes}{name}。"


class PasswordHistoryValidator:
    """Not one of the user's last five passwords (the current one included)."""

    def __init__(self, depth: int = rules.HISTORY_DEPTH):
        self.depth = depth

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        history = PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)
        hashes = list(history[: self.depth])
        # create_user() stores a hash without telling the validators: the current
        # password is then missing from the history but is still one of the last five.
        users = get_user_model().objects
        current = users.filter(pk=user.pk).values_list("password", flat=True).first()
        if current and current not in hashes:
            hashes = [current, *hashes[: self.depth - 1]]
        if any(check_password(password, h) for h in hashes):
            raise ValidationError(f"不能使用最近{self.depth}次用过的密码", code="password_reused")

    def password_changed(self, password, user=None):
        if user is None or user.pk is None:
            return
        now = timezone.now()
        newest = PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)
        if newest.first() != user.password:  # a new account may have been recorded already
            PasswordHistory.objects.create(user_id=user.pk, password=user.password, created_at=now)
        keep = PasswordHistory.objects.filter(user_id=user.pk).values_list("pk", flat=True)[
            : self.depth
        ]
        PasswordHistory.objects.filter(user_id=user.pk).exclude(pk__in=list(keep)).delete()
        # A new password clears "must change"; an administrator's reset sets it again after.
        AccountState.objects.update_or_create(
            user_id=user.pk,
            defaults={"password_changed_at": now, "must_change_password": False},
        )

    def get_help_text(self):
        return f"不能使用最近{self.depth}次用过的密码。"


def record_initial_password(sender, instance, created, raw=False, **kwargs):
    """post_save of a new user: create_user() sets the hash without telling validators.

    Without this, an account's first password would be missing from its history and its
    age would be unknown.
    """

    if not created or raw or not is_password_usable(instance.password):
        return
    PasswordHistory.objects.create(user_id=instance.pk, password=instance.password)
    AccountState.objects.get_or_create(
        user_id=instance.pk, defaults={"password_changed_at": timezone.now()}
    )
