"""What the 汇爱 fund puts on the home page (工作台), by role:

- the fund officer: the applications waiting for its decision, the approved ones to pay, the
  bank balance and this year's donations;
- the committee: the applications waiting for its decision and the balance;
- a unit administrator: its unit's applications in preparation and under way;
- a member: its own application under way, only when it has one.

Every number links to the page listing what it counts; a few queries per section.
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanqing.core.calendar.workdays import business_date
from guanqing.core.roles import Role
from guanqing.core.ui.home import HomeSection
from guanqing.fund import books, ledger
from guanqing.fund.choices import ApplicationState
from guanqing.fund.filters_aid import waiting_for
from guanqing.fund.models import AidApplication, Donation

UNDER_WAY = (ApplicationState.SUBMITTED, ApplicationState.APPROVED)


def _stat(label, value, url, tone="", unit=None):
    return {
        "label": label,
        "value": value,
        "unit": pgettext("fund", "件") if unit is None else unit,
        "url": url,
        "tone": tone,
    }


def _applications() -> str:
    return reverse("fund:aid_applications")


def _waiting(user) -> int:
    return waiting_for(AidApplication.objects.visible_to(user), user).count()


def officer_fund(request) -> dict | None:
    user = request.user
    if user.role != Role.FUND_OFFICER:
        return None
    today = business_date()
    waiting = _waiting(user)
    to_pay = AidApplication.objects.filter(state=ApplicationState.APPROVED).count()
    donated = Donation.objects.filter(received_on__year=today.year).aggregate(s=Sum("amount"))["s"]
    donated = books.money(donated)  # SQLite sums decimals in floating point
    return {
        "template": "core/home/stats.html",
        "title": _("汇爱帮扶金"),
        "note": "",
        "stats": [
            _stat(
                _("待我审批"), waiting, _applications() + "?waiting=on", "warn" if waiting else ""
            ),
            _stat(
                _("已批准待发放"),
                to_pay,
                _applications() + f"?state={ApplicationState.APPROVED}",
                "warn" if to_pay else "",
            ),
            _stat(_("账户余额"), ledger.bank_balance(), reverse("fund:books"), unit=_("元")),
            _stat(
                _("本年捐款"),
                donated,
                reverse("fund:donations") + f"?year={today.year}",
                unit=_("元"),
            ),
        ],
    }


def committee_fund(request) -> dict | None:
    user = request.user
    if user.role != Role.COMMITTEE:
        return None
    waiting = _waiting(user)
    return {
        "template": "core/home/stats.html",
        "title": _("汇爱帮扶金"),
        "note": "",
        "stats": [
            _stat(
                _("待我审批"), waiting, _applications() + "?waiting=on", "warn" if waiting else ""
            ),
            _stat(_("账户余额"), ledger.bank_balance(), reverse("fund:books"), unit=_("元")),
        ],
    }


def unit_fund(request) -> dict | None:
    user = request.user
    if user.role != Role.UNIT_ADMIN:
        return None
    counts = AidApplication.objects.visible_to(user).aggregate(
        drafts=Count("pk", filter=Q(state=ApplicationState.DRAFT)),
        under_way=Count("pk", filter=Q(state__in=UNDER_WAY)),
    )
    if not (counts["drafts"] or counts["under_way"]):
        return None
    return {
        "template": "core/home/stats.html",
        "title": _("汇爱帮扶金"),
        "note": _("本单位"),
        "stats": [
            _stat(
                _("草稿待提交"),
                counts["drafts"],
                _applications() + f"?state={ApplicationState.DRAFT}",
            ),
            _stat(
                _("审批和发放中"),
                counts["under_way"],
                _applications() + f"?state={ApplicationState.SUBMITTED}",
            ),
        ],
    }


def my_fund(request) -> dict | None:
    user = request.user
    if user.role != Role.MEMBER or not user.member_id:
        return None
    under_way = AidApplication.objects.visible_to(user).filter(state__in=UNDER_WAY).count()
    if not under_way:
        return None
    return {
        "template": "core/home/stats.html",
        "title": _("汇爱帮扶金"),
        "note": "",
        "stats": [_stat(_("我的申请办理中"), under_way, _applications())],
    }


SECTIONS = (
    HomeSection("fund.officer", officer_fund, order=20, rule="fund.pay"),
    HomeSection("fund.committee", committee_fund, order=58, rule="fund.approve"),
    HomeSection("fund.unit", unit_fund, order=58, rule="fund.apply"),
    HomeSection("fund.mine", my_fund, order=62, rule="fund.applications"),
)
