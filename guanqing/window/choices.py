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


# --- 好差评 (GB/T 39734-2020) -------------------------------------------------------------------


class RatingLevel(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASIC = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


# 好评: the top two levels; 差评: the bottom two (each opens a follow-up: 核实 → 整改 → 反馈).
GOOD_LEVELS = (RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED)
BAD_LEVELS = (RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED)


class RatingRound(models.IntegerChoices):
    CASE = 1, _("办件评价")  # 一次一评: the applicant rates the completed case
    FIX = 2, _("整改评价")  # after a 差评's rectification, the applicant rates the fix


class RatingChannel(models.TextChoices):
    KIOSK = "kiosk", _("窗口评价屏")  # the page the clerk turns toward the applicant
    LINK = "link", _("评价链接/二维码")  # a one-time code, for later
    CALLBACK = "callback", _("回访")  # given to the unit during the follow-up call or visit


class FollowUpState(models.TextChoices):
    VERIFY = "verify", _("待核实")
    APPEALED = "appealed", _("申诉中")
    RECTIFY = "rectify", _("整改中")
    FEEDBACK = "feedback", _("待反馈")  # rectified; the applicant is still to be told
    AWAITING = "awaiting", _("待复评")  # told; waiting for the applicant's rating of the fix
    CLOSED = "closed", _("已办结")
    EXCLUDED = "excluded", _("申诉成立")  # a malicious rating: kept, but out of the figures


class FeedbackMethod(models.TextChoices):
    PHONE = "phone", _("电话回访")
    VISIT = "visit", _("上门回访")
    IN_PERSON = "in_person", _("当面反馈")
    SMS = "sms", _("短信")


class AppealDecision(models.TextChoices):
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉不成立")


class ZeroMeasure(models.TextChoices):
    """What the system counts as evidence against one item of the "六零" checklist in a month."""

    NONE = "", _("人工核对")
    OVERDUE = "overdue", _("逾期未办结的办件")
    LATE = "late", _("超过承诺时限办结的办件")
    BAD_RATINGS = "bad_ratings", _("差评（申诉成立的除外）")
