from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PlaceKind(models.TextChoices):
    GRASSROOTS = "grassroots", _("基层单位")
    VILLAGE = "village", _("村（社区）")
    ENTERPRISE = "enterprise", _("企业")


class Urgency(models.TextChoices):
    """Sets a problem's working-day limit (FrontlineSettings)."""

    EMERGENCY = "emergency", _("紧急")  # the same working day
    ENQUIRY = "enquiry", _("咨询")
    COMPLAINT = "complaint", _("投诉")
    PROBLEM = "problem", _("求助")


class ProblemSource(models.TextChoices):
    OUTREACH = "outreach", _("走访收集")
    PUBLIC = "public", _("群众网上反映")
    OPEN311 = "open311", _("Open311 接入")
    WINDOW = "window", _("窗口转办")
    HOTLINE = "hotline", _("12345/81890 转办")
    INSTRUCTOR = "instructor", _("农村工作指导员")


class ProblemState(models.TextChoices):
    RECEIVED = "received", _("待派单")
    ASSIGNED = "assigned", _("已派单")
    RETURNED = "returned", _("已退单")
    HANDLING = "handling", _("办理中")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已并单")  # follows its master problem


OPEN_STATES = (
    ProblemState.RECEIVED,
    ProblemState.ASSIGNED,
    ProblemState.RETURNED,
    ProblemState.HANDLING,
)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class ExtensionDecision(models.TextChoices):
    APPROVED = "approved", _("同意延期")
    REFUSED = "refused", _("不同意延期")


class ProblemEventKind(models.TextChoices):
    REPORT = "report", pgettext_lazy("problem", "受理")
    DISPATCH = "dispatch", _("派单")
    RETURN = "return", _("退单")
    REASSIGN = "reassign", _("改派")
    ACCEPT = "accept", _("签收")
    PROGRESS = "progress", _("办理进展")
    EXTENSION_REQUEST = "ext_request", _("申请延期")
    EXTENSION_DECISION = "ext_decision", _("延期审批")
    URGE = "urge", _("催办")
    NOTICE = "notice", _("通报")
    MERGE = "merge", _("并单")
    ANSWER = "answer", _("办结答复")
    CALLBACK = "callback", _("回访")
    RATE = "rate", _("评价")
    REOPEN = "reopen", _("重新办理")
