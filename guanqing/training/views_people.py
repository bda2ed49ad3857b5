"""The training pages of a unit administrator (本单位参训: its people in a plan, their roles in
the unit, their unavailable dates) and of a member (我的轮训: its session, dates, venue and class,
its unavailable dates and preferred months while the plan is a draft).

Reads start from `visible_to(request.user)`: another unit's participant, or another member's,
answers 404 like a missing one.
"""

from __future__ import annotations

import collections

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanqing.core.roles import Role
from guanqing.core.services import OutOfScope
from guanqing.training import services
from guanqing.training.access import access
from guanqing.training.choices import LeaderRole, PlanState
from guanqing.training.forms import PreferenceForm, RoleForm, UnavailabilityForm
from guanqing.training.models import Participant, Plan, Unavailability
from guanqing.training.views_plan import service_errors


def _unavailable_by_participant(participants) -> dict[int, list[Unavailability]]:
    found = collections.defaultdict(list)
    rows = Unavailability.objects.filter(participant__in=[p.pk for p in participants]).order_by(
        "start", "id"
    )
    for row in rows:
        found[row.participant_id].append(row)
    return found


# --- a unit administrator's people --------------------------------------------------------------


def _unit_plan(request):
    """The plan asked for (?plan=), else the newest plan with people of the unit, else the newest."""
    plans = Plan.objects.visible_to(request.user)
    asked = request.GET.get("plan", "")
    if asked.isdigit():
        return get_object_or_404(plans, pk=int(asked))
    mine = Participant.objects.visible_to(request.user).order_by("-plan__year", "-plan_id")
    first = mine.values_list("plan_id", flat=True).first()
    return plans.filter(pk=first).first() if first else plans.first()


def _unit_page(request, plan, *, form=None, status=200):
    user = request.user
    people = []
    if plan is not None:
        people = list(
            Participant.objects.visible_to(user)
            .filter(plan=plan)
            .select_related("member", "assignment__session")
            .order_by("exempt", "member__name", "id")
        )
    unavailable = _unavailable_by_participant(people)
    for p in people:
        p.unavailable = unavailable.get(p.pk, [])
        p.scheduled = getattr(p, "assignment", None)
    choices = [(p.pk, p.member.name) for p in people if not p.exempt]
    entered = sorted(
        (u for p in people for u in p.unavailable), key=lambda u: (u.start, u.participant_id)
    )
    names = {p.pk: p.member.name for p in people}
    for u in entered:
        u.name = names.get(u.participant_id, "")
    return render(
        request,
        "training/unit.html",
        {
            "plan": plan,
            "plans": Plan.objects.visible_to(user).only("id", "year", "title"),
            "people": people,
            "entered": entered,
            "roles": LeaderRole.choices,
            "form": form or UnavailabilityForm(participants=choices),
            "required": sum(1 for p in people if not p.exempt),
            "scheduled": sum(1 for p in people if p.scheduled),
        },
        status=status,
    )


@access.page("unit")
def unit_page(request):
    plan = _unit_plan(request)
    if request.method != "POST":
        return _unit_page(request, plan)
    if plan is None:
        raise Http404
    people = Participant.objects.visible_to(request.user).filter(plan=plan, exempt=False)
    choices = [(p.pk, p.member.name) for p in people.select_related("member")]
    form = UnavailabilityForm(request.POST, participants=choices)
    if form.is_valid():
        data = dict(form.cleaned_data)
        participant = get_object_or_404(people, pk=data.pop("participant"))
        try:
            services.unavailability_add(actor=request.user, participant=participant, **data)
        except OutOfScope:
            raise Http404 from None
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("已录入无法参训日期"))
            return redirect(reverse("training:unit") + f"?plan={plan.pk}")
    return _unit_page(request, plan, form=form, status=400)


@require_POST
@access.page("roles")
def set_role(request, pk):
    participant = get_object_or_404(Participant.objects.editable_by(request.user), pk=pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.participant_set_role(
                actor=request.user, participant=participant, **form.cleaned_data
            )
        except OutOfScope:
            raise Http404 from None
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(
                request,
                _("已将 %(name)s 的单位职务设为%(role)s")
                % {
                    "name": participant.member.name,
                    "role": LeaderRole(form.cleaned_data["leader_role"]).label,
                },
            )
    else:
        messages.error(request, _("请选择单位职务"))
    if request.user.role == Role.UNIT_ADMIN:
        return redirect(reverse("training:unit") + f"?plan={participant.plan_id}")
    return redirect("training:plan", participant.plan_id)


# --- a member's own rotation --------------------------------------------------------------------


def _mine_page(request, *, bound=None, status=200):
    """`bound`: {participant id: {"unavailability_form" or "preference_form": form}}."""
    rows = list(
        Participant.objects.visible_to(request.user)
        .select_related("plan", "assignment__session", "preference")
        .order_by("-plan__year", "-plan_id")
    )
    unavailable = _unavailable_by_participant(rows)
    for p in rows:
        p.unavailable = unavailable.get(p.pk, [])
        p.scheduled = getattr(p, "assignment", None)
        p.open = p.plan.state == PlanState.DRAFT and not p.exempt
        preference = getattr(p, "preference", None)
        p.months = preference.months if preference else []
        if p.open:
            forms = (bound or {}).get(p.pk, {})
            p.unavailability_form = forms.get("unavailability_form") or UnavailabilityForm(
                prefix=f"u{p.pk}"
            )
            p.preference_form = forms.get("preference_form") or PreferenceForm(
                prefix=f"p{p.pk}", initial={"months": p.months}
            )
    return render(request, "training/mine.html", {"rows": rows}, status=status)


@access.page("mine")
def mine(request):
    return _mine_page(request)


def _own_open(request, pk) -> Participant:
    participant = get_object_or_404(
        Participant.objects.editable_by(request.user).select_related("plan"), pk=pk
    )
    return participant


@require_POST
@access.page("unavailability")
def unavailable(request, pk):
    """A member's own unavailable dates (while the plan is a draft)."""
    participant = _own_open(request, pk)
    if participant.plan.state != PlanState.DRAFT:
        messages.error(request, _("计划已排期，如需调整请联系单位党务管理员"))
        return redirect("training:mine")
    form = UnavailabilityForm(request.POST, prefix=f"u{participant.pk}")
    if form.is_valid():
        try:
            services.unavailability_add(
                actor=request.user, participant=participant, **form.cleaned_data
            )
        except OutOfScope:
            raise Http404 from None
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("已录入无法参训日期"))
            return redirect("training:mine")
    return _mine_page(request, bound={participant.pk: {"unavailability_form": form}}, status=400)


@require_POST
@access.page("preference")
def preference(request, pk):
    participant = _own_open(request, pk)
    if participant.plan.state != PlanState.DRAFT:
        messages.error(request, _("计划已排期，参训意向不能再修改"))
        return redirect("training:mine")
    form = PreferenceForm(request.POST, prefix=f"p{participant.pk}")
    if form.is_valid():
        try:
            services.preference_set(
                actor=request.user, participant=participant, months=form.cleaned_data["months"]
            )
        except OutOfScope:
            raise Http404 from None
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("已保存参训意向"))
            return redirect("training:mine")
    return _mine_page(request, bound={participant.pk: {"preference_form": form}}, status=400)
