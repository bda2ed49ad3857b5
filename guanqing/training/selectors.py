"""Reads of the training rotations that the services and the pages share: the solver's plain
input built from a plan, the judge of a change to its schedule, and each plan's counts."""

from __future__ import annotations

import collections

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from guanqing.training import solver as sat
from guanqing.training.checker import check
from guanqing.training.models import Assignment, Participant, Plan, Session, Unavailability


def _count_per(rows, outer_field: str):
    counted = rows.order_by().values(outer_field).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def required_count():
    """A plan's participants not exempt, as an expression per plan row. A subquery each, by the
    index on the plan: counting through a join of every participant with its assignment (and
    DISTINCT) read a plan's tens of thousands of rows for each list page and again for its length."""
    return _count_per(Participant.objects.filter(plan=OuterRef("pk"), exempt=False), "plan")


def assigned_count():
    """A plan's participants given a session and class (one assignment each at most), counted
    by the plan's sessions: an assignment's session is always of its participant's plan
    (`services._store` takes the plan's sessions, `assignment_move` refuses another plan's).
    Through the participants it joined every participant of the plan to its assignment: 70 ms
    for a plan of 104,000 at a whole province, 18 ms by the sessions."""
    return _count_per(Assignment.objects.filter(session__plan=OuterRef("pk")), "session__plan")


def session_assigned_count():
    """A session's assignments, as an expression per session row: a subquery by the index on
    the session. Counting through a join grouped by session read every assignment of the
    province for each page of sessions, again for its keys and again for its length (50, 39
    and 26 ms at a whole province)."""
    return _count_per(Assignment.objects.filter(session=OuterRef("pk")), "session")


def problem_for(plan: Plan, *, with_fixed: bool = True):
    """(problem, {session number: Session}, [Participant]) for the plan's required participants.
    With `with_fixed`, assignments set by hand or already attended are fixed in the problem."""
    sessions = {s.number: s for s in Session.objects.filter(plan=plan).order_by("number")}
    participants = list(
        Participant.objects.filter(plan=plan)
        .required()
        .select_related("unit", "member")
        .order_by("id")
    )
    unavailable = collections.defaultdict(list)
    for row in Unavailability.objects.filter(participant__plan=plan).values_list(
        "participant_id", "start", "end"
    ):
        unavailable[row[0]].append((row[1], row[2]))
    months = dict(
        Participant.objects.filter(plan=plan, preference__isnull=False).values_list(
            "id", "preference__months"
        )
    )
    fixed = {}
    if with_fixed:
        for a in Assignment.objects.filter(participant__plan=plan).select_related("session"):
            if a.kept_on_resolve:
                fixed[a.participant_id] = (a.session.number, a.class_number)
    people = tuple(
        sat.Person(
            id=p.pk,
            unit=p.unit_id,
            role=p.leader_role,
            unavailable=tuple(unavailable.get(p.pk, ())),
            preferred_months=frozenset(months.get(p.pk) or ()),
            fixed=fixed.get(p.pk),
        )
        for p in participants
    )
    problem = sat.Problem(
        sessions=tuple(sat.SessionSpec(number, tuple(s.dates)) for number, s in sessions.items()),
        classes_per_session=plan.classes_per_session,
        class_capacity=plan.class_capacity,
        people=people,
        unit_share=float(plan.unit_share),
        weights=plan.weights or {},
        unit_names={p.unit_id: p.unit.name for p in participants},
        person_names={p.pk: p.member.name for p in participants},
    )
    return problem, sessions, participants


def change_judge(plan: Plan):
    """A function of changes {participant id: (session number, class)} giving, in words, the hard
    rules the plan's schedule with those changes breaks that it did not break before (a rule
    already broken is not the change's doing). Moves, swaps and make-ups are judged by it."""
    problem, _sessions, _participants = problem_for(plan, with_fixed=False)
    schedule = {
        pid: (number, klass)
        for pid, number, klass in Assignment.objects.filter(participant__plan=plan).values_list(
            "participant_id", "session__number", "class_number"
        )
    }
    before = {str(v) for v in check(problem, schedule)}

    def judge(changes: dict[int, tuple[int, int]]) -> list[str]:
        return [str(v) for v in check(problem, {**schedule, **changes}) if str(v) not in before]

    return judge
