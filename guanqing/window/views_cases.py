"""满意窗口 case pages: the clerk's queue (its windows' open cases, due soon first; the unit
administrator and the committee see the same list in their scope), the reception form (受理, or
一次性告知补正) with the matter's material checklist, a case's page with its clock, its materials,
pauses and timeline and the steps the lifecycle allows.
The receipt (受理回执) and the 容缺受理通知书 are `views_public`'s.

The queue takes the API's filters (`CaseFilter`): `timing`, `window`, `q`, `accepted_from`,
`accepted_to`, and `state` — none: the open cases; `all`: every state; or one state. The home
page's numbers link here with the filter that gives them.

Reads start from `visible_to(request.user)`: a case outside the user's scope answers 404 like a
missing one. Each step is a small form posted with htmx; a refusal is shown beside its field
(400), a move the lifecycle refuses shows the service's message inline (409), nothing written.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guanqing.core.calendar.workdays import CalendarYearMissing
from guanqing.core.errors import Conflict
from guanqing.core.services import OutOfScope
from guanqing.core.ui.htmx import add_service_errors, paginate, render_page, wants_partial
from guanqing.window import rules, selectors, services
from guanqing.window.access import access
from guanqing.window.api.filters import CaseFilter
from guanqing.window.choices import OPEN_STATES, CaseState
from guanqing.window.forms_cases import SERVICE_FIELDS, STEP_FORMS, ReceiveForm
from guanqing.window.models import Case, CaseMissingMaterial, CasePause, Matter, Window

# how each timing looks in a list and on a case's page
TIMING_TONES = {
    rules.Timing.OVERDUE: "danger",
    rules.Timing.DUE_SOON: "warn",
    rules.Timing.OPEN: "info",
    rules.Timing.EARLY: "ok",
    rules.Timing.ON_TIME: "ok",
    rules.Timing.LATE: "danger",
}
STATE_TONES = {
    CaseState.CORRECTION: "warn",
    CaseState.REFUSED: "muted",
    CaseState.ACCEPTED: "info",
    CaseState.PAUSED: "warn",
    CaseState.COMPLETED: "ok",
    CaseState.DELIVERED: "ok",
    CaseState.TERMINATED: "muted",
}
OPEN = "open"
ALL = "all"


def _service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        renamed: dict[str, list[str]] = {}
        for key, values in exc.message_dict.items():
            renamed.setdefault(SERVICE_FIELDS.get(key, key), []).extend(values)
        exc = ValidationError(renamed)
    add_service_errors(form, exc)


# ---------------------------------------------------------------------------------------------
# The queue
# ---------------------------------------------------------------------------------------------


def _queue_rows(request, state: str):
    """The rows of the queue for `state` (open, all or one state) and the other filters."""
    user = request.user
    if state == OPEN:
        rows = selectors.clerk_queue(user)
    else:
        rows = selectors.cases_for_queue(Case.objects.visible_to(user))
        if state != ALL:
            rows = rows.filter(state=state)
        rows = rows.order_by("-received_on", "-id")
    data = QueryDict(mutable=True)
    for name in ("q", "window", "timing", "accepted_from", "accepted_to"):
        value = request.GET.get(name, "").strip()
        if value:
            data[name] = value
    filterset = CaseFilter(data, queryset=rows, request=request)
    if not filterset.is_valid():
        return rows.none(), filterset
    try:
        return filterset.qs, filterset
    except ValidationError as exc:  # a calendar year missing for the timing filter
        filterset.form.add_error(None, exc)
        return rows.none(), filterset


@access.page("cases")
def cases(request):
    user = request.user
    state = request.GET.get("state") or OPEN
    if state not in (OPEN, ALL, *CaseState.values):
        state = OPEN
    rows, filterset = _queue_rows(request, state)
    page = paginate(request, rows)
    items = selectors.with_clocks(page.object_list)
    if year := selectors.missing_calendar_year(items):
        messages.warning(request, str(CalendarYearMissing(year)))
    for case in items:
        case.tone = TIMING_TONES.get(case.clock.timing, "") if case.clock.timing else ""
        case.state_tone = STATE_TONES.get(case.state, "muted")
    windows = list(Window.objects.visible_to(user).select_related("unit"))
    states = [(OPEN, _("办理中和已中止")), (ALL, _("全部状态")), *CaseState.choices]
    context = {
        "cases": items,
        "page_obj": page,
        "form": filterset.form,
        "state": state,
        "states": states,
        "timings": rules.Timing.choices,
        "windows": windows,
        "show_window": len(windows) > 1,
        "filters": {name: request.GET.get(name, "") for name in ("q", "window", "timing")},
        "accepted_from": request.GET.get("accepted_from", ""),
        "accepted_to": request.GET.get("accepted_to", ""),
        "can_handle": access.allows(user, "handle"),
    }
    return render_page(request, "window/cases.html", "window/partials/case_results.html", context)


# ---------------------------------------------------------------------------------------------
# Reception: 受理 or 一次性告知补正
# ---------------------------------------------------------------------------------------------


def _matters_for(windows):
    """The published, active matters of the windows' units (what these windows accept)."""
    return (
        Matter.objects.filter(
            is_active=True,
            item__is_active=True,
            current__isnull=False,
            item__unit_id__in={w.unit_id for w in windows},
        )
        .select_related("item", "current")
        .order_by("item__sort_order", "item__code", "sort_order", "code")
    )


@access.page("handle")
def case_new(request):
    user = request.user
    windows = Window.objects.visible_to(user).filter(is_active=True).select_related("unit")
    window_list = list(windows)
    if not window_list:
        return render(request, "window/case_new.html", {"no_window": True})
    matters = _matters_for(window_list)
    matter = None
    matter_id = request.POST.get("matter") or request.GET.get("matter")
    if matter_id and str(matter_id).isdigit():
        matter = matters.filter(pk=int(matter_id)).first()
    q = (request.GET.get("q") or "").strip()
    if matter is None:
        found = matters
        if q:
            found = found.filter(Q(code__icontains=q) | Q(name__icontains=q))
        context = {"matters": found[:30], "q": q, "more": found[30:31].exists()}
        if wants_partial(request, "matter-results"):
            return render(request, "window/partials/case_matters.html", context)
        return render(request, "window/case_new.html", context)
    version = matter.current
    posted = request.method == "POST"
    form = ReceiveForm(request.POST if posted else None, windows=windows, version=version)
    if posted and form.is_valid():
        which = request.POST.get("step")
        window = form.cleaned_data["window"]
        try:
            if which == ReceiveForm.CORRECTION:
                case = services.case_ask_correction(
                    actor=user, window=window, matter=matter, **form.correction_data()
                )
                done = _("已一次性告知补正，受理编号 %(no)s") % {"no": case.receipt_no}
            else:
                case = services.case_accept(
                    actor=user, window=window, matter=matter, **form.accept_data()
                )
                done = _("已受理，受理编号 %(no)s") % {"no": case.receipt_no}
        except OutOfScope:
            raise Http404 from None
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(reverse("window:case_detail", args=[case.pk]))
    materials = list(version.materials.order_by("sort_order", "id"))
    context = {
        "matter": matter,
        "version": version,
        "materials": materials,
        "deferrable": [m for m in materials if m.deferrable],
        "deferrable_ids": {m.pk for m in materials if m.deferrable},
        "form": form,
    }
    return render(request, "window/case_new.html", context, status=400 if form.errors else 200)


# ---------------------------------------------------------------------------------------------
# A case's page and its steps
# ---------------------------------------------------------------------------------------------


def _case(request, pk) -> Case:
    return get_object_or_404(
        Case.objects.visible_to(request.user).select_related(
            "window__unit", "version__matter__item", "version__matter__current", "handled_by"
        ),
        pk=pk,
    )


def _case_context(request, case: Case, *, bound=None, open_step: str = "") -> dict:
    user = request.user
    try:
        clock = selectors.case_clock(case)
        clock_error = str(CalendarYearMissing(clock.missing_year)) if clock.missing_year else ""
    except CalendarYearMissing as exc:
        clock, clock_error = selectors.NO_CLOCK, str(exc)
    steps = []
    for step in rules.CASE.actions(case.state, user):
        form_class = STEP_FORMS.get(step.action)
        if form_class is None:
            continue
        form = bound if open_step == step.action and bound is not None else None
        steps.append(
            {
                "action": step.action,
                "label": step.label,
                "form": form or form_class(prefix=step.action, case=case),
                "open": open_step == step.action,
                "url": reverse("window:case_step", args=[case.pk, step.action]),
            }
        )
    missing = list(
        CaseMissingMaterial.objects.filter(case=case)
        .select_related("material")
        .order_by("material__sort_order", "id")
    )
    return {
        "case": case,
        "clock": clock,
        "clock_error": clock_error,
        "timing_tone": TIMING_TONES.get(clock.timing, "") if clock.timing else "",
        "state_tone": STATE_TONES.get(case.state, "muted"),
        "materials": list(case.version.materials.order_by("sort_order", "id")),
        "missing": missing,
        "outstanding": [row for row in missing if row.supplied_on is None],
        "pauses": list(CasePause.objects.filter(case=case).order_by("started_on", "id")),
        "events": list(selectors.case_timeline(case)),
        "steps": steps,
        "correction_items": [line for line in case.correction_note.split("\n") if line.strip()],
        "open_states": OPEN_STATES,
    }


@access.page("cases")
def case_detail(request, pk):
    case = _case(request, pk)
    return render(request, "window/case.html", _case_context(request, case))


def _write(user, case: Case, action: str, data: dict):
    call = {
        "accept": services.case_accept_corrected,
        "refuse": services.case_refuse,
        "pause": services.case_pause,
        "resume": services.case_resume,
        "supply": services.case_supply,
        "complete": services.case_complete,
        "deliver": services.case_deliver,
    }[action]
    return call(actor=user, case=case, **data)


SUCCESS = {
    "accept": gettext_lazy("已受理"),
    "refuse": gettext_lazy("已不予受理"),
    "pause": gettext_lazy("已中止，办理时限暂停计算"),
    "resume": gettext_lazy("已恢复办理，承诺办结日期已顺延"),
    "supply": gettext_lazy("已登记补齐的容缺材料"),
    "complete": gettext_lazy("已办结"),
    "deliver": gettext_lazy("已送达"),
}


@access.page("handle")
@require_POST
def case_step(request, pk, action):
    """POST one step of a case (its small form): back to the case's page with the step done;
    a refusal next to its field (400), a move no longer allowed as the service's message (409)."""
    if action not in STEP_FORMS:
        raise Http404
    case = _case(request, pk)
    form = STEP_FORMS[action](request.POST, prefix=action, case=case)
    status, conflict = 400, ""
    if form.is_valid():
        try:
            _write(request.user, case, action, form.service_data())
        except OutOfScope:
            raise Http404 from None
        except Conflict as exc:
            status, conflict = 409, str(exc)
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            message = str(SUCCESS[action])
            if request.htmx:
                case = _case(request, pk)
                context = _case_context(request, case)
                context["done"] = message
                return render(request, "window/case.html", context)
            messages.success(request, message)
            return redirect(reverse("window:case_detail", args=[pk]))
    case = _case(request, pk)
    if conflict:
        context = _case_context(request, case)
        context["conflict"] = conflict
    else:
        context = _case_context(request, case, bound=form, open_step=action)
    return render(request, "window/case.html", context, status=status)
