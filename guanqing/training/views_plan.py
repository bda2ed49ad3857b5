"""The committee's training pages: the plans, a plan's form, a plan's page (its facts, sessions,
the list of who must attend with additions and exemptions, the solve and its outcome, the move
history), the board of a session with the move and swap forms, and the plan on a calendar.

A solve runs as a task (`tasks.solve_plan`); the page polls a small fragment every 2 s while it
is queued or running. A refusal is shown beside the field the service names; a move the checker
refuses shows the checker's reason in the form.
"""

from __future__ import annotations

import calendar as pycalendar
import collections
import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from guanqing.core.calendar.views import WEEKDAYS
from guanqing.core.models import CalendarDay
from guanqing.core.services import OutOfScope
from guanqing.training import rules, selectors, services, tasks
from guanqing.training.access import access
from guanqing.training.choices import Inclusion, PlanState, SolveStatus
from guanqing.training.forms import MoveForm, ParticipantsForm, PlanForm, SwapForm
from guanqing.training.models import Assignment, AssignmentMove, Participant, Plan, Session

HISTORY = 50


def service_errors(form, exc: ValidationError, rename: dict | None = None) -> None:
    """Each message of a service's refusal beside the form's field it names (`rename`: a service
    key → a form field, or None for the form's own error); the rest above the form."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, texts in exc.message_dict.items():
        field = (rename or {}).get(key, key)
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


def _visible(request, pk) -> Plan:
    return get_object_or_404(Plan.objects.visible_to(request.user), pk=pk)


def _editable(request, pk) -> Plan:
    return get_object_or_404(Plan.objects.editable_by(request.user), pk=pk)


# --- the plans ----------------------------------------------------------------------------------


@access.page("plan")
def plan_list(request):
    plans = list(
        Plan.objects.visible_to(request.user).annotate(
            required_n=selectors.required_count(), assigned_n=selectors.assigned_count()
        )
    )
    for plan in plans:
        plan.solving = tasks.solving(plan)
    return render(request, "training/list.html", {"plans": plans})


def _form_page(request, plan=None):
    form = PlanForm(request.POST or None, initial=PlanForm.initial_for(plan))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.plan_save(actor=request.user, plan=plan, **form.service_data())
            except OutOfScope:
                raise Http404 from None
            except ValidationError as exc:
                service_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("已保存"))
                return redirect("training:plan", saved.pk)
        else:
            status = 400
    return render(request, "training/form.html", {"form": form, "plan": plan}, status=status)


@access.page("plan")
def plan_new(request):
    return _form_page(request)


@access.page("plan")
def plan_edit(request, pk):
    plan = _editable(request, pk)
    if plan.state != PlanState.DRAFT:
        messages.error(request, _("只有草稿状态的计划可以修改"))
        return redirect("training:plan", plan.pk)
    return _form_page(request, plan)


# --- a plan's page ------------------------------------------------------------------------------


def solve_context(plan: Plan) -> dict:
    """What the solve fragment shows: under way, the outcome, or why there is no schedule."""
    solved = plan.solve_status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    return {
        "plan": plan,
        "solving": tasks.solving(plan),
        "solved": solved,
        "reasons": plan.reason_texts(),
    }


def _sessions(plan: Plan) -> list[Session]:
    sessions = list(Session.objects.filter(plan=plan).order_by("number"))
    per_class = collections.defaultdict(dict)
    rows = (
        Assignment.objects.filter(session__plan=plan)
        .values_list("session_id", "class_number")
        .annotate(n=Count("id"))
    )
    for session_id, klass, n in rows:
        per_class[session_id][klass] = n
    for s in sessions:
        counts = per_class.get(s.pk, {})
        s.classes = [counts.get(k, 0) for k in range(1, plan.classes_per_session + 1)]
        s.assigned = sum(counts.values())
    return sessions


def plan_context(request, plan: Plan, *, participants_form=None) -> dict:
    user = request.user
    people = Participant.objects.filter(plan=plan)
    counts = people.aggregate(
        total=Count("id"),
        required=Count("id", filter=Q(exempt=False)),
        added=Count("id", filter=Q(inclusion=Inclusion.ADDED)),
        exempt=Count("id", filter=Q(exempt=True)),
        assigned=Count("assignment"),
    )
    named = (
        people.filter(Q(inclusion=Inclusion.ADDED) | Q(exempt=True))
        .select_related("member", "unit")
        .order_by("unit__sort_order", "unit_id", "id")
    )
    history = (
        AssignmentMove.objects.filter(participant__plan=plan)
        .select_related("participant__member", "participant__unit", "swap_with__member", "moved_by")
        .order_by("-moved_at", "-id")[:HISTORY]
    )
    draft = plan.state == PlanState.DRAFT
    return {
        "plan": plan,
        "sessions": _sessions(plan),
        "class_numbers": range(1, plan.classes_per_session + 1),
        "counts": counts,
        "named": list(named),
        "history": list(history),
        "draft": draft,
        "participants_form": participants_form or ParticipantsForm(user=user),
        "may_solve": rules.PLAN.can(plan.state, "solve", user) and access.allows(user, "solve"),
        **solve_context(plan),
    }


@access.page("plan")
def plan_detail(request, pk):
    plan = _visible(request, pk)
    return render(request, "training/plan.html", plan_context(request, plan))


@require_POST
@access.page("plan")
def participants(request, pk):
    plan = _editable(request, pk)
    if plan.state != PlanState.DRAFT:
        messages.error(request, _("只有草稿状态的计划可以调整参训名单"))
        return redirect("training:plan", plan.pk)
    form = ParticipantsForm(request.POST, user=request.user)
    if not form.is_valid():
        context = plan_context(request, plan, participants_form=form)
        return render(request, "training/plan.html", context, status=400)
    rows = plan.participants.filter(Q(inclusion=Inclusion.ADDED) | Q(exempt=True))
    additions, exemptions = {}, {}
    for p in rows.select_related("member"):
        if p.inclusion == Inclusion.ADDED:
            additions[p.member_id] = (p.member, p.added_reason)
        if p.exempt:
            exemptions[p.member_id] = (p.member, p.exempt_reason)
    kind, _sep, undo = (request.POST.get("undo") or "").partition(":")
    if undo.isdigit():
        (additions if kind == "add" else exemptions).pop(int(undo), None)
    member = form.cleaned_data.get("member")
    if member is not None:
        chosen = additions if form.cleaned_data["kind"] == "add" else exemptions
        chosen[member.pk] = (member, form.cleaned_data["reason"])
    try:
        required = services.participants_build(
            actor=request.user,
            plan=plan,
            additions=list(additions.values()),
            exemptions=list(exemptions.values()),
        )
    except OutOfScope:
        raise Http404 from None
    except ValidationError as exc:
        service_errors(form, exc, {"additions": "reason", "exemptions": "reason", "state": None})
        context = plan_context(request, plan, participants_form=form)
        return render(request, "training/plan.html", context, status=400)
    messages.success(request, _("参训名单已更新：须参训 %(n)s 人") % {"n": required})
    return redirect("training:plan", plan.pk)


@require_POST
@access.page("solve")
def solve(request, pk):
    plan = _editable(request, pk)
    if not rules.PLAN.can(plan.state, "solve"):
        messages.error(request, _("这个计划已结束，不能再排期"))
    elif not plan.participants.required().exists():
        messages.error(request, _("请先生成参训名单"))
    elif not tasks.solve_start(plan, request.user):
        messages.warning(request, _("这个计划正在排期，请等本次排期结束"))
    else:
        messages.info(request, _("已开始排期，完成后会通知您"))
    return redirect("training:plan", plan.pk)


@access.page("plan")
def solve_status(request, pk):
    plan = _visible(request, pk)
    context = solve_context(plan)
    if not context["solving"] and getattr(request, "htmx", False):
        return HttpResponseClientRefresh()  # done: the whole page shows the new schedule
    return render(request, "training/_solve_status.html", context)


# --- a session's board, moves and swaps ---------------------------------------------------------


def _board(request, plan, number, *, move_form=None, swap_form=None, status=200):
    session = get_object_or_404(Session.objects.filter(plan=plan), number=number)
    rows = (
        Assignment.objects.filter(session=session)
        .select_related("participant__member", "participant__unit")
        .order_by("class_number", "participant__unit__sort_order", "participant__unit_id", "id")
    )
    classes = {k: [] for k in range(1, plan.classes_per_session + 1)}
    for a in rows:
        classes.setdefault(a.class_number, []).append(a)
    initial = {"session": number}
    member = request.GET.get("member", "")
    if member.isdigit():
        initial["member"] = int(member)
    may_move = access.allows(request.user, "move")
    return render(
        request,
        "training/board.html",
        {
            "plan": plan,
            "session": session,
            "numbers": range(1, plan.sessions_count + 1),
            "classes": sorted(classes.items()),
            "may_move": may_move,
            "move_form": move_form or MoveForm(initial=initial, user=request.user, plan=plan),
            "swap_form": swap_form or SwapForm(user=request.user),
        },
        status=status,
    )


@access.page("plan")
def board(request, pk, number):
    return _board(request, _visible(request, pk), number)


def _assignment(plan, member):
    return (
        Assignment.objects.filter(participant__plan=plan, participant__member=member)
        .select_related("session", "participant")
        .first()
    )


def _back(request, plan) -> int:
    back = request.POST.get("back", "")
    return int(back) if back.isdigit() and 1 <= int(back) <= plan.sessions_count else 1


@require_POST
@access.page("move")
def move(request, pk):
    plan = _editable(request, pk)
    back = _back(request, plan)
    form = MoveForm(request.POST, user=request.user, plan=plan)
    if form.is_valid():
        assignment = _assignment(plan, form.cleaned_data["member"])
        session = Session.objects.filter(plan=plan, number=form.cleaned_data["session"]).first()
        if assignment is None:
            form.add_error("member", _("该干部在本计划中尚未排期"))
        elif session is None:
            form.add_error("session", _("本计划没有这一期"))
        else:
            try:
                services.assignment_move(
                    actor=request.user,
                    assignment=assignment,
                    session=session,
                    class_number=form.cleaned_data["class_number"],
                )
            except OutOfScope:
                raise Http404 from None
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已将 %(name)s 调至第 %(n)s 期第 %(k)s 班")
                    % {
                        "name": form.cleaned_data["member"].name,
                        "n": session.number,
                        "k": form.cleaned_data["class_number"],
                    },
                )
                return redirect("training:board", plan.pk, session.number)
    return _board(request, plan, back, move_form=form, status=400)


@require_POST
@access.page("move")
def swap(request, pk):
    plan = _editable(request, pk)
    back = _back(request, plan)
    form = SwapForm(request.POST, user=request.user)
    if form.is_valid():
        first = _assignment(plan, form.cleaned_data["first"])
        second = _assignment(plan, form.cleaned_data["second"])
        if first is None:
            form.add_error("first", _("该干部在本计划中尚未排期"))
        if second is None:
            form.add_error("second", _("该干部在本计划中尚未排期"))
        if first is not None and second is not None:
            try:
                services.assignment_swap(actor=request.user, first=first, second=second)
            except OutOfScope:
                raise Http404 from None
            except ValidationError as exc:
                service_errors(form, exc, {"session": None, "class_number": None})
            else:
                messages.success(
                    request,
                    _("已对调 %(a)s 和 %(b)s")
                    % {"a": form.cleaned_data["first"].name, "b": form.cleaned_data["second"].name},
                )
                return redirect("training:board", plan.pk, back)
    return _board(request, plan, back, swap_form=form, status=400)


# --- the plan on a calendar ---------------------------------------------------------------------


def _month_span(first: datetime.date, last: datetime.date):
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


@access.page("read")
def calendar_page(request, pk):
    plan = _visible(request, pk)
    sessions = list(Session.objects.filter(plan=plan).order_by("number"))
    on_day = collections.defaultdict(list)
    for s in sessions:
        for day in s.dates:
            on_day[day].append(s.number)
    # the months the sessions run in (the allowed dates while there are none)
    first = min(on_day) if on_day else plan.first_date
    last = max(on_day) if on_day else plan.last_date
    first = first.replace(day=1)
    last = last.replace(day=pycalendar.monthrange(last.year, last.month)[1])
    days = {
        d.date: d
        for d in CalendarDay.objects.visible_to(request.user).filter(date__range=(first, last))
    }
    weeks_of = pycalendar.Calendar(firstweekday=0)
    months = []
    for year, month in _month_span(first, last):
        weeks = []
        for week in weeks_of.monthdatescalendar(year, month):
            cells = []
            for date in week:
                if date.month != month:
                    cells.append(None)
                    continue
                day = days.get(date)
                cells.append(
                    {
                        "date": date,
                        "kind": day.kind if day else "missing",
                        "holiday": day.holiday if day else "",
                        "sessions": on_day.get(date, []),
                    }
                )
            weeks.append(cells)
        months.append({"year": year, "number": month, "weeks": weeks})
    return render(
        request,
        "training/calendar.html",
        {
            "plan": plan,
            "sessions": sessions,
            "months": months,
            "weekdays": WEEKDAYS,
            "may_plan": access.allows(request.user, "plan"),
        },
    )
