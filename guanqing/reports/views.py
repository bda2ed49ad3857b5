"""The period report pages: the live report of a period and area (figures, charts and tables of
every registered section, with PDF and Excel), publishing it, and the published versions (frozen,
each with its own PDF and Excel, a correction showing what changed and why).

A reader asks only for areas in scope (`selectors.where_for`): another unit's report, or a
district or the city for a unit's administrators, answers 404 like a missing page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.reports import Period, thaw
from guanqing.core.services import OutOfScope
from guanqing.reports import exports, selectors, services
from guanqing.reports.access import access
from guanqing.reports.forms import A_UNIT, ChooserForm, PublishForm
from guanqing.reports.models import Publication


def _chosen(request, today):
    """(form, period, where) from the query string; period and where are None when the form
    is not valid (the page shows why). An area outside the reader's scope, or one that does not
    exist, answers 404."""
    data = request.GET.copy()
    data["period"] = data.get("period") or selectors.default_period(today).key
    data["where"] = data.get("where") or selectors.default_where(request.user).key
    form = ChooserForm(data, user=request.user, today=today)
    # an area named by its key: one out of scope is a 404 (a unit chosen in the picker is in scope)
    if data["where"] != A_UNIT:
        try:
            selectors.parse_where(request.user, data["where"])
        except OutOfScope as error:
            raise Http404 from error
        except ValidationError:
            pass  # the form says why
    if not form.is_valid():
        return form, None, None
    try:
        where = selectors.parse_where(request.user, form.cleaned_data["where"])
    except ValidationError as error:
        form.add_error("where", error.messages[0])
        return form, None, None
    return form, Period.parse(form.cleaned_data["period"]), where


def _query(period, where) -> str:
    return urlencode({"period": period.key, "where": where.key})


@require_GET
@access.page("read")
def report(request):
    today = business_date()
    form, period, where = _chosen(request, today)
    context = {"form": form, "may_publish": access.allows(request.user, "publish")}
    if period is not None:
        live = selectors.live_report(request.user, period, where, today=today, kept=True)
        versions = list(selectors.versions(request.user, period, where))
        context |= {
            "period": period,
            "where": where,
            "report": live,
            "sections": exports.for_reading(live.sections),
            "versions": versions,
            "query": _query(period, where),
            "xlsx_url": f"{reverse('reports:xlsx')}?{_query(period, where)}",
            "publish_form": PublishForm(),
            "running": period.last >= today,
        }
    return render(request, "reports/report.html", context)


@access.page("publish")
@require_POST
def publish(request):
    today = business_date()
    form = ChooserForm(request.POST, user=request.user, today=today)
    publish_form = PublishForm(request.POST)
    if not (form.is_valid() and publish_form.is_valid()):
        messages.error(request, _("发布失败：请重新选择报告期和范围"))
        return redirect("reports:report")
    try:
        period = Period.parse(form.cleaned_data["period"])
        where = selectors.parse_where(request.user, form.cleaned_data["where"])
        publication = services.publication_publish(
            actor=request.user,
            period=period,
            where=where,
            reason=publish_form.cleaned_data["reason"],
        )
    except OutOfScope as error:
        raise Http404 from error
    except (ValidationError, Conflict) as error:
        text = "；".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, _("发布失败：%(reason)s") % {"reason": text})
        return redirect(f"{reverse('reports:report')}?{urlencode(request.POST.dict() | {})}")
    messages.success(
        request,
        _("已发布 %(period)s %(where)s 第 %(version)s 版")
        % {
            "period": publication.period.label,
            "where": publication.where_name or _("全市"),
            "version": publication.version,
        },
    )
    return redirect("reports:published", pk=publication.pk)


@require_GET
@access.page("read")
def live_pdf(request):
    today = business_date()
    form, period, where = _chosen(request, today)
    if period is None:
        raise Http404
    live = selectors.live_report(request.user, period, where, today=today, kept=True)
    return exports.pdf_response(request, exports.Document.live(live))


@require_GET
@access.page("read")
def live_xlsx(request):
    today = business_date()
    form, period, where = _chosen(request, today)
    if period is None:
        raise Http404
    live = selectors.live_report(request.user, period, where, today=today, kept=True)
    return exports.xlsx_response(request.user, exports.Document.live(live))


@require_GET
@access.page("read")
def published_list(request):
    publications = (
        Publication.objects.visible_to(request.user)
        .select_related("published_by")
        .order_by("-published_at", "-pk")
    )
    return render(request, "reports/published_list.html", {"publications": publications[:200]})


def _publication(request, pk) -> Publication:
    return get_object_or_404(
        Publication.objects.visible_to(request.user).select_related("published_by"), pk=pk
    )


@require_GET
@access.page("read")
def published(request, pk):
    publication = _publication(request, pk)
    versions = list(selectors.versions(request.user, publication.period, publication.where))
    return render(
        request,
        "reports/published.html",
        {
            "publication": publication,
            "period": publication.period,
            "where": publication.where,
            "sections": exports.for_reading(publication.sections),
            "changes": thaw(publication.changes),
            "versions": versions,
            "latest": versions[0] if versions else publication,
            "query": _query(publication.period, publication.where),
            "xlsx_url": reverse("reports:published_xlsx", args=[publication.pk]),
        },
    )


@require_GET
@access.page("read")
def published_pdf(request, pk):
    return exports.pdf_response(request, exports.Document.published(_publication(request, pk)))


@require_GET
@access.page("read")
def published_xlsx(request, pk):
    publication = _publication(request, pk)
    return exports.xlsx_response(request.user, exports.Document.published(publication))
