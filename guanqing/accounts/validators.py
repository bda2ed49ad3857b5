from django.core.exceptions import ValidationError


class LettersAndDigitsValidator:
    """A password must mix letters and digits."""

    def validate(self, password, user=None):
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError(
                "密码必须同时包含字母和数字 / the password must contain both letters and digits",
                code="password_letters_digits",
            )

    def get_help_text(self):
        return "密码必须同时包含字母和数字 / the password must contain both letters and digits"


class MinimumLengthValidator:
    """At least `min_length` characters (Django's own message is not translated into Chinese)."""

    def __init__(self, min_length: int = 10):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                "密码至少需要 %(min_length)d 位（当前 %(length)d 位）/ "
                "the password must have at least %(min_length)d characters",
                code="password_too_short",
                params={"min_length": self.min_length, "length": len(password)},
            )

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 位 / at least {self.min_length} characters"
