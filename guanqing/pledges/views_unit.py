"""A lead unit's pages: the published pledges its unit leads with this month's report, the
monthly report form with its evidence files, the year-end self-assessment; and marking a
milestone done (a lead unit's administrator or the committee)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.ui.htmx import add_service_errors
from guanqing.pledges import rules, selectors, services
from guanqing.pledges.access import access
from guanqing.pledges.forms import AssessForm, MilestoneDoneForm, ReportForm
from guanqing.pledges.models import Milestone, Pledge, ProgressReport
from guanqing.pledges.views_read import chosen_year, detail_context


@access.page("lead")
def unit_page(request):
    today = business_date()
    year = chosen_year(request, today.year)
    user = request.user
    pledges = Pledge.objects.editable_by(user).filter(year=year)
    rows = selectors.rows(selectors.with_details(pledges), today)
    month = rules.month_start(today)
    reported = set(
        ProgressReport.objects.filter(
            pledge__in=pledges, unit_id=user.unit_id, month=month
        ).values_list("pledge_id", flat=True)
    )
    for row in rows:
        row.reported = row.pledge.pk in reported
        row.may_report = rules.PLEDGE.can(row.pledge.state, "report", user) and year == today.year
    return render(request, "pledges/unit.html", {"rows": rows, "year": year, "month": month})


@access.page("lead")
def report(request, pk):
    user = request.user
    pledge = get_object_or_404(Pledge.objects.editable_by(user), pk=pk)
    today = business_date()
    month = rules.month_start(today)
    current = ProgressReport.objects.filter(
        pledge=pledge, unit_id=user.unit_id, month=month
    ).first()
    initial = {"month": month}
    if current is not None:
        initial |= {"value": current.value, "text": current.text}
    form = ReportForm(
        request.POST or None, request.FILES or None, initial=initial, live=pledge.is_live
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.report_save(actor=user, pledge=pledge, **data)
            except Conflict as exc:
                messages.error(request, str(exc))
                return redirect("pledges:detail", pledge.pk)
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("已报送本月进展"))
                return redirect("pledges:detail", pledge.pk)
        else:
            status = 400
    return render(
        request,
        "pledges/report.html",
        {"form": form, "pledge": pledge, "current": current, "month": month},
        status=status,
    )


@require_POST
@access.page("lead")
def assess(request, pk):
    pledge = get_object_or_404(Pledge.objects.editable_by(request.user), pk=pk)
    form = AssessForm(request.POST)
    if form.is_valid():
        try:
            services.pledge_assess(actor=request.user, pledge=pledge, **form.cleaned_data)
        except Conflict as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已提交自评"))
            return redirect("pledges:detail", pledge.pk)
        if not form.errors:
            return redirect("pledges:detail", pledge.pk)
    context = detail_context(request, pledge, assess_form=form)
    return render(request, "pledges/detail.html", context, status=400)


@require_POST
@access.page("read")
def milestone_done(request, pk):
    milestone = get_object_or_404(
        Milestone.objects.editable_by(request.user).select_related("pledge"), pk=pk
    )
    pledge = milestone.pledge
    form = MilestoneDoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_done(actor=request.user, milestone=milestone, **form.cleaned_data)
        except Conflict as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记节点完成"))
            return redirect("pledges:detail", pledge.pk)
        if not form.errors:
            return redirect("pledges:detail", pledge.pk)
    context = detail_context(request, pledge, done_form=form, done_for=milestone.pk)
    return render(request, "pledges/detail.html", context, status=400)
