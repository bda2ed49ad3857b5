"""Reads of the care pages, API and home sections that need more than one filter, and what pages
and services must agree on: who may read a sensitive event, how an event's rule is named in a
list, an obligation against its deadline, the committee's board."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanqing.care import rules
from guanqing.care.choices import CareSystem, EventSource, ObligationState, Timing
from guanqing.care.models import CareEvent, CareRule, Obligation
from guanqing.core import audit
from guanqing.core.roles import Role
from guanqing.registry.choices import MemberStatus
from guanqing.registry.models import Member, Unit


def may_read(user, event: CareEvent) -> bool:
    """A sensitive event is read by the committee, the administrators of its unit and the member
    it is about; any other event by whoever sees it."""
    if not event.sensitive:
        return True
    role = getattr(user, "role", None)
    if role == Role.COMMITTEE:
        return True
    if role == Role.UNIT_ADMIN:
        return user.unit_id == event.unit_id
    if role == Role.MEMBER:
        return bool(user.member_id) and user.member_id == event.member_id
    return False


def rule_label(user, event: CareEvent) -> str:
    """The event's rule as a list shows it: masked for whoever may not read a sensitive event."""
    return event.rule.name if may_read(user, event) else _("（敏感事项）")


def audit_sensitive_read(user, event: CareEvent) -> None:
    """Every read of a sensitive event's page is recorded (like revealing an ID number)."""
    if event.sensitive:
        audit.record(actor=user, action="reveal", obj=event)


def events_for_list(user):
    return CareEvent.objects.visible_to(user).select_related("member", "unit", "rule")


def obligations_for_list(user):
    return Obligation.objects.visible_to(user).select_related(
        "event", "event__member", "event__rule", "unit"
    )


def work_queue(user, today: datetime.date):
    """Open obligations: overdue first (oldest deadline first), then due soonest."""
    return obligations_for_list(user).open().order_by("due_on", "pk")


def timing(obligation: Obligation, today: datetime.date) -> str:
    return rules.timing(obligation.state, obligation.due_on, obligation.met_on, today)


def timing_label(value: str) -> str:
    return Timing(value).label


def week_end(today: datetime.date) -> datetime.date:
    """Sunday of today's week: "due this week" is up to it."""
    return today + datetime.timedelta(days=6 - today.weekday())


@dataclass
class QueueCounts:
    open: int = 0
    overdue: int = 0
    due_this_week: int = 0
    escalated: int = 0


def queue_counts(user, today: datetime.date) -> QueueCounts:
    """One query: the open obligations in scope, the overdue, those due this week, the escalated."""
    row = (
        Obligation.objects.visible_to(user)
        .open()
        .aggregate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            week=Count("pk", filter=Q(due_on__gte=today, due_on__lte=week_end(today))),
            escalated=Count("pk", filter=Q(escalated_on__isnull=False)),
        )
    )
    return QueueCounts(
        open=row["open"],
        overdue=row["overdue"],
        due_this_week=row["week"],
        escalated=row["escalated"],
    )


def rules_by_system(queryset=None) -> list[tuple[str, list[CareRule]]]:
    """The catalogue grouped by system, in the system's order: (label, rules)."""
    queryset = queryset if queryset is not None else CareRule.objects.active()
    grouped: dict[str, list[CareRule]] = {value: [] for value in CareSystem.values}
    for rule in queryset.order_by("system", "sort_order", "pk"):
        grouped.setdefault(rule.system, []).append(rule)
    return [(CareSystem(k).label, v) for k, v in grouped.items() if v]


def members_to_record(user, unit=None):
    """The active members an event may be recorded for: a unit administrator's unit's; the
    committee's of the unit it picked."""
    members = Member.objects.visible_to(user).filter(status=MemberStatus.ACTIVE)
    if getattr(user, "role", None) == Role.UNIT_ADMIN:
        members = members.filter(unit_id=user.unit_id)
    elif unit is not None:
        members = members.filter(unit_id=getattr(unit, "pk", unit))
    else:
        members = members.none()
    return members.order_by("name", "pk")


@dataclass
class BoardRow:
    unit: Unit
    open: int
    overdue: int
    escalated: int
    url: str = ""  # the unit's obligations (set for the rows a page shows)


def board(today: datetime.date) -> tuple[list[BoardRow], list[Obligation]]:
    """The committee's board: per unit the open, overdue and escalated obligations (one GROUP BY),
    and the overdue ones across units, escalated first."""
    counts = (
        Obligation.objects.open()
        .values("unit_id")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            escalated=Count("pk", filter=Q(escalated_on__isnull=False)),
        )
        .filter(overdue__gt=0)
        .order_by("-escalated", "-overdue", "unit_id")
    )
    counts = list(counts)
    units = Unit.objects.in_bulk([row["unit_id"] for row in counts])
    rows = [
        BoardRow(units[row["unit_id"]], row["open"], row["overdue"], row["escalated"])
        for row in counts
    ]
    overdue = (
        Obligation.objects.overdue(today)
        .select_related("event", "event__member", "event__rule", "unit")
        .order_by(F("escalated_on").asc(nulls_last=True), "due_on", "pk")
    )
    return rows, overdue


def obligation_state_label(obligation: Obligation) -> str:
    return ObligationState(obligation.state).label


@dataclass
class Step:
    """One line of an event's timeline."""

    on: object  # a date or a datetime
    kind: str  # recorded | due | met | waived | escalated
    text: str
    who: str = ""
    note: str = ""


def _name(user) -> str:
    if user is None:
        return ""
    return user.display_name or user.username


def timeline(event: CareEvent, obligations: list[Obligation]) -> list[Step]:
    """Recorded, then for each obligation its deadline and what became of it, in order."""
    recorded = _("党员本人报告") if event.source == EventSource.MEMBER else _("单位录入")
    steps = [Step(event.recorded_at, "recorded", recorded, _name(event.recorded_by))]
    for o in obligations:
        steps.append(
            Step(
                o.due_on,
                "due",
                _("%(actor)s%(action)s期限")
                % {
                    "actor": o.get_actor_kind_display(),
                    "action": o.get_action_display(),
                },
            )
        )
        if o.escalated_on:
            steps.append(Step(o.escalated_on, "escalated", _("逾期未落实，报单位党委")))
        if o.state == ObligationState.MET:
            steps.append(Step(o.met_on, "met", _("已落实"), _name(o.done_by), o.done_note))
        elif o.state == ObligationState.WAIVED:
            steps.append(
                Step(o.waived_on, "waived", _("已免除"), _name(o.waived_by), o.waived_reason)
            )
    return sorted(steps, key=lambda s: _day(s.on))


def _day(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value
