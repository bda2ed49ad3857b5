"""Pure rules of the fund: the aid a self-paid amount earns (the committee's tiers, capped by what
is left of the person's yearly cap), the approval chain an amount needs, masking for 公示, and the
application's lifecycle table. No database access here."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanqing.core.lifecycle import Lifecycle, Step
from guanqing.core.roles import Role
from guanqing.fund.choices import ApplicationState, ApproverRole

ZERO = Decimal(0)


def tier_amount(self_paid: Decimal, tiers: Iterable) -> Decimal:
    """The aid of the tier holding `self_paid` (tiers: objects with self_paid_from,
    self_paid_below (None: no end) and amount); 0 below the first tier."""
    for tier in sorted(tiers, key=lambda t: t.self_paid_from):
        if self_paid >= tier.self_paid_from and (
            tier.self_paid_below is None or self_paid < tier.self_paid_below
        ):
            return Decimal(tier.amount)
    return ZERO


def capped(amount: Decimal, *, yearly_cap: Decimal, already: Decimal) -> Decimal:
    """`amount`, but no more than what is left of the yearly cap after `already`."""
    return max(ZERO, min(amount, yearly_cap - already))


def approval_chain(
    amount: Decimal, *, officer_alone_below: Decimal, second_committee_from: Decimal
):
    """The roles that approve `amount`, in order: the fund officer alone below the first threshold;
    then the committee too; from the second threshold a second (different) committee member."""
    chain = [ApproverRole.FUND_OFFICER]
    if amount >= officer_alone_below:
        chain.append(ApproverRole.COMMITTEE)
    if amount >= second_committee_from:
        chain.append(ApproverRole.COMMITTEE)
    return [str(role) for role in chain]


def mask_name(name: str) -> str:
    """张三丰 → 张**, 欧阳娜娜 → 欧***: the family name's first character and one star a character."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


# --- the application's lifecycle -------------------------------------------------------------

DRAFT = ApplicationState.DRAFT
SUBMITTED = ApplicationState.SUBMITTED
APPROVED = ApplicationState.APPROVED
PAID = ApplicationState.PAID
REJECTED = ApplicationState.REJECTED
WITHDRAWN = ApplicationState.WITHDRAWN

PREPARERS = {Role.UNIT_ADMIN, Role.FUND_OFFICER}
APPROVERS = {Role.FUND_OFFICER, Role.COMMITTEE}

APPLICATION = Lifecycle(
    "aid_application",
    [
        Step("edit", {DRAFT}, DRAFT, roles=PREPARERS, label=pgettext_lazy("fund", "修改")),
        Step(
            "submit", {DRAFT}, SUBMITTED, roles=PREPARERS, label=pgettext_lazy("fund", "提交审批")
        ),
        Step(
            "withdraw",
            {DRAFT, SUBMITTED},
            WITHDRAWN,
            roles=PREPARERS,
            label=pgettext_lazy("fund", "撤回"),
        ),
        # approving the last step of the chain moves it to approved; an earlier one keeps it
        # submitted (the service decides between the two)
        Step("approve", {SUBMITTED}, None, roles=APPROVERS, label=pgettext_lazy("fund", "同意")),
        Step(
            "reject", {SUBMITTED}, REJECTED, roles=APPROVERS, label=pgettext_lazy("fund", "不同意")
        ),
        Step(
            "pay", {APPROVED}, PAID, roles={Role.FUND_OFFICER}, label=pgettext_lazy("fund", "发放")
        ),
    ],
    states=ApplicationState.choices,
)

NOT_YOUR_STEP = _("这一步由%(role)s审批")
ALREADY_APPROVED = _("同一申请的审批链中，一人只能审批一次")
OWN_APPLICATION = _("不能审批本人经办或本人受助的申请")
