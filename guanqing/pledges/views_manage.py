"""The committee's editor: the year's pledges (drafts included), a pledge's form, its milestones,
publishing and closing it, and the year-end rating. A refusal is shown beside its field, a move
the lifecycle refuses as a message."""

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
from guanqing.pledges.forms import MilestoneForm, PledgeForm, RateForm
from guanqing.pledges.models import Pledge
from guanqing.pledges.views_read import chosen_year, detail_context


@access.page("manage")
def manage(request):
    today = business_date()
    year = chosen_year(request, today.year)
    pledges = Pledge.objects.visible_to(request.user).filter(year=year)
    rows = selectors.rows(selectors.with_details(pledges), today)
    for row in rows:
        row.actions = [s for s in rules.PLEDGE.actions(row.pledge.state, request.user) if s.target]
    return render(
        request,
        "pledges/manage.html",
        {"rows": rows, "year": year, "free": len(rows) < 10},
    )


def _form_page(request, pledge=None):
    initial = {"year": business_date().year, "target_kind": "manual"}
    if pledge is not None:
        initial = {
            "year": pledge.year,
            "number": pledge.number,
            "title": pledge.title,
            "promise": pledge.promise,
            "lead_units": list(pledge.lead_units.values_list("pk", flat=True)),
            "target_kind": pledge.target_kind,
            "metric": pledge.metric,
            "target_value": pledge.target_value,
            "target_unit": pledge.target_unit,
        }
    form = PledgeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.pledge_save(
                    actor=request.user, pledge=pledge, **form.service_data()
                )
            except Conflict as exc:
                messages.error(request, str(exc))
                return redirect("pledges:detail", pledge.pk)
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("已保存"))
                return redirect("pledges:detail", saved.pk)
        else:
            status = 400
    return render(request, "pledges/form.html", {"form": form, "pledge": pledge}, status=status)


@access.page("manage")
def pledge_new(request):
    return _form_page(request)


@access.page("manage")
def pledge_edit(request, pk):
    pledge = get_object_or_404(Pledge.objects.editable_by(request.user), pk=pk)
    return _form_page(request, pledge)


def _detail_again(request, pledge, **forms):
    context = detail_context(request, pledge, **forms)
    return render(request, "pledges/detail.html", context, status=400)


@require_POST
@access.page("manage")
def milestone_add(request, pk):
    pledge = get_object_or_404(Pledge.objects.editable_by(request.user), pk=pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_add(actor=request.user, pledge=pledge, **form.cleaned_data)
        except Conflict as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _detail_again(request, pledge, milestone_form=form)
        else:
            messages.success(request, _("已添加节点"))
        return redirect("pledges:detail", pledge.pk)
    return _detail_again(request, pledge, milestone_form=form)


@require_POST
@access.page("manage")
def pledge_move(request, pk, action):
    pledge = get_object_or_404(Pledge.objects.editable_by(request.user), pk=pk)
    try:
        services.pledge_move(actor=request.user, pledge=pledge, action=action)
    except Conflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, "；".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(request, _("已公布") if action == "publish" else _("已结项"))
    return redirect("pledges:detail", pledge.pk)


@require_POST
@access.page("manage")
def pledge_rate(request, pk):
    pledge = get_object_or_404(Pledge.objects.editable_by(request.user), pk=pk)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.pledge_rate(actor=request.user, pledge=pledge, **form.cleaned_data)
        except Conflict as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _detail_again(request, pledge, rate_form=form)
        else:
            messages.success(request, _("已保存评定"))
        return redirect("pledges:detail", pledge.pk)
    return _detail_again(request, pledge, rate_form=form)
