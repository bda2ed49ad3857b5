"""The choices of the training rotations (轮训)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SCHEDULED = "scheduled", _("已排期")
    CLOSED = "closed", _("已结束")


class LeaderRole(models.TextChoices):
    PRINCIPAL = "principal", _("正职")
    DEPUTY = "deputy", _("副职")
    OTHER = "other", _("其他")


class Inclusion(models.TextChoices):
    """Why a participant is on the plan: by the plan's ranks, or named by the committee."""

    RANK = "rank", _("按职级")
    ADDED = "added", _("增列")


class SolveStatus(models.TextChoices):
    NONE = "", _("未求解")
    OPTIMAL = "OPTIMAL", _("最优")
    FEASIBLE = "FEASIBLE", _("可行")
    INFEASIBLE = "INFEASIBLE", _("无解")
    UNKNOWN = "UNKNOWN", _("未知")


class UnavailabilitySource(models.TextChoices):
    UNIT = "unit", _("单位录入")
    MEMBER = "member", _("本人录入")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("出勤")
    ABSENT = "absent", _("缺勤")
    EXCUSED = "excused", _("请假")


class AttendanceMethod(models.TextChoices):
    """How a day's attendance was recorded: the member's check-in code, or the organiser's list."""

    CODE = "code", _("签到码")
    LIST = "list", _("组织者登记")
