"""Writes of the training rotations: the plan and its sessions, who must attend, leader roles and
unavailable dates, solving, and the committee's manual moves and swaps.

Each service is one transaction: the role checked against the access table, the row locked within
the actor's scope (outside it: 404), the values checked (errors under the parameter names), the
row saved with its audit record. A manual move is checked against every hard rule by the checker
(`checker.check`) on the whole plan and refused with the checker's reason; it is logged
(`AssignmentMove` and the audit log) and the assignment marked fixed, so a re-solve keeps it.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanqing.core import audit
from guanqing.core.calendar.workdays import CalendarYearMissing, is_workday
from guanqing.core.notifications.services import notification_send
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import merge_errors, save_with_audit
from guanqing.registry.choices import MemberStatus, Rank
from guanqing.registry.models import Member
from guanqing.training import rules, selectors
from guanqing.training import solver as sat
from guanqing.training.access import access
from guanqing.training.choices import (
    Inclusion,
    LeaderRole,
    PlanState,
    SolveStatus,
    UnavailabilitySource,
)
from guanqing.training.explain import Reason, reasons_for
from guanqing.training.models import (
    Assignment,
    AssignmentMove,
    Participant,
    Plan,
    Preference,
    Session,
    Unavailability,
)

PLAN_FIELDS = [
    "year",
    "title",
    "venue",
    "sessions_count",
    "classes_per_session",
    "days_per_session",
    "class_capacity",
    "allow_makeup_saturdays",
    "unit_share",
    "required_ranks",
    "first_date",
    "last_date",
    "time_limit_seconds",
    "weights",
]


def _session_dates(plan: Plan, starts: list[datetime.date] | None) -> list[list[datetime.date]]:
    """The days of each session, from the committee's starts or one a week from the first date;
    errors under `starts`."""
    allow = plan.allow_makeup_saturdays
    try:
        if starts is None:
            starts = rules.proposed_starts(
                plan.first_date,
                plan.sessions_count,
                plan.days_per_session,
                is_workday=is_workday,
                allow_saturdays=allow,
            )
        if len(starts) != plan.sessions_count:
            raise ValidationError(
                {"starts": [_("须给出 %(n)s 期的开班日期") % {"n": plan.sessions_count}]}
            )
        result = []
        for number, start in enumerate(starts, start=1):
            days = rules.session_days(
                start, plan.days_per_session, is_workday=is_workday, allow_saturdays=allow
            )
            if days is None:
                raise ValidationError(
                    {
                        "starts": [
                            _("第 %(n)s 期的开班日期 %(day)s 不是可培训的工作日")
                            % {"n": number, "day": start.isoformat()}
                        ]
                    }
                )
            if days[0] < plan.first_date or days[-1] > plan.last_date:
                raise ValidationError(
                    {
                        "starts": [
                            _("第 %(n)s 期（%(first)s 至 %(last)s）超出计划允许的日期")
                            % {
                                "n": number,
                                "first": days[0].isoformat(),
                                "last": days[-1].isoformat(),
                            }
                        ]
                    }
                )
            result.append(days)
    except CalendarYearMissing as exc:
        raise ValidationError({"starts": [str(exc)]}) from exc
    return result


def plan_save(*, actor, plan: Plan | None = None, starts=None, **values) -> Plan:
    """Create or change a draft plan; its sessions are (re)made from `starts` (or proposed)."""
    access.check(actor, "plan")
    with transaction.atomic():
        if plan is not None:
            plan = lock_in_scope(Plan.objects.editable_by(actor), plan.pk)
            if plan.state != PlanState.DRAFT:
                raise ValidationError({"state": [_("只有草稿状态的计划可以修改")]})
            before = audit.snapshot(plan, PLAN_FIELDS)
        else:
            plan, before = Plan(created_by=actor), None
        unknown = set(values) - set(PLAN_FIELDS)
        if unknown:
            raise TypeError(f"unknown fields {sorted(unknown)}")
        for name, value in values.items():
            setattr(plan, name, value)
        errors = {}
        if plan.first_date and plan.last_date and plan.last_date < plan.first_date:
            errors["last_date"] = [_("最晚结束日期不能早于最早开班日期")]
        if plan.first_date and plan.year and plan.first_date.year != plan.year:
            errors["first_date"] = [_("最早开班日期须在计划年度内")]
        ranks = plan.required_ranks or []
        if not ranks or any(r not in Rank.values for r in ranks):
            errors["required_ranks"] = [_("请选择须参训的职级")]
        merge_errors(errors)
        days = _session_dates(plan, starts)
        save_with_audit(actor=actor, instance=plan, fields=PLAN_FIELDS, before=before)
        if plan.sessions.exists():
            Assignment.objects.filter(participant__plan=plan).delete()
            plan.sessions.all().delete()
        Session.objects.bulk_create(
            Session(
                plan=plan,
                number=n,
                start_date=run[0],
                days=[d.isoformat() for d in run],
            )
            for n, run in enumerate(days, start=1)
        )
    return plan


def participants_build(*, actor, plan: Plan, additions=(), exemptions=()) -> int:
    """The plan's list: active members of the required ranks, plus `additions` [(member, reason)],
    with `exemptions` [(member, reason)] marked; leader roles already set are kept. Returns how
    many must attend."""
    access.check(actor, "plan")
    errors = {}
    if any(not (reason or "").strip() for _m, reason in additions):
        errors["additions"] = [_("增列须写明理由")]
    if any(not (reason or "").strip() for _m, reason in exemptions):
        errors["exemptions"] = [_("免训须写明理由")]
    merge_errors(errors)
    with transaction.atomic():
        plan = lock_in_scope(Plan.objects.editable_by(actor), plan.pk)
        if plan.state != PlanState.DRAFT:
            raise ValidationError({"state": [_("只有草稿状态的计划可以调整参训名单")]})
        existing = {p.member_id: p for p in plan.participants.all()}
        members = Member.objects.filter(
            status=MemberStatus.ACTIVE, rank__in=plan.required_ranks
        ).only("id", "unit_id")
        wanted = {m.id: (m.unit_id, Inclusion.RANK, "") for m in members}
        for member, reason in additions:
            wanted[member.pk] = (member.unit_id, Inclusion.ADDED, reason.strip())
        exempt = {member.pk: reason.strip() for member, reason in exemptions}
        Participant.objects.filter(plan=plan).exclude(member_id__in=wanted).delete()
        new = []
        for member_id, (unit_id, inclusion, reason) in wanted.items():
            row = existing.get(member_id)
            if row is None:
                row = Participant(plan=plan, member_id=member_id, unit_id=unit_id)
                new.append(row)
            row.inclusion, row.added_reason = inclusion, reason
            row.exempt = member_id in exempt
            row.exempt_reason = exempt.get(member_id, "")
            if row.pk:
                row.save(update_fields=["inclusion", "added_reason", "exempt", "exempt_reason"])
        Participant.objects.bulk_create(new)
        required = plan.participants.required().count()
        audit.record(
            actor=actor,
            action="update",
            obj=plan,
            changes={"participants": [len(existing), len(wanted)], "exempt": [None, len(exempt)]},
            message=_("生成参训名单"),
        )
    return required


def participant_set_role(*, actor, participant: Participant, leader_role: str) -> Participant:
    access.check(actor, "roles")
    with transaction.atomic():
        row = lock_in_scope(Participant.objects.editable_by(actor), participant.pk)
        if leader_role not in LeaderRole.values:
            raise ValidationError({"leader_role": [_("请选择单位职务")]})
        before = audit.snapshot(row, ["leader_role"])
        row.leader_role = leader_role
        return save_with_audit(actor=actor, instance=row, fields=["leader_role"], before=before)


def unavailability_add(
    *, actor, participant: Participant, start: datetime.date, end: datetime.date, reason: str
) -> Unavailability:
    access.check(actor, "unavailability")
    with transaction.atomic():
        row = lock_in_scope(Participant.objects.editable_by(actor), participant.pk)
        errors = {}
        if end < start:
            errors["end"] = [_("结束日期不能早于起始日期")]
        if not (reason or "").strip():
            errors["reason"] = [_("请写明无法参训的原因")]
        merge_errors(errors)
        source = (
            UnavailabilitySource.MEMBER
            if getattr(actor, "member_id", None) == row.member_id
            else UnavailabilitySource.UNIT
        )
        item = Unavailability(
            participant=row,
            start=start,
            end=end,
            reason=reason.strip(),
            source=source,
            recorded_by=actor,
        )
        return save_with_audit(
            actor=actor,
            instance=item,
            fields=["participant", "start", "end", "reason", "source"],
            root=row.plan,
        )


def preference_set(*, actor, participant: Participant, months) -> Preference:
    """A member's preferred months (1–12; empty: no preference); soft for the solver."""
    access.check(actor, "preference")
    with transaction.atomic():
        row = lock_in_scope(Participant.objects.editable_by(actor), participant.pk)
        chosen = sorted(set(months))
        if any(not isinstance(m, int) or not 1 <= m <= 12 for m in chosen):
            raise ValidationError({"months": [_("月份须在 1 至 12 之间")]})
        item = Preference.objects.filter(participant=row).first()
        before = audit.snapshot(item, ["months"]) if item else None
        item = item or Preference(participant=row)
        item.months = chosen
        return save_with_audit(
            actor=actor, instance=item, fields=["months"], before=before, root=row.plan
        )


def plan_solve(*, actor, plan: Plan) -> sat.Result:
    """Solve within the plan's time limit, keeping fixed and attended assignments; store the
    schedule and the outcome, or the reasons there is none; tell each member its dates."""
    access.check(actor, "solve")
    with transaction.atomic():
        plan = lock_in_scope(Plan.objects.editable_by(actor), plan.pk)
        rules.PLAN.check(plan.state, "solve", field="state")
        problem, sessions, participants = selectors.problem_for(plan)
        result = sat.solve(problem, time_limit=plan.time_limit_seconds)
        before = audit.snapshot(plan, ["state", "solve_status", "solve_gap"])
        plan.solve_status = result.status
        plan.solve_gap = result.gap
        plan.solve_seconds = round(result.seconds, 3)
        plan.solve_objective = result.objective
        plan.solved_at = timezone.now()
        if not result.solved:
            reasons = (
                reasons_for(problem)
                if result.status == SolveStatus.INFEASIBLE
                else [Reason("time_limit", {"n": plan.time_limit_seconds})]
            )
            plan.solve_reasons = [reason.as_json() for reason in reasons]
        else:
            plan.solve_reasons = []
            plan.state = rules.PLAN.target(plan.state, "solve")
            _store(plan, result, sessions, participants)
        save_with_audit(
            actor=actor,
            instance=plan,
            fields=["state", "solve_status", "solve_gap"],
            before=before,
            also_save=[
                "solve_seconds",
                "solve_objective",
                "solved_at",
                "solve_reasons",
            ],
            extra_changes={"solve_seconds": [None, plan.solve_seconds]},
            message=plan.solve_explanation,
        )
        if result.solved:
            _notify(plan)
    return result


def _store(plan, result, sessions, participants) -> None:
    kept = {
        a.participant_id: a
        for a in Assignment.objects.filter(participant__plan=plan)
        if a.kept_on_resolve
    }
    Assignment.objects.filter(participant__plan=plan).exclude(participant_id__in=kept).delete()
    Assignment.objects.bulk_create(
        Assignment(
            participant_id=pid,
            session=sessions[number],
            class_number=klass,
        )
        for pid, (number, klass) in result.assignments.items()
        if pid not in kept
    )


def _notify(plan: Plan) -> None:
    users = get_user_model().objects.filter(
        is_active=True,
        member__training_participations__plan=plan,
    )
    rows = Assignment.objects.filter(participant__plan=plan).select_related(
        "session", "participant"
    )
    by_member = {a.participant.member_id: a for a in rows}
    for user in users:
        assignment = by_member.get(user.member_id)
        if assignment is None:
            continue
        session = assignment.session
        notification_send(
            recipients=[user],
            kind="training_scheduled",
            text=_("您参加“%(plan)s”第 %(n)s 期第 %(klass)s 班：%(days)s，地点 %(venue)s。")
            % {
                "plan": plan.title,
                "n": session.number,
                "klass": assignment.class_number,
                "days": "、".join(session.days),
                "venue": plan.venue or "—",
            },
            dedupe_key=(
                f"training:{plan.pk}:{user.member_id}:{session.number}:{assignment.class_number}"
            ),
        )


def _checked(plan: Plan, changes: dict[int, tuple[int, int]]) -> None:
    """Refuse the changed schedule when it breaks a hard rule, naming the rule."""
    broken = selectors.change_judge(plan)(changes)
    if broken:
        raise ValidationError({"session": broken})


def _move(actor, assignment, session, class_number, swap_with=None):
    before = audit.snapshot(assignment, ["session", "class_number", "fixed"])
    move = AssignmentMove(
        participant=assignment.participant,
        from_session=assignment.session.number,
        from_class=assignment.class_number,
        to_session=session.number,
        to_class=class_number,
        swap_with=swap_with,
        moved_by=actor,
    )
    assignment.session, assignment.class_number, assignment.fixed = session, class_number, True
    save_with_audit(
        actor=actor,
        instance=assignment,
        fields=["session", "class_number", "fixed"],
        before=before,
        root=session.plan,
    )
    move.save()


def assignment_move(
    *, actor, assignment: Assignment, session: Session, class_number: int
) -> Assignment:
    access.check(actor, "move")
    with transaction.atomic():
        row = lock_in_scope(Assignment.objects.editable_by(actor), assignment.pk)
        plan = row.participant.plan
        errors = {}
        if session.plan_id != plan.pk:
            errors["session"] = [_("只能调到本计划的期次")]
        if not 1 <= class_number <= plan.classes_per_session:
            errors["class_number"] = [
                _("班次须在 1 至 %(n)s 之间") % {"n": plan.classes_per_session}
            ]
        if row.attended_days:
            errors["session"] = [_("已开始参训的安排不能调整")]
        merge_errors(errors)
        _checked(plan, {row.participant_id: (session.number, class_number)})
        _move(actor, row, session, class_number)
    return row


def assignment_swap(*, actor, first: Assignment, second: Assignment) -> None:
    access.check(actor, "move")
    with transaction.atomic():
        a = lock_in_scope(Assignment.objects.editable_by(actor), first.pk)
        b = lock_in_scope(Assignment.objects.editable_by(actor), second.pk)
        plan = a.participant.plan
        errors = {}
        if b.participant.plan_id != plan.pk:
            errors["second"] = [_("只能对调同一计划的干部")]
        if a.attended_days or b.attended_days:
            errors["first"] = [_("已开始参训的安排不能调整")]
        merge_errors(errors)
        a_to = (b.session, b.class_number)
        b_to = (a.session, a.class_number)
        _checked(
            plan,
            {
                a.participant_id: (a_to[0].number, a_to[1]),
                b.participant_id: (b_to[0].number, b_to[1]),
            },
        )
        _move(actor, a, *a_to, swap_with=b.participant)
        _move(actor, b, *b_to, swap_with=a.participant)
