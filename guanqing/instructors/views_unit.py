"""The instructors' pages for the unit and the committee: the list of terms with this month's days
against the required days, appointing a term, a term's page (its months, log and raised problems,
ending it, raising a problem), the committee's city view per unit and term, the figures and the
committee's setting.

Reads start from `visible_to(request.user)`: a term outside the user's scope answers 404 like a
missing one. A refusal is shown beside its field, a move the lifecycle refuses as a message.
"""

from __future__ import annotations

from operator import attrgetter

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanqing.core.calendar.workdays import business_date
from guanqing.core.daterange import DateRange
from guanqing.core.errors import Conflict
from guanqing.core.services import OutOfScope
from guanqing.core.ui import ranking
from guanqing.core.ui.htmx import add_service_errors, paginate
from guanqing.frontline import interface as frontline
from guanqing.instructors import figures, rules, selectors, services
from guanqing.instructors.access import access
from guanqing.instructors.filters import TermPageFilter
from guanqing.instructors.forms import AppointForm, EndForm, RaiseForm, SettingsForm
from guanqing.instructors.models import InstructorSettings

COMPLIANCE_TONES = {"met": "ok", "short": "warn", "in_progress": "info", "not_due": "muted"}


@access.page("terms")
def terms(request):
    today = business_date()
    filterset = TermPageFilter(request.GET or None, queryset=selectors.terms_for_list(request.user))
    queryset = filterset.qs if filterset.is_bound else filterset.queryset
    page = paginate(
        request, queryset.order_by("state", "unit__sort_order", "unit_id", "-starts_on")
    )
    return render(
        request,
        "instructors/terms.html",
        {
            "filter": filterset,
            "filter_form": filterset.page_form(),
            "page_obj": page,
            "rows": selectors.term_rows(page.object_list, today),
            "month": rules.Month.of(today),
            "tones": COMPLIANCE_TONES,
        },
    )


@access.page("appoint")
def term_new(request):
    form = AppointForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            term = services.term_appoint(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已选派农村工作指导员"))
            return redirect("instructors:term", term.pk)
    return render(
        request,
        "instructors/term_form.html",
        {"form": form, "default_days": InstructorSettings.current().days_per_month},
    )


def _term_page(request, term, *, end_form=None, raise_form=None, status=200):
    user = request.user
    today = business_date()
    months = selectors.term_months(term, today)
    actions = [step.action for step in rules.TERM.actions(term.state, user)]
    return render(
        request,
        "instructors/term.html",
        {
            "term": term,
            "months": months,
            "logs": list(term.logs.select_related("recorded_by")[:200]),
            "raised": selectors.raised_rows(term),
            "logged_total": sum(m.logged for m in months),
            "can_end": "end" in actions and access.allows(user, "appoint"),
            "can_raise": "raise" in actions
            and access.allows(user, "raise")
            and frontline.may_raise(user),
            "end_form": end_form or EndForm(),
            "raise_form": raise_form or RaiseForm(),
            "tones": COMPLIANCE_TONES,
        },
        status=status,
    )


def _term(request, pk):
    return get_object_or_404(selectors.terms_for_list(request.user), pk=pk)


@access.page("terms")
def term_detail(request, pk):
    return _term_page(request, _term(request, pk))


@require_POST
@access.page("appoint")
def term_end(request, pk):
    term = _term(request, pk)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.term_end(actor=request.user, term=term, **form.cleaned_data)
        except OutOfScope:
            raise Http404 from None
        except Conflict as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _term_page(request, term, end_form=form, status=400)
        else:
            messages.success(request, _("任期已结束"))
        return redirect("instructors:term", term.pk)
    return _term_page(request, term, end_form=form, status=400)


@require_POST
@access.page("raise")
def term_raise(request, pk):
    term = _term(request, pk)
    form = RaiseForm(request.POST)
    if form.is_valid():
        try:
            raised = services.problem_raise(actor=request.user, term=term, **form.cleaned_data)
        except OutOfScope:
            raise Http404 from None
        except (Conflict, PermissionDenied) as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _term_page(request, term, raise_form=form, status=400)
        else:
            messages.success(request, _("难题已反映，编号 %(id)s") % {"id": raised.public_id})
        if request.POST.get("next") == "my_log":
            return redirect("instructors:my_log")
        return redirect("instructors:term", term.pk)
    return _term_page(request, term, raise_form=form, status=400)


CITY_UNITS_PER_PAGE = 20  # units a page of the city view (each with its terms)


@access.page("city")
def city(request):
    today = business_date()
    page = paginate(request, selectors.city_units(request.user), CITY_UNITS_PER_PAGE)
    return render(
        request,
        "instructors/city.html",
        {
            "units": selectors.city(request.user, today, units=page.object_list),
            "page_obj": page,
            "month": rules.Month.of(today),
            "tones": COMPLIANCE_TONES,
        },
    )


def figure_columns() -> list[ranking.Column]:
    """The table of terms, ranked on the server (the first 50, the rest as a sheet)."""
    return [
        ranking.name_column(_("指导员"), attrgetter("instructor")),
        ranking.Column("unit", _("选派单位"), attrgetter("unit"), numeric=False, width=30),
        ranking.Column("village", _("驻村"), attrgetter("village"), numeric=False, width=24),
        ranking.Column("days", _("驻村天数"), attrgetter("days")),
        ranking.Column("required", _("要求天数"), attrgetter("required")),
        ranking.share_column(
            "met_rate", _("达标月数"), attrgetter("met_rate"), sheet_label=_("达标月份占比（%）")
        ),
        ranking.Column("months_met", _("达标月数"), attrgetter("months_met"), on_page=False),
        ranking.Column("months", _("应达标月数"), attrgetter("months"), on_page=False),
        ranking.Column("logs", _("日志"), attrgetter("logs")),
        ranking.Column("raised", _("反映难题"), attrgetter("raised")),
        ranking.Column("solved", _("已解决"), attrgetter("solved")),
    ]


@access.page("figures")
def figures_page(request):
    """指导员统计: every term of the range, those meeting the fewest of their months first."""
    today = business_date()
    errors = {}
    try:
        first = _date(request.GET.get("from"))
        last = _date(request.GET.get("to"))
        span = DateRange.parse(first, last, today=today)
    except (ValueError, ValidationError) as exc:
        errors = getattr(exc, "message_dict", {"from": [_("日期格式应为 YYYY-MM-DD")]})
        span = DateRange.parse(None, None, today=today)
    snapshot = figures.figures_of(request.user, span, today)
    terms = ranking.rank(
        request,
        snapshot.value.rows,
        figure_columns(),
        default="-met_rate",
        table="terms",
        noun=_("个任期"),
        anchor="terms",
    )
    if ranking.wants_export(request, "terms"):
        title = _("农村工作指导员统计")
        return ranking.export(terms, title=title, stem=title)
    context = {
        "span": span,
        "errors": errors,
        "figures": snapshot.value,
        "snapshot": snapshot,
        "terms": terms,
    }
    return render(request, "instructors/figures.html", context)


def _date(value):
    import datetime

    return datetime.date.fromisoformat(value) if value else None


@access.page("settings")
def settings_page(request):
    current = InstructorSettings.current()
    form = SettingsForm(request.POST or None, initial={"days_per_month": current.days_per_month})
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("设置已保存"))
            return redirect("instructors:settings")
    return render(request, "instructors/settings.html", {"form": form})
