"""The care pages for a unit's administrators and the committee: the open obligations (overdue
first, then due soonest) with their meet and waive forms, recording an event, the events and an
event's page (its timeline).

Reads start from `visible_to(request.user)`: a record outside the user's scope answers 404 like a
missing one. A refusal is shown beside its field, a move the lifecycle refuses as a message. Every
read of a sensitive event's page is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanqing.care import rules, selectors, services
from guanqing.care.access import access
from guanqing.care.choices import CareAction
from guanqing.care.filters import EventPageFilter, ObligationPageFilter
from guanqing.care.forms import EventForm, MeetForm, UnitPickForm, WaiveForm
from guanqing.care.models import Obligation
from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.roles import Role
from guanqing.core.services import OutOfScope
from guanqing.core.ui.htmx import add_service_errors, paginate
from guanqing.fund import interface as fund

TIMING_TONES = {
    "on_time": "ok",
    "late": "warn",
    "waived": "muted",
    "overdue": "danger",
    "pending": "info",
}


def _action_forms(pk, bound=None) -> dict:
    """The meet and waive forms of one obligation, their ids its own; `bound` the one posted."""
    forms = {
        "meet_form": MeetForm(auto_id=f"meet{pk}_%s"),
        "waive_form": WaiveForm(auto_id=f"waive{pk}_%s"),
    }
    if bound is not None:
        forms["meet_form" if isinstance(bound, MeetForm) else "waive_form"] = bound
    return forms


def _rows(user, obligations, today, bound=None):
    """Each obligation with its timing, its rule as the user may read it, its buttons and forms."""
    rows = []
    for o in obligations:
        actions = [step.action for step in rules.OBLIGATION.actions(o.state, user)]
        timing = selectors.timing(o, today)
        row = {
            "obligation": o,
            "rule": selectors.rule_label(user, o.event),
            "timing": timing,
            "timing_label": selectors.timing_label(timing),
            "actions": actions,
        }
        if actions:
            row |= _action_forms(o.pk, (bound or {}).get(o.pk))
        rows.append(row)
    return rows


_STAND_IN = 2_147_483_647  # the key the list's forms are rendered with, then replaced


def _stamp_actions(request, rows) -> None:
    """Give each row of the list its meet and waive forms as HTML (`row["actions_html"]`):
    rendered once per set of actions for a stand-in obligation, then stamped with each row's key.
    Two rows' forms differ only in that key (their ids and addresses); rendering a page of 25
    rows' forms one by one was half the page's time."""
    rendered: dict[tuple, str] = {}
    for row in rows:
        if not row["actions"]:
            continue
        kinds = tuple(row["actions"])
        if kinds not in rendered:
            stand_in = {
                "obligation": Obligation(pk=_STAND_IN),
                "actions": row["actions"],
                **_action_forms(_STAND_IN),
            }
            rendered[kinds] = render_to_string(
                "care/_obligation_actions.html", {"row": stand_in, "next": "list"}, request
            )
        html = rendered[kinds].replace(str(_STAND_IN), str(row["obligation"].pk))
        row["actions_html"] = mark_safe(html)  # noqa: S308 - our own template's output


@access.page("work")
def obligations(request):
    today = business_date()
    filterset = ObligationPageFilter(
        request.GET or None, queryset=selectors.obligations_for_list(request.user)
    )
    queryset = filterset.qs if filterset.is_bound else filterset.queryset
    if not request.GET.get("state"):
        queryset = queryset.open()
    page = paginate(request, queryset.order_by("due_on", "pk"))
    rows = _rows(request.user, page.object_list, today)
    _stamp_actions(request, rows)
    return render(
        request,
        "care/obligations.html",
        {
            "filter": filterset,
            "filter_form": filterset.page_form(),
            "page_obj": page,
            "rows": rows,
            "tones": TIMING_TONES,
        },
    )


@access.page("record")
def record(request):
    user = request.user
    unit = None
    pick = None
    if user.role != Role.UNIT_ADMIN:
        pick = UnitPickForm(request.GET or None)
        unit = pick.cleaned_data["unit"] if pick.is_valid() else None
    form = EventForm(request.POST or None, user=user, unit=unit)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                event, created = services.care_event_record(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                if created:
                    messages.success(request, _("已录入，关怀任务已生成"))
                else:
                    messages.info(request, _("已有这条记录"))
                return redirect("care:event", event.pk)
        else:
            status = 400
    return render(
        request,
        "care/record.html",
        {"form": form, "pick": pick, "unit": unit},
        status=status,
    )


@access.page("work")
def events(request):
    filterset = EventPageFilter(
        request.GET or None, queryset=selectors.events_for_list(request.user)
    )
    queryset = filterset.qs if filterset.is_bound else filterset.queryset
    page = paginate(request, queryset.order_by("-occurred_on", "-pk"))
    return render(
        request,
        "care/events.html",
        {
            "filter": filterset,
            "filter_form": filterset.page_form(),
            "page_obj": page,
            "rows": [(e, selectors.rule_label(request.user, e)) for e in page.object_list],
        },
    )


def _event_page(request, event, *, bound=None, status=200):
    user = request.user
    today = business_date()
    obligations = list(event.obligations.select_related("done_by", "waived_by"))
    helps = [o.pk for o in obligations if o.action == CareAction.HELP]
    # 必帮: the 汇爱 fund applications opened from it, and the form that opens one
    applications = fund.applications_for_obligations(user, helps) if helps else {}
    may_apply = bool(helps) and fund.may_apply(user)
    for o in obligations:
        o.event = event
        o.fund_applications = applications.get(o.pk, [])
        o.fund_new_url = fund.new_application_url(o.pk) if may_apply and o.pk in helps else ""
    return render(
        request,
        "care/event.html",
        {
            "event": event,
            "rule": selectors.rule_label(user, event),
            "rows": _rows(user, obligations, today, bound),
            "timeline": selectors.timeline(event, obligations),
            "tones": TIMING_TONES,
            "may_act": access.allows(user, "meet"),
        },
        status=status,
    )


@access.page("read")
def event_detail(request, pk):
    event = get_object_or_404(selectors.events_for_list(request.user), pk=pk)
    if not selectors.may_read(request.user, event):
        raise Http404
    selectors.audit_sensitive_read(request.user, event)
    return _event_page(request, event)


def _act(request, pk, form_class, service, done_message):
    obligation = get_object_or_404(
        Obligation.objects.visible_to(request.user).select_related("event"), pk=pk
    )
    prefix = "meet" if form_class is MeetForm else "waive"
    form = form_class(request.POST, auto_id=f"{prefix}{obligation.pk}_%s")
    event = obligation.event
    if form.is_valid():
        try:
            service(actor=request.user, obligation=obligation, **form.cleaned_data)
        except OutOfScope:
            raise Http404 from None
        except Conflict as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _bad(request, event, obligation, form)
        else:
            messages.success(request, done_message)
        if request.POST.get("next") == "list":
            return redirect("care:obligations")
        return redirect("care:event", event.pk)
    return _bad(request, event, obligation, form)


def _bad(request, event, obligation, form):
    event = selectors.events_for_list(request.user).get(pk=event.pk)
    selectors.audit_sensitive_read(request.user, event)  # the page is shown again
    return _event_page(request, event, bound={obligation.pk: form}, status=400)


@require_POST
@access.page("meet")
def obligation_meet(request, pk):
    return _act(request, pk, MeetForm, services.obligation_meet, _("已登记落实情况"))


@require_POST
@access.page("waive")
def obligation_waive(request, pk):
    return _act(request, pk, WaiveForm, services.obligation_waive, _("已免除"))
