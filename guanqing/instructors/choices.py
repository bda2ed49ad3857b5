from django.db import models
from django.utils.translation import gettext_lazy as _


class TermState(models.TextChoices):
    APPOINTED = "appointed", _("在任")
    ENDED = "ended", _("已离任")


class Compliance(models.TextChoices):
    """A month of a term against its required days (derived by `rules.compliance`, never stored)."""

    MET = "met", _("已达标")
    SHORT = "short", _("未达标")
    IN_PROGRESS = "in_progress", _("本月进行中")
    NOT_DUE = "not_due", _("不在任期内")
