"""Pairing pages: a member's own pairings, the visit form, the visit list with its Excel export,
and the compliance board.

Every read starts from `visible_to(request.user)`: a pairing outside the user's scope answers 404
exactly like a missing one. The only write is `services.visit_record`.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from guanqing.core import audit, excel
from guanqing.core.calendar.workdays import business_date
from guanqing.core.ids import parse_id
from guanqing.core.ui.htmx import add_service_errors, paginate, render_page, wants_partial
from guanqing.pairing import compliance, exports, rules, selectors, services
from guanqing.pairing.choices import VisitKind
from guanqing.pairing.figures import wan_yuan, yuan
from guanqing.pairing.filters import VisitFilter
from guanqing.pairing.forms import VisitForm
from guanqing.pairing.models import Pairing, Visit
from guanqing.pairing.rules import PeriodKind, Status
from guanqing.registry.models import Division, Member, Unit

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
RECORD_ROLES = ("committee", "unit_admin", "member")
record_view = _roles(*RECORD_ROLES, message=gettext_lazy("您的角色只能查看走访记录"))
VISIT_LIST_ROLES = ("committee", "unit_admin", "member", "community_worker")
visit_list_view = _roles(*VISIT_LIST_ROLES, message=gettext_lazy("您的角色不查看结对走访记录"))
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
    today = business_date()
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


def _unit_colleagues(pairing: Pairing):
    """The members of the pairing's unit, who may be named as its visit's participants.

    The pairing was read through `visible_to`, so its unit is one the user works with; for the
    committee and the unit administrator this is exactly the part of their member scope in that
    unit, and a member may name the colleagues who went with it (names only, nothing else)."""
    return (
        Member.objects.filter(unit_id=pairing.unit_id)
        .select_related("branch")
        .order_by("name", "pk")
    )


def _visit_errors(form, exc: ValidationError) -> None:
    """The service's refusals, each next to the form field it is about."""
    if not hasattr(exc, "error_dict"):
        add_service_errors(form, exc)
        return
    for key, messages_ in exc.message_dict.items():
        add_service_errors(form, ValidationError({form.field_for_service_key(key): messages_}))


def _safe_next(request) -> str | None:
    """`next` when it is a path on this site (never another host, never a scheme)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        return None
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return target


@record_view
def visit_create(request, pk):
    """Record a visit. A member records its own (it is always a participant, colleagues may be
    added); the committee and a unit administrator record on behalf of the unit's members."""
    user = request.user
    pairing = get_object_or_404(
        Pairing.objects.visible_to(user).select_related(
            "household", "household__community", "unit"
        ),
        pk=pk,
    )
    if not pairing.is_active:
        raise PermissionDenied(_("该结对已结束，不能再记录走访"))
    on_behalf = user.role != "member"
    colleagues = _unit_colleagues(pairing)
    if not on_behalf:
        colleagues = colleagues.exclude(pk=user.member_id)
    term = selectors.current_term(pairing)
    holder = term.member if term is not None else None
    posted = request.method == "POST"
    form = VisitForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        household=pairing.household,
        colleagues=colleagues,
        holder=holder,
        on_behalf=on_behalf,
        unit_name=pairing.unit.name,
    )
    household_url = reverse("registry:household_detail", args=[pairing.household_id])
    back = reverse("pairing:mine") if not on_behalf else (_safe_next(request) or household_url)
    if posted and form.is_valid():
        chosen = list(form.cleaned_data.get("participants") or [])
        participants = chosen if on_behalf else [user.member, *chosen]
        try:
            services.visit_record(
                actor=user, pairing=pairing, participants=participants, **form.service_data()
            )
        except ValidationError as exc:
            _visit_errors(form, exc)
        else:
            messages.success(
                request,
                _("已记录对%(name)s户的走访") % {"name": pairing.household.head_name},
            )
            return redirect(back)
    context = {
        "form": form,
        "pairing": pairing,
        "holder": holder,
        "on_behalf": on_behalf,
        "back": back,
        "next": _safe_next(request) or "",
        "household_url": household_url,
    }
    return render(request, "pairing/visit_form.html", context)


# ---------------------------------------------------------------------------------------------
# The visit list and its Excel export
# ---------------------------------------------------------------------------------------------

# Hidden parameters: kept when the filters change (a link from a household or member page).
HIDDEN_FILTERS = ("pairing", "household", "member")


def _visit_filterset(request):
    base = Visit.objects.visible_to(request.user)
    filterset = VisitFilter(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    return filterset, qs


def _choice(label, choices) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", _("全部"))] + choices)


def _shape_filter_form(request, form) -> None:
    """The API's id and code parameters as selects of what the user sees (one query each);
    a select with a single choice is left out."""
    user = request.user
    pairings = Pairing.objects.visible_to(user)
    units = Unit.objects.visible_to(user).filter(pk__in=pairings.values("unit_id"))
    unit_choices = [
        (str(pk), name)
        for pk, name in units.order_by("sort_order", "name").values_list("pk", "name")
    ]
    communities = (
        Division.objects.filter(pk__in=pairings.values("household__community_id"))
        .select_related("parent")
        .order_by("code")
    )
    community_choices = [
        (c.code, f"{c.parent.name if c.parent else ''} · {c.name}") for c in communities
    ]
    fields = form.fields
    if len(unit_choices) > 1:
        fields["unit"] = _choice(_("责任单位"), unit_choices)
    else:
        fields.pop("unit")
    if len(community_choices) > 1:
        districts = Division.objects.districts().current().order_by("code")
        fields["district"] = _choice(_("区县"), [(d.code[:6], d.name) for d in districts])
        fields["community"] = _choice(_("社区/村"), community_choices)
    else:
        fields.pop("district")
        fields.pop("community")
    fields["q"].label = _("户主姓名")
    fields["participant"].label = _("参加党员")
    fields["date_from"].label = _("走访日期起")
    fields["date_to"].label = _("走访日期止")
    for name in ("date_from", "date_to"):
        fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    fields["kind"] = _choice(_("走访类型"), [(k.value, k.label) for k in VisitKind])
    fields["helped"] = _choice(_("帮扶"), [("true", _("有帮扶")), ("false", _("无帮扶"))])
    for name in HIDDEN_FILTERS:
        fields[name].widget = forms.HiddenInput()
    # the selects follow the order the filter bar shows them in
    order = [
        "q",
        "participant",
        "unit",
        "district",
        "community",
        "date_from",
        "date_to",
        "kind",
        "helped",
        *HIDDEN_FILTERS,
    ]
    form.fields = {name: fields[name] for name in order if name in fields}
    # a bound form already validated (with the API's fields) cached its bound fields: show these
    form._bound_fields_cache = {}


def _visit_totals(visits) -> dict:
    """人次, cash and in-kind of the whole filtered set: two queries, whatever its size."""
    sums = visits.order_by().aggregate(
        count=Count("pk"), cash=Sum("cash_amount"), in_kind=Sum("in_kind_value")
    )
    through = Visit.participants.through.objects.filter(visit_id__in=visits.order_by().values("pk"))
    cash, in_kind = sums["cash"] or 0, sums["in_kind"] or 0
    return {
        "visits": sums["count"],
        "person_times": through.count(),
        "cash_yuan": yuan(cash),
        "cash_wan_yuan": wan_yuan(cash),
        "in_kind_yuan": yuan(in_kind),
        "in_kind_wan_yuan": wan_yuan(in_kind),
    }


def _export_query(request) -> str:
    """The current filters (without the page) for the 导出 Excel link."""
    params = request.GET.copy()
    for name in ("page", "per_page"):
        params.pop(name, None)
    return params.urlencode()


@visit_list_view
def visit_list(request):
    filterset, qs = _visit_filterset(request)
    rows = qs.select_related(
        "pairing__household__community", "pairing__unit", "recorded_by"
    ).prefetch_related("participants")
    page = paginate(request, rows)
    if not wants_partial(request):  # an htmx refresh replaces the results only
        _shape_filter_form(request, filterset.form)
    context = {
        "filterset": filterset,
        "page_obj": page,
        "rows": page.object_list,
        "totals": _visit_totals(qs),
        "export_query": _export_query(request),
    }
    return render_page(
        request, "pairing/visit_list.html", "pairing/partials/visit_results.html", context
    )


@visit_list_view
@require_GET
def visit_export(request):
    """Exactly the visits of the list page's filter, every row (not one page), audited."""
    filterset, qs = _visit_filterset(request)
    with translation.override(settings.LANGUAGE_CODE):
        content, count = exports.visits_workbook(qs)
    summary = "; ".join(
        f"{name}={value}"
        for name, value in request.GET.items()
        if value and name in filterset.filters
    )
    with transaction.atomic():
        audit.record(
            actor=request.user,
            action="export",
            object_type="pairing.visit",
            object_repr=f"{exports.TITLE}导出",
            changes={"rows": [None, count]},
            message=f"导出{exports.TITLE} {count} 条" + (f"；筛选 {summary}" if summary else ""),
        )
    return excel.xlsx_response(content, excel.dated_filename(exports.TITLE))


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
    return [(compliance.period_key(p), compliance.period_label(p)) for p in periods]


def _rated(rows: list[dict]) -> list[dict]:
    for row in rows:
        rate = row["compliance_rate"]
        row["pct"] = None if rate is None else round(rate * 100, 1)
    return rows


@board_view
def board(request):
    user = request.user
    today = business_date()
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
        if chosen:
            unit = get_object_or_404(Unit.objects.visible_to(user), pk=parse_id(chosen) or 0)
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


def _recordable_pairings(user, household) -> list[Pairing]:
    """The household's active pairings the user may record a visit on."""
    if user.role not in RECORD_ROLES:
        return []
    pairings = Pairing.objects.visible_to(user).active().filter(household=household)
    if user.role == "member":
        pairings = pairings.filter(terms__member_id=user.member_id, terms__ends_on__isnull=True)
    return list(pairings.select_related("unit").order_by("unit__name", "pk"))


def household_visits_section(request, household) -> dict | None:
    """The household page's 走访记录: the visits the viewer may see, newest first, and a
    记录走访 button for each pairing the viewer may record on."""
    visits = Visit.objects.visible_to(request.user).filter(pairing__household=household)
    totals = visits.aggregate(
        count=Count("pk"), cash=Sum("cash_amount"), in_kind=Sum("in_kind_value")
    )
    recordable = _recordable_pairings(request.user, household)
    if not totals["count"] and not recordable:
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
        "recordable": recordable,
        "next": request.get_full_path(),
        "list_url": (
            f"{reverse('pairing:visit_list')}?household={household.pk}"
            if request.user.role in VISIT_LIST_ROLES
            else ""
        ),
    }
