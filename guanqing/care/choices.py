from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CareSystem(models.TextChoices):
    """The four systems of the care rules."""

    INCENTIVE = "incentive", _("六激励")
    TALK = "talk", _("六必谈")
    VISIT = "visit", _("六必访")
    HELP = "help", _("六必帮")


class ActorKind(models.TextChoices):
    """Who acts on an obligation (descriptive: the unit's administrators record what was done)."""

    BRANCH_SECRETARY = "branch_secretary", _("支部书记")
    PARTY_OFFICE = "party_office", _("单位党组织")
    UNIT_LEADER = "unit_leader", _("单位主要负责人")


class CareAction(models.TextChoices):
    TALK = "talk", _("谈心谈话")
    VISIT = "visit", _("走访慰问")
    HELP = "help", pgettext_lazy("care action", "帮扶")
    INCENTIVE = "incentive", pgettext_lazy("care action", "激励")


class EventSource(models.TextChoices):
    UNIT = "unit", _("单位录入")
    MEMBER = "member", _("本人报告")


class ObligationState(models.TextChoices):
    OPEN = "open", _("待落实")
    MET = "met", _("已落实")
    WAIVED = "waived", _("已免除")


class Timing(models.TextChoices):
    """An obligation against its deadline (derived by `rules.timing`, never stored)."""

    ON_TIME = "on_time", _("按时落实")
    LATE = "late", _("逾期落实")
    WAIVED = "waived", _("已免除")
    OVERDUE = "overdue", _("逾期未落实")
    PENDING = "pending", _("未到期")
