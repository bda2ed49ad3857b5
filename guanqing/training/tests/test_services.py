"""The services: a plan's sessions on the official calendar, the list of who must attend, roles
and unavailable dates in scope, solving (kept fixed assignments, members told their dates, an
impossible plan explained), and manual moves checked against the hard rules."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from guanqing.core.models import AuditEvent, Notification
from guanqing.core.services import OutOfScope
from guanqing.testing import factories as f
from guanqing.training import services
from guanqing.training.choices import LeaderRole, PlanState
from guanqing.training.models import Assignment, AssignmentMove, Participant, Plan

D = datetime.date


@pytest.fixture
def w(world, official_calendar, pinned_today):
    return world


def plan_values(**over):
    values = {
        "year": 2026,
        "title": "处级干部轮训",
        "venue": "市委党校",
        "sessions_count": 3,
        "classes_per_session": 2,
        "days_per_session": 2,
        "class_capacity": 5,
        "unit_share": "0.30",
        "required_ranks": ["division"],
        "first_date": D(2026, 9, 21),
        "last_date": D(2026, 12, 31),
        "time_limit_seconds": 5,
    }
    values.update(over)
    return values


def cadres(w, n, unit=None):
    unit = unit or w.unit
    return [f.MemberFactory(unit=unit, rank="division") for _ in range(n)]


def solved_plan(w, **over):
    # 30 %: the unit's 8 (9 with 张三) at most 2 a session, the other unit's 6 one a session
    cadres(w, 8)
    cadres(w, 6, unit=w.other_unit)
    plan = services.plan_save(actor=w.users.committee, **plan_values(sessions_count=6, **over))
    services.participants_build(actor=w.users.committee, plan=plan)
    result = services.plan_solve(actor=w.users.committee, plan=plan)
    return plan, result


def test_sessions_step_over_the_national_day_holiday(w):
    plan = services.plan_save(
        actor=w.users.committee, **plan_values(first_date=D(2026, 9, 30)), starts=None
    )
    first, second, third = plan.sessions.order_by("number")
    # 9-30 is a Wednesday and 10-1..10-7 the National Day holiday: the first session runs
    # 9-30 and 10-8; no session day is a holiday or a weekend day (make-up Saturdays not allowed)
    assert first.dates == [D(2026, 9, 30), D(2026, 10, 8)]
    for session in (first, second, third):
        for day in session.dates:
            assert day.weekday() < 5
            assert not D(2026, 10, 1) <= day <= D(2026, 10, 7)


def test_a_make_up_saturday_is_a_training_day_only_when_allowed(w):
    saturday = D(2026, 10, 10)  # worked in lieu of the National Day holiday
    with pytest.raises(ValidationError) as refused:
        services.plan_save(
            actor=w.users.committee,
            **plan_values(sessions_count=1, first_date=D(2026, 9, 1)),
            starts=[saturday],
        )
    assert "starts" in refused.value.message_dict
    plan = services.plan_save(
        actor=w.users.committee,
        **plan_values(sessions_count=1, first_date=D(2026, 9, 1), allow_makeup_saturdays=True),
        starts=[saturday],
    )
    assert plan.sessions.get().dates[0] == saturday


def test_a_start_on_a_holiday_is_refused_under_starts(w):
    with pytest.raises(ValidationError) as refused:
        services.plan_save(
            actor=w.users.committee,
            **plan_values(sessions_count=1, first_date=D(2026, 9, 1)),
            starts=[D(2026, 10, 2)],
        )
    assert "starts" in refused.value.message_dict


def test_plan_errors_name_their_fields(w):
    with pytest.raises(ValidationError) as refused:
        services.plan_save(
            actor=w.users.committee,
            **plan_values(last_date=D(2026, 9, 1), required_ranks=[]),
        )
    assert {"last_date", "required_ranks"} <= set(refused.value.message_dict)


def test_only_the_committee_makes_plans(w):
    with pytest.raises(PermissionDenied):
        services.plan_save(actor=w.users.unit_admin, **plan_values())


def test_the_list_takes_the_ranks_additions_and_exemptions(w):
    division = cadres(w, 3)
    section = f.MemberFactory(unit=w.unit, rank="section")
    plan = services.plan_save(actor=w.users.committee, **plan_values())
    with pytest.raises(ValidationError) as refused:
        services.participants_build(actor=w.users.committee, plan=plan, additions=[(section, "  ")])
    assert "additions" in refused.value.message_dict
    required = services.participants_build(
        actor=w.users.committee,
        plan=plan,
        additions=[(section, "新任职")],
        exemptions=[(division[0], "病休")],
    )
    assert required == 3
    assert set(plan.participants.values_list("member_id", flat=True)) == {
        m.pk for m in division
    } | {section.pk}
    assert plan.participants.get(member=division[0]).exempt_reason == "病休"


def test_solving_stores_a_schedule_and_tells_members_their_dates(w):
    w.member.rank = "division"
    w.member.save()
    plan, result = solved_plan(w)
    plan.refresh_from_db()
    assert plan.state == PlanState.SCHEDULED
    assert plan.solve_status == "OPTIMAL" and plan.solve_gap == 0
    assert Assignment.objects.filter(participant__plan=plan).count() == 15
    assert result.solved
    note = Notification.objects.get(recipient=w.users.member)
    mine = Assignment.objects.get(participant__member=w.member)
    assert mine.session.days[0] in note.text


def test_an_impossible_plan_is_explained_naming_the_unit(w):
    cadres(w, 4, unit=w.other_unit)
    plan = services.plan_save(
        actor=w.users.committee, **plan_values(sessions_count=3, class_capacity=10)
    )
    services.participants_build(actor=w.users.committee, plan=plan)
    # 30 % of 4 → one a session, and three sessions for four cadres
    result = services.plan_solve(actor=w.users.committee, plan=plan)
    plan.refresh_from_db()
    assert result.status == "INFEASIBLE"
    assert plan.state == PlanState.DRAFT
    assert "市发改委" in plan.solve_explanation and "4" in plan.solve_explanation
    # kept as reasons, put into words when read: an English reader reads them in English
    with translation.override("en"):
        assert (
            "市发改委 has 4 cadres who must attend"
            in Plan.objects.get(pk=plan.pk).solve_explanation
        )


def test_resolve_keeps_fixed_and_attended_assignments(w):
    plan, _result = solved_plan(w)
    moved = Assignment.objects.filter(participant__plan=plan).order_by("id")
    one, two = moved[0], moved[1]
    Assignment.objects.filter(pk=two.pk).update(attended_days=1)
    target, klass = one.session, 3 - one.class_number  # the other class of its session
    kept_two = (two.session_id, two.class_number)
    services.assignment_move(
        actor=w.users.committee, assignment=one, session=target, class_number=klass
    )
    services.plan_solve(actor=w.users.committee, plan=plan)
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.session_id, one.class_number, one.fixed) == (target.pk, klass, True)
    assert (two.session_id, two.class_number) == kept_two


def test_a_move_breaking_the_unit_share_is_refused_with_the_reason(w):
    plan, _result = solved_plan(w)
    # the other unit has 6 cadres: at most 1 a session
    theirs = list(
        Assignment.objects.filter(participant__unit=w.other_unit).select_related("session")
    )
    first = theirs[0]
    other = next(a for a in theirs if a.session_id != first.session_id)
    with pytest.raises(ValidationError) as refused:
        services.assignment_move(
            actor=w.users.committee, assignment=other, session=first.session, class_number=1
        )
    assert "市发改委" in refused.value.message_dict["session"][0]
    assert not AssignmentMove.objects.exists()


def test_a_move_breaking_leaders_apart_is_refused(w):
    plan, _result = solved_plan(w)
    people = list(Participant.objects.filter(plan=plan, unit=w.unit).order_by("id"))
    services.participant_set_role(
        actor=w.users.unit_admin, participant=people[0], leader_role=LeaderRole.PRINCIPAL
    )
    services.participant_set_role(
        actor=w.users.committee, participant=people[1], leader_role=LeaderRole.DEPUTY
    )
    services.plan_solve(actor=w.users.committee, plan=plan)
    principal = Assignment.objects.get(participant=people[0])
    deputy = Assignment.objects.get(participant=people[1])
    assert principal.session_id != deputy.session_id
    with pytest.raises(ValidationError) as refused:
        services.assignment_move(
            actor=w.users.committee,
            assignment=deputy,
            session=principal.session,
            class_number=1,
        )
    assert any("正职和副职" in m for m in refused.value.message_dict["session"])


def test_a_swap_is_logged_and_fixed(w):
    plan, _result = solved_plan(w)
    rows = list(Assignment.objects.filter(participant__unit=w.unit).select_related("session"))
    a = rows[0]
    b = next(r for r in rows if r.session_id != a.session_id)
    a_at, b_at = (a.session_id, a.class_number), (b.session_id, b.class_number)
    services.assignment_swap(actor=w.users.committee, first=a, second=b)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.session_id, a.class_number) == b_at and (b.session_id, b.class_number) == a_at
    assert a.fixed and b.fixed
    assert AssignmentMove.objects.count() == 2
    assert AuditEvent.objects.filter(object_type__icontains="assignment").count() >= 2


def test_moves_are_the_committees(w):
    plan, _result = solved_plan(w)
    row = Assignment.objects.filter(participant__plan=plan).first()
    with pytest.raises(PermissionDenied):
        services.assignment_move(
            actor=w.users.unit_admin, assignment=row, session=row.session, class_number=1
        )


def test_unavailability_is_entered_in_scope(w):
    w.member.rank = "division"
    w.member.save()
    other = cadres(w, 1, unit=w.other_unit)[0]
    plan = services.plan_save(actor=w.users.committee, **plan_values())
    services.participants_build(actor=w.users.committee, plan=plan)
    mine = Participant.objects.get(member=w.member)
    theirs = Participant.objects.get(member=other)
    item = services.unavailability_add(
        actor=w.users.member,
        participant=mine,
        start=D(2026, 10, 8),
        end=D(2026, 10, 9),
        reason="出差",
    )
    assert item.source == "member"
    with pytest.raises(ValidationError) as refused:
        services.unavailability_add(
            actor=w.users.unit_admin,
            participant=mine,
            start=D(2026, 10, 9),
            end=D(2026, 10, 8),
            reason="",
        )
    assert {"end", "reason"} <= set(refused.value.message_dict)
    with pytest.raises(OutOfScope):
        services.unavailability_add(
            actor=w.users.unit_admin,
            participant=theirs,
            start=D(2026, 10, 8),
            end=D(2026, 10, 9),
            reason="出差",
        )
    with pytest.raises(OutOfScope):
        services.unavailability_add(
            actor=w.users.member,
            participant=theirs,
            start=D(2026, 10, 8),
            end=D(2026, 10, 9),
            reason="出差",
        )


def test_scope_of_participants(w):
    cadres(w, 2)
    cadres(w, 2, unit=w.other_unit)
    plan = services.plan_save(actor=w.users.committee, **plan_values())
    services.participants_build(actor=w.users.committee, plan=plan)
    assert Participant.objects.visible_to(w.users.committee).count() == 4
    assert set(
        Participant.objects.visible_to(w.users.unit_admin).values_list("unit_id", flat=True)
    ) == {w.unit.pk}
    assert not Participant.objects.visible_to(w.users.window_clerk).exists()
    assert not Plan.objects.visible_to(w.users.fund_officer).exists()


def test_a_member_states_its_preferred_months_and_the_solver_follows(w):
    w.member.rank = "division"
    w.member.save()
    plan = services.plan_save(actor=w.users.committee, **plan_values(first_date=D(2026, 9, 21)))
    services.participants_build(actor=w.users.committee, plan=plan)
    mine = Participant.objects.get(member=w.member)
    with pytest.raises(ValidationError) as refused:
        services.preference_set(actor=w.users.member, participant=mine, months=[13])
    assert "months" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.preference_set(actor=w.users.unit_admin, participant=mine, months=[10])
    services.preference_set(actor=w.users.member, participant=mine, months=[10])
    services.plan_solve(actor=w.users.committee, plan=plan)
    session = Assignment.objects.get(participant=mine).session
    assert session.dates[0].month == 10
