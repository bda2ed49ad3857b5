"""The pledge pages every reader shares (the committee, a lead unit's administrators, members,
each in its scope): the year's list with progress bars and status, a pledge's page (milestones,
the reports' timeline), an evidence file, and the year report as Excel and PDF.

Reads start from `visible_to(request.user)`: a pledge outside the user's scope answers 404 like a
missing one.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from guanqing.core.calendar.workdays import business_date
from guanqing.core.pdf import inline_pdf_response, render_document
from guanqing.core.uploads import stored_file_response
from guanqing.pledges import reports, rules, selectors
from guanqing.pledges.access import access
from guanqing.pledges.forms import AssessForm, MilestoneDoneForm, MilestoneForm, RateForm
from guanqing.pledges.models import Pledge, ReportAttachment


def chosen_year(request, default: int) -> int:
    """The `year` of the query string, or `default` (today's year)."""
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else default


@access.page("read")
def pledge_list(request):
    today = business_date()
    year = chosen_year(request, today.year)
    visible = Pledge.objects.visible_to(request.user)
    rows = selectors.rows(selectors.with_details(visible.filter(year=year)), today)
    return render(
        request,
        "pledges/list.html",
        {"rows": rows, "year": year, "years": selectors.years(visible) or [year]},
    )


def detail_context(request, pledge: Pledge, **forms) -> dict:
    user = request.user
    today = business_date()
    row = selectors.row(pledge, today)
    timeline = list(
        pledge.reports.select_related("unit", "submitted_by")
        .prefetch_related("attachments")
        .order_by("-month", "unit__sort_order", "pk")
    )
    actions = [step for step in rules.PLEDGE.actions(pledge.state, user) if step.target]
    context = {
        "pledge": pledge,
        "row": row,
        "timeline": timeline,
        "actions": actions,
        "may_manage": access.allows(user, "manage"),
        "may_lead": access.allows(user, "lead") and pledge.state != "draft",
        "may_rate": rules.PLEDGE.can(pledge.state, "rate", user),
        "may_assess": rules.PLEDGE.can(pledge.state, "assess", user)
        and not pledge.rating_published,
        "may_report": rules.PLEDGE.can(pledge.state, "report", user),
        "may_add_milestone": access.allows(user, "manage")
        and rules.PLEDGE.can(pledge.state, "edit", user),
        "milestone_form": MilestoneForm(),
        "done_form": MilestoneDoneForm(),
        "rate_form": RateForm(
            initial={
                "rating": pledge.rating,
                "note": pledge.rating_note,
                "publish": pledge.rating_published,
            }
        ),
        "assess_form": AssessForm(initial={"self_assessment": pledge.self_assessment}),
    }
    context.update(forms)
    return context


@access.page("read")
def pledge_detail(request, pk):
    pledge = get_object_or_404(
        Pledge.objects.visible_to(request.user).prefetch_related("lead_units"), pk=pk
    )
    return render(request, "pledges/detail.html", detail_context(request, pledge))


@access.page("read")
def attachment(request, pk):
    row = get_object_or_404(ReportAttachment.objects.visible_to(request.user), pk=pk)
    return stored_file_response(row)


@access.page("export")
def export_excel(request):
    today = business_date()
    year = chosen_year(request, today.year)
    return reports.excel_response(request.user, year, today)


@access.page("export")
def export_pdf(request):
    today = business_date()
    year = chosen_year(request, today.year)
    pledges = Pledge.objects.visible_to(request.user).out_of_draft().filter(year=year)
    rows = selectors.rows(selectors.with_details(pledges), today)
    content = render_document(
        "pledges/report_pdf.html",
        {"rows": rows, "year": year, "today": today},
        request=request,
    )
    return inline_pdf_response(content, filename=f"{year}年十件实事年度报告.pdf")
