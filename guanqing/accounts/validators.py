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
