from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WishCategory(models.TextChoices):
    GOODS = "goods", _("物品")
    SERVICE = "service", _("服务")
    TRIP = "trip", _("出行")
    STUDY = "study", _("学习")
    HEALTH = "health", _("健康")
    OTHER = "other", pgettext_lazy("wish category", "其他")


class WishStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("待认领")
    FULL = "full", _("已认满")
    FULFILLED = "fulfilled", _("已实现")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("未通过")
    CANCELLED = "cancelled", _("已撤回")
    EXPIRED = "expired", _("已过期")


# The wall: what members see city-wide and may claim (a full wish stays on it, marked full).
WALL_STATUSES = (WishStatus.PUBLISHED, WishStatus.FULL)
# A wish still waiting to come true: its deadline matters.
OPEN_STATUSES = (WishStatus.PENDING, WishStatus.PUBLISHED, WishStatus.FULL)


class ClaimStatus(models.TextChoices):
    ACTIVE = "active", _("认领中")
    WITHDRAWN = "withdrawn", pgettext_lazy("claim status", "已退出")
    LAPSED = "lapsed", _("已失效")
    FULFILLED = "fulfilled", pgettext_lazy("claim status", "已实现")


class EventKind(models.TextChoices):
    POSTED = "posted", _("发布心愿")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("审核未通过")
    CLAIMED = "claimed", _("认领")
    WITHDRAWN = "withdrawn", _("退出认领")
    LAPSED = "lapsed", _("认领逾期失效")
    FULFILLED = "fulfilled", _("实现心愿")
    CONFIRMED = "confirmed", _("确认实现")
    CANCELLED = "cancelled", _("撤回心愿")
    EXPIRED = "expired", _("心愿过期")
    LINK_ISSUED = "link_issued", _("生成确认码")
