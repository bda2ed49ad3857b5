from django.db import models
from django.utils.translation import gettext_lazy as _


class PledgeState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已公布")
    CLOSED = "closed", _("已结项")


class TargetKind(models.TextChoices):
    """A manual target is reported by the lead units each month; a live one is read from another
    work method (`guanqing.pledges.metrics`)."""

    MANUAL = "manual", _("按月报送")
    LIVE = "live", _("系统实时统计")


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")


class Status(models.TextChoices):
    """How a pledge stands (derived by `rules.status`, never stored)."""

    DONE = "done", _("已完成")
    LATE = "late", _("滞后")
    AT_RISK = "at_risk", _("临近节点")
    ON_TRACK = "on_track", _("正常推进")
