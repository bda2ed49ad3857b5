"""Pairing pages: a member's own pairings with the visit form, and the compliance board.

Every read starts from `Pairing.objects.visible_to(request.user)`: a pairing outside the user's
scope answers 404 exactly like a missing one. The only write is `services.visit_record`.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanqing.core.htmx import add_service_errors
from guanqing.pairing import compliance, rules, services
from guanqing.pairing.forms import VisitForm
from guanqing.pairing.models import Pairing, Visit
from guanqing.pairing.rules import PeriodKind, Status
from guanqing.registry.models import Unit

# What a badge says and how it looks, by status.
STATUS_BADGES = {
    Status.DONE: (gettext_lazy("已完成"), "ok"),
    Status.DUE: (gettext_lazy("待走访"), "info"),
    Status.DUE_SOON: (gettext_lazy("即将到期"), "warn"),
    Status.OVERDUE: (gettext_lazy("已逾期"), "accent"),
    Status.UPCOMING: (gettext_lazy("未开始"), "muted"),
    Status.NOT_OWED: (gettext_lazy("不计"), "muted"),
}
BOARD_ROLES = ("committee", "unit_admin")


def _roles(*roles, message):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


member_view = _roles("member", message=gettext_lazy("只有结对党员使用此页面"))
board_view = _roles(*BOARD_ROLES, message=gettext_lazy("只有单位管理员和市直机关工委查看走访情况"))


def _badge(status: str) -> dict:
    label, tone = STATUS_BADGES[Status(status)]
    return {"status": status, "label": label, "tone": tone}


def _current_rows(rows: list[dict], today) -> tuple[dict | None, dict | None]:
    """This quarter's row and the festival window's: the one running today, else the last begun."""
    quarter = next(
        (r for r in rows if r["kind"] == PeriodKind.QUARTER and r["start"] <= today <= r["end"]),
        None,
    )
    festivals = [r for r in rows if r["kind"] != PeriodKind.QUARTER and r["start"] <= today]
    festival = festivals[-1] if festivals else None
    return quarter, festival


def _with_badge(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {**row, "badge": _badge(row["status"])}


# ---------------------------------------------------------------------------------------------
# A member's pairings and the visit form
# ---------------------------------------------------------------------------------------------


@member_view
def mine(request):
    today = timezone.localdate()
    pairings = (
        Pairing.objects.visible_to(request.user)
        .active()
        .select_related("household", "household__community", "unit")
        .order_by("household__head_name", "pk")
    )
    cards = []
    for pairing in pairings:
        quarter, festival = _current_rows(
            compliance.pairing_year(pairing, today.year, today), today
        )
        cards.append(
            {
                "pairing": pairing,
                "quarter": _with_badge(quarter),
                "festival": _with_badge(festival),
            }
        )
    return render(request, "pairing/mine.html", {"cards": cards, "today": today})


# service error key -> form field
PHOTO_KEYS = ("photos", "photos[0]")


def _visit_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        add_service_errors(form, exc)
        return
    for key, messages_ in exc.message_dict.items():
        field = "photo" if key in PHOTO_KEYS else key
        if field == "participants":
            # the signed-in member is the participant: its refusal is about the date held
            field = "date"
        add_service_errors(form, ValidationError({field: messages_}))


@member_view
def visit_create(request, pk):
    pairing = get_object_or_404(
        Pairing.objects.visible_to(request.user).select_related("household", "unit"), pk=pk
    )
    if not pairing.is_active:
        raise PermissionDenied(_("该结对已结束，不能再记录走访"))
    if request.method == "POST":
        form = VisitForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.visit_record(
                    actor=request.user,
                    pairing=pairing,
                    participants=[request.user.member],
                    **form.service_data(),
                )
            except ValidationError as exc:
                _visit_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已记录对%(name)s户的走访") % {"name": pairing.household.head_name},
                )
                return redirect("pairing:mine")
    else:
        form = VisitForm()
    return render(request, "pairing/visit_form.html", {"form": form, "pairing": pairing})


# ---------------------------------------------------------------------------------------------
# The board
# ---------------------------------------------------------------------------------------------


def _period_choices(today, config) -> list[tuple[str, str]]:
    """Quarters and festival windows of this year and last year that have begun, newest first."""
    periods = [
        period
        for year in (today.year - 1, today.year)
        for period in rules.periods_of_year(year, config)
        if period.start <= today
    ]
    periods.sort(key=lambda p: (p.start, p.kind != PeriodKind.QUARTER), reverse=True)
    return [(compliance.period_key(p), p.label) for p in periods]


def _rated(rows: list[dict]) -> list[dict]:
    for row in rows:
        rate = row["compliance_rate"]
        row["pct"] = None if rate is None else round(rate * 100, 1)
    return rows


@board_view
def board(request):
    user = request.user
    today = timezone.localdate()
    config = compliance.current_config()
    choices = _period_choices(today, config)
    keys = [key for key, _label in choices]
    # By default the newest period that has ended: the one whose misses are already overdue.
    ended = [key for key in keys if compliance.parse_period(key, config).end < today]
    period_key = request.GET.get("period") or (ended[0] if ended else keys[0])
    if period_key not in keys:
        period_key = keys[0]
    period = compliance.parse_period(period_key, config)
    scoped = Pairing.objects.visible_to(user)
    units = []
    unit = None
    if user.is_committee:
        units = list(Unit.objects.visible_to(user).order_by("name").values("pk", "name"))
        chosen = request.GET.get("unit") or ""
        if chosen.isdigit():
            unit = get_object_or_404(Unit.objects.visible_to(user), pk=int(chosen))
    else:
        unit = user.unit
    context = {
        "period_choices": choices,
        "period_key": period_key,
        "units": units,
        "unit": unit,
        "today": today,
    }
    if unit is not None:
        data = compliance.unit_board(scoped, unit, period, today, config)
        for row in data["pairings"]:
            row["badge"] = _badge(row["status"])
        context["board"] = data
    else:
        data = compliance.city_board(scoped, period, today, config)
        # the units slipping most come first
        data["by_unit"] = sorted(
            _rated(data["by_unit"]), key=lambda r: (r["pct"] is None, r["pct"] or 0)
        )
        _rated(data["by_district"])
        context["board"] = data
    totals = data["totals"]
    rate = totals["compliance_rate"]
    totals["pct"] = None if rate is None else round(rate * 100, 1)
    return render(request, "pairing/board.html", context)


HOUSEHOLD_VISITS_SHOWN = 50


def household_visits_section(request, household) -> dict | None:
    """The household page's 走访记录: the visits the viewer may see, newest first."""
    visits = Visit.objects.visible_to(request.user).filter(pairing__household=household)
    totals = visits.aggregate(
        count=Count("pk"), cash=Sum("cash_amount"), in_kind=Sum("in_kind_value")
    )
    if not totals["count"]:
        return None
    shown = list(
        visits.select_related("pairing__unit").prefetch_related("participants")[
            :HOUSEHOLD_VISITS_SHOWN
        ]
    )
    return {
        "template": "pairing/household_visits.html",
        "visits": shown,
        "count": totals["count"],
        "cash": totals["cash"] or 0,
        "in_kind": totals["in_kind"] or 0,
        "more": totals["count"] - len(shown),
    }
