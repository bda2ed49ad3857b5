from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceRole(models.TextChoices):
    """六员: the six roles a member serves its home community in."""

    SAFETY = "safety", _("维稳安全员")
    POLICY = "policy", _("政策法规宣传员")
    DEVELOPMENT = "development", _("社区发展参议员")
    CIVILITY = "civility", _("文明建设示范员")
    WELFARE = "welfare", _("公益事业促进员")
    WARMTH = "warmth", _("爱心温暖输送员")


class ActivityRole(models.TextChoices):
    """The role an activity is for: one of the six, or every member."""

    ALL = "all", _("全体党员")
    SAFETY = "safety", _("维稳安全员")
    POLICY = "policy", _("政策法规宣传员")
    DEVELOPMENT = "development", _("社区发展参议员")
    CIVILITY = "civility", _("文明建设示范员")
    WELFARE = "welfare", _("公益事业促进员")
    WARMTH = "warmth", _("爱心温暖输送员")


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("未通过")


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", _("已发布")
    CANCELLED = "cancelled", _("已取消")


class SignupStatus(models.TextChoices):
    SIGNED_UP = "signed_up", _("已报名")
    CANCELLED = "cancelled", _("已取消")


class Grade(models.TextChoices):
    """The community's half-yearly rating of a registered member (双评价)."""

    EXCELLENT = "excellent", _("优秀")
    COMPETENT = "competent", _("称职")
    BASIC = "basic", _("基本称职")
    INCOMPETENT = "incompetent", _("不称职")
