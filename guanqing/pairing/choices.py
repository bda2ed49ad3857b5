from django.db import models
from django.utils.translation import gettext_lazy as _


class EndReason(models.TextChoices):
    LIFTED = "lifted", _("脱困")
    MOVED = "moved", _("迁出")
    DECEASED = "deceased", _("去世")
    OTHER = "other", _("其他")


class VisitKind(models.TextChoices):
    """谈讲访帮扶: what a visit did (one visit may do several)."""

    TALK = "talk", _("谈（入户谈心）")
    BRIEF = "brief", _("讲（政策宣讲）")
    FESTIVAL = "festival", _("访（节日走访）")
    HELP = "help", _("帮（解决急难）")
    SUPPORT = "support", _("扶（就业创业扶持）")


class SupportKind(models.TextChoices):
    NONE = "none", _("无")
    EMPLOYMENT = "employment", _("就业帮扶")
    BUSINESS = "business", _("创业帮扶")
    OTHER = "other", _("其他")


class ProjectKind(models.TextChoices):
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    MEDICAL = "medical", _("医疗卫生")
    LEGAL = "legal", _("法律服务")
    TECHNOLOGY = "technology", _("科技")
    CULTURE = "culture", _("文化")
    AGRICULTURE = "agriculture", _("农业")
    OTHER = "other", _("其他")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    UNDERWAY = "underway", _("实施中")
    DONE = "done", _("已完成")
