from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "guanqing.core"
    label = "core"
    verbose_name = "核心 Core"

    def ready(self):
        from django.core import validators

        from guanqing.core import text
        from guanqing.core.scope import checks  # noqa: F401 - registers the scope check

        # Forms and the API refuse a NUL byte with this validator; Django's Chinese for its
        # message reads "empty string not allowed". Say what is wrong, like every other control
        # character (the error names the field).
        validators.ProhibitNullCharactersValidator.message = text.CONTROL_MESSAGE
