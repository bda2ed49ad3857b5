from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class LettersAndDigitsValidator:
    """A password must mix letters and digits."""

    def validate(self, password, user=None):
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError(
                _("密码必须同时包含字母和数字"),
                code="password_letters_digits",
            )

    def get_help_text(self):
        return _("密码必须同时包含字母和数字")


class MinimumLengthValidator:
    """At least `min_length` characters (Django's own message is not translated into Chinese)."""

    def __init__(self, min_length: int = 10):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                _("密码至少需要 %(min_length)d 位（当前 %(length)d 位）"),
                code="password_too_short",
                params={"min_length": self.min_length, "length": len(password)},
            )

    def get_help_text(self):
        return _("密码至少需要 %(min_length)s 位") % {"min_length": self.min_length}


class HistoryValidator:
    """Not the current password nor one of the last few (the security policy's
    `password_history`), compared against the stored hashes."""

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        from django.contrib.auth.hashers import check_password

        from guanqing.core.policy import current_policy

        count = current_policy().password_history
        if not count:
            return
        # The hash in the database, not user.password: the caller may already have set the new one.
        from guanqing.accounts.models import User

        current = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
        earlier = list(user.password_history.values_list("password", flat=True)[: count - 1])
        for hashed in [current, *earlier]:
            if hashed and check_password(password, hashed):
                raise ValidationError(
                    _("不能使用最近 %(count)d 次用过的密码"),
                    code="password_reused",
                    params={"count": count},
                )

    def get_help_text(self):
        return _("不能与最近几次用过的密码相同")
