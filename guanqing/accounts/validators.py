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
