from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MatterKind(models.TextChoices):
    IMMEDIATE = "immediate", _("即办件")  # completed the same day
    PROMISED = "promised", _("承诺件")  # completed within the promised working days


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("原件")
    COPY = "copy", _("复印件")
    BOTH = "both", _("原件及复印件")
    ELECTRONIC = "electronic", _("电子材料")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("个人")
    ENTERPRISE = "enterprise", _("企业")


class CaseState(models.TextChoices):
    CORRECTION = (
        "correction",
        _("待补正"),
    )  # asked to bring what is missing; the clock has not started
    REFUSED = "refused", _("不予受理")
    ACCEPTED = "accepted", _("办理中")
    PAUSED = "paused", _("已中止")  # a pause under 行政许可法 §45 stops the clock
    COMPLETED = "completed", _("已办结")
    DELIVERED = "delivered", _("已送达")
    TERMINATED = "terminated", _("已终止")  # a 容缺 promise not kept by its date


# The clock runs (or is stopped by a pause) between acceptance and completion.
OPEN_STATES = (CaseState.ACCEPTED, CaseState.PAUSED)
DONE_STATES = (CaseState.COMPLETED, CaseState.DELIVERED)


class Outcome(models.TextChoices):
    APPROVED = "approved", _("准予许可")
    DENIED = "denied", _("不予许可")


class PauseKind(models.TextChoices):
    HEARING = "hearing", _("听证")
    INSPECTION = "inspection", _("检验检测")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    SITE_SURVEY = "site_survey", _("现场勘查")
    OTHER = "other", pgettext_lazy("pause kind", "其他")


class CaseEventKind(models.TextChoices):
    CORRECTION = "correction", _("一次性告知补正")
    REFUSE = "refuse", _("不予受理")
    ACCEPT = "accept", _("受理")
    SUPPLY = "supply", _("补齐容缺材料")
    PAUSE = "pause", _("中止")
    RESUME = "resume", _("恢复")
    COMPLETE = "complete", _("办结")
    DELIVER = "deliver", _("送达")
    TERMINATE = "terminate", _("终止")
