"""Choices of the 汇爱 mutual-aid fund."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccountKind(models.TextChoices):
    """The ledger's account kinds. Assets and expenses grow by debits, income by credits."""

    ASSET = "asset", _("资产")
    INCOME = "income", _("收入")
    EXPENSE = "expense", _("支出")


class TransactionKind(models.TextChoices):
    DONATION = "donation", _("捐款")
    AID = "aid", _("帮扶金支付")
    INTEREST = "interest", _("利息")
    FEE = "fee", _("手续费")
    REVERSAL = "reversal", _("冲正")


class DonationSource(models.TextChoices):
    UNIT = "unit", _("单位捐款")
    MEMBER = "member", _("职工个人捐款")


class Relation(models.TextChoices):
    """Whose illness: the member of staff or close family."""

    SELF = "self", _("本人")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")


class Diagnosis(models.TextChoices):
    """Diagnosis categories (重大疾病类别) — sensitive personal information under PIPL."""

    CANCER = "cancer", _("恶性肿瘤")
    UREMIA = "uremia", _("尿毒症（肾透析）")
    TRANSPLANT = "transplant", _("器官移植")
    CARDIO = "cardio", _("重大心脑血管疾病")
    LEUKEMIA = "leukemia", _("白血病")
    NERVE = "nerve", _("重大神经系统疾病")
    INJURY = "injury", _("严重意外伤害")
    OTHER = "other", _("其他重大疾病")


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("审批中")
    APPROVED = "approved", _("已批准")
    PAID = "paid", _("已发放")
    REJECTED = "rejected", _("未批准")
    WITHDRAWN = "withdrawn", _("已撤回")


class ApproverRole(models.TextChoices):
    """Who approves a step of an application's chain."""

    FUND_OFFICER = "fund_officer", _("帮扶金经办人")
    COMMITTEE = "committee", _("机关工委")


class Decision(models.TextChoices):
    APPROVE = "approve", pgettext_lazy("fund", "同意")
    REJECT = "reject", pgettext_lazy("fund", "不同意")


class DocumentKind(models.TextChoices):
    DIAGNOSIS = "diagnosis", _("诊断证明")
    INVOICE = "invoice", _("医疗费用票据")
    SETTLEMENT = "settlement", _("医保结算单")
    OTHER = "other", _("其他材料")
