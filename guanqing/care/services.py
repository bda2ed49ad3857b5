"""Writes of the care rules: the committee's catalogue, recording an event (by the unit, or the
member reporting its own), meeting and waiving an obligation, and the daily escalation.

Each service is one transaction: the role is checked against the access table, the row locked
within the actor's scope (outside it: 404), the lifecycle table (`rules.OBLIGATION`) decides the
move — a move it refuses raises `Conflict` (409) and changes nothing — then the values are checked
(errors under the service's parameter names) and the row saved with its audit record.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from guanqing.care import rules
from guanqing.care.access import access
from guanqing.care.choices import ActorKind, CareAction, CareSystem, EventSource, ObligationState
from guanqing.care.models import (
    DESCRIPTION_MAX,
    EARLIEST,
    LIMIT_MAX,
    LIMIT_MIN,
    NAME_MAX,
    CareEvent,
    CareRule,
    Obligation,
)
from guanqing.core import audit, text
from guanqing.core.calendar.workdays import CalendarYearMissing, business_date
from guanqing.core.errors import Conflict
from guanqing.core.notifications.services import notification_send
from guanqing.core.roles import Role
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import merge_errors, save_with_audit
from guanqing.registry.models import Member

SYSTEM = "system"  # the daily job's name in the audit log
REASON_MAX = 200
CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
RULE_FIELDS = [
    "system",
    "code",
    "name",
    "description",
    "actor_kind",
    "action",
    "limit_workdays",
    "sensitive",
    "is_active",
    "sort_order",
]
EVENT_FIELDS = [
    "member",
    "unit",
    "rule",
    "occurred_on",
    "note",
    "source",
    "sensitive",
    "recorded_by",
]
OBLIGATION_FIELDS = [
    "event",
    "unit",
    "action",
    "actor_kind",
    "limit_workdays",
    "due_on",
    "state",
]


def _check_move(obligation: Obligation, action: str) -> None:
    """The lifecycle table's refusal as a Conflict (409), with the table's message."""
    try:
        rules.OBLIGATION.check(obligation.state, action, field="state")
    except ValidationError as exc:
        raise Conflict(exc.message_dict["state"][0]) from None


def _text(errors: dict, field: str, value, message=None, *, max_length=None) -> str:
    value = text.strip_edges(value if isinstance(value, str) else "")
    if message is not None and not text.has_visible(value):
        errors.setdefault(field, []).append(message)
    elif max_length is not None and len(value) > max_length:
        errors.setdefault(field, []).append(
            _("最多 %(max)d 个字（当前 %(n)d 个）") % {"max": max_length, "n": len(value)}
        )
    return value


def _is_date(value) -> bool:
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def _pk(value):
    return getattr(value, "pk", value)


def _unit_admin_ids(unit_id) -> list[int]:
    return list(
        get_user_model()
        .objects.filter(unit_id=unit_id, role=Role.UNIT_ADMIN, is_active=True)
        .values_list("pk", flat=True)
    )


def _event_link(event: CareEvent) -> str:
    return reverse("care:event", args=[event.pk])


# --- the catalogue -----------------------------------------------------------------------------


def care_rule_save(*, actor, rule=None, **fields) -> CareRule:
    """Add an item to the catalogue, or change one. A change applies to the events recorded from
    now on: the obligations already due keep their action, actor and deadline."""
    access.check(actor, "catalogue")
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        if rule is None:
            row, before = CareRule(), None
        else:
            row = lock_in_scope(CareRule.objects.editable_by(actor), _pk(rule))
            before = audit.snapshot(row, RULE_FIELDS)
        errors: dict[str, list[str]] = {}
        values = {name: getattr(row, name) for name in RULE_FIELDS} | fields
        if values["system"] not in CareSystem.values:
            errors["system"] = [_("请选择制度")]
        if values["actor_kind"] not in ActorKind.values:
            errors["actor_kind"] = [_("请选择责任人")]
        if values["action"] not in CareAction.values:
            errors["action"] = [_("请选择落实方式")]
        code = text.strip_edges(values["code"] if isinstance(values["code"], str) else "").lower()
        if not CODE.match(code):
            errors["code"] = [_("编码由小写字母、数字、连字符组成，最多 40 个字符")]
        elif CareRule.objects.filter(code=code).exclude(pk=row.pk).exists():
            errors["code"] = [_("编码 %(code)s 已被使用") % {"code": code}]
        name = _text(errors, "name", values["name"], _("请填写事项名称"), max_length=NAME_MAX)
        description = _text(
            errors, "description", values["description"], max_length=DESCRIPTION_MAX
        )
        limit = values["limit_workdays"]
        if (
            isinstance(limit, bool)
            or not isinstance(limit, int)
            or not LIMIT_MIN <= limit <= LIMIT_MAX
        ):
            errors["limit_workdays"] = [
                _("时限应在 %(min)d 到 %(max)d 个工作日之间") % {"min": LIMIT_MIN, "max": LIMIT_MAX}
            ]
        order = values["sort_order"]
        if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= 32767:
            errors["sort_order"] = [_("排序应为 0 到 32767 之间的整数")]
        for flag in ("sensitive", "is_active"):
            if not isinstance(values[flag], bool):
                errors[flag] = [_("应为是或否")]
        merge_errors(errors)
        values |= {"code": code, "name": name, "description": description}
        for name_, value in values.items():
            setattr(row, name_, value)
        return save_with_audit(actor=actor, instance=row, fields=RULE_FIELDS, before=before)


# --- events and their obligations --------------------------------------------------------------


def _event_member(actor, member, errors: dict):
    """The member an event is recorded for: one the actor sees; a unit administrator's own unit's;
    a member reporting only itself."""
    pk = _pk(member)
    if actor.role == Role.MEMBER:
        if not actor.member_id or pk != actor.member_id:
            errors["member"] = [_("只能报告本人的事项")]
            return None
        return Member.objects.filter(pk=pk).first()
    found = Member.objects.visible_to(actor).filter(pk=pk).first() if pk else None
    if found is None:
        errors["member"] = [_("所选党员不存在或不在您的权限范围内")]
    elif actor.role == Role.UNIT_ADMIN and found.unit_id != actor.unit_id:
        errors["member"] = [_("只能为本单位党员录入")]
        return None
    return found


def care_event_record(
    *, actor, member, rule, occurred_on, note: str = ""
) -> tuple[CareEvent, bool]:
    """Record an event in a member's life; its rule makes an obligation due. The same event
    (member, rule, day) recorded again returns the one recorded before and `created` False: one
    event, one set of obligations, also when two requests race (the unique constraint decides)."""
    reporting = getattr(actor, "role", None) == Role.MEMBER
    access.check(actor, "report" if reporting else "record")
    with transaction.atomic():
        errors: dict[str, list[str]] = {}
        today = business_date()
        person = _event_member(actor, member, errors)
        item = CareRule.objects.filter(pk=_pk(rule)).first() if _pk(rule) else None
        if item is None:
            errors["rule"] = [_("请选择事项")]
        elif not item.is_active:
            errors["rule"] = [_("该事项已停用")]
        if not _is_date(occurred_on):
            errors["occurred_on"] = [_("请填写发生日期")]
        elif occurred_on > today:
            errors["occurred_on"] = [_("发生日期不能晚于今天")]
        elif occurred_on < EARLIEST:
            errors["occurred_on"] = [_("发生日期不能早于 2000 年")]
        note = _text(errors, "note", note, max_length=text.LONG_TEXT_MAX)
        merge_errors(errors)
        identity = {"member": person, "rule": item, "occurred_on": occurred_on}
        existing = CareEvent.objects.filter(**identity).first()
        if existing is not None:
            return existing, False
        try:
            due = rules.due_on(occurred_on, item.limit_workdays)
        except CalendarYearMissing as exc:
            raise ValidationError({"occurred_on": [str(exc)]}) from None
        try:
            with transaction.atomic():  # a savepoint: a lost race leaves the outer one usable
                event = _insert_event(actor, person, item, occurred_on, note, due, reporting)
        except (IntegrityError, ValidationError):
            # another request recorded the same event first (its row is seen by the model's
            # unique check, or refused by the database's constraint): that one is the event
            existing = CareEvent.objects.filter(**identity).first()
            if existing is None:
                raise
            return existing, False
    return event, True


def _insert_event(actor, person, item, occurred_on, note, due, reporting) -> CareEvent:
    event = CareEvent(
        member=person,
        unit_id=person.unit_id,
        rule=item,
        occurred_on=occurred_on,
        note=note,
        source=EventSource.MEMBER if reporting else EventSource.UNIT,
        sensitive=item.sensitive,
        recorded_by=actor,
    )
    save_with_audit(actor=actor, instance=event, fields=EVENT_FIELDS)
    obligation = Obligation(
        event=event,
        unit_id=person.unit_id,
        action=item.action,
        actor_kind=item.actor_kind,
        limit_workdays=item.limit_workdays,
        due_on=due,
        state=ObligationState.OPEN,
    )
    save_with_audit(actor=actor, instance=obligation, fields=OBLIGATION_FIELDS, root=event)
    if reporting:
        label = _("敏感事项") if item.sensitive else item.name
        notification_send(
            recipients=_unit_admin_ids(person.unit_id),
            kind="care_event_reported",
            text=_("%(name)s报告了“%(rule)s”，请于 %(due)s 前落实。")
            % {"name": person.name, "rule": label, "due": due},
            link=_event_link(event),
            dedupe_key=f"care:event:{event.pk}:reported",
        )
    return event


# --- meeting and waiving -----------------------------------------------------------------------


def obligation_meet(*, actor, obligation, done_note, on=None) -> Obligation:
    """落实: what was done, on a day from the event to today (by default today)."""
    access.check(actor, "meet")
    with transaction.atomic():
        row = lock_in_scope(
            Obligation.objects.editable_by(actor).select_related("event"), _pk(obligation)
        )
        _check_move(row, "meet")
        errors: dict[str, list[str]] = {}
        today = business_date()
        on = today if on is None else on
        if not _is_date(on):
            errors["on"] = [_("日期格式应为 YYYY-MM-DD")]
        elif on > today:
            errors["on"] = [_("落实日期不能晚于今天")]
        elif on < row.event.occurred_on:
            errors["on"] = [
                _("落实日期不能早于事件发生日期 %(day)s") % {"day": row.event.occurred_on}
            ]
        done_note = _text(
            errors, "done_note", done_note, _("请填写落实情况"), max_length=text.LONG_TEXT_MAX
        )
        merge_errors(errors)
        fields = ["state", "met_on", "done_note", "done_by"]
        before = audit.snapshot(row, fields)
        row.state = rules.OBLIGATION.target(row.state, "meet")
        row.met_on = on
        row.done_note = done_note
        row.done_by = actor
        return save_with_audit(
            actor=actor, instance=row, fields=fields, before=before, root=row.event
        )


def obligation_waive(*, actor, obligation, reason) -> Obligation:
    """免除: only the unit's administrator or the committee, with a reason."""
    access.check(actor, "waive")
    with transaction.atomic():
        row = lock_in_scope(
            Obligation.objects.editable_by(actor).select_related("event"), _pk(obligation)
        )
        _check_move(row, "waive")
        errors: dict[str, list[str]] = {}
        reason = _text(errors, "reason", reason, _("请填写免除理由"), max_length=REASON_MAX)
        merge_errors(errors)
        fields = ["state", "waived_on", "waived_reason", "waived_by"]
        before = audit.snapshot(row, fields)
        row.state = rules.OBLIGATION.target(row.state, "waive")
        row.waived_on = business_date()
        row.waived_reason = reason
        row.waived_by = actor
        return save_with_audit(
            actor=actor, instance=row, fields=fields, before=before, root=row.event
        )


# --- the daily job -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CareDailyResult:
    escalated: int = 0


def describe_care_daily(result: CareDailyResult) -> str:
    return _("关怀任务逾期报单位党委 %(n)s 件") % {"n": result.escalated}


def _escalate_one(pk: int, today: datetime.date) -> bool:
    with transaction.atomic():
        row = lock_in_scope(Obligation.objects.select_related("event__member"), pk)
        if row.state != ObligationState.OPEN or row.escalated_on is not None:
            return False
        try:
            day = rules.escalates_on(row.due_on)
        except CalendarYearMissing:
            return False  # the calendar decides; a day is never guessed
        if day > today:
            return False
        rules.OBLIGATION.check(row.state, "escalate", field="state")
        before = audit.snapshot(row, ["escalated_on"])
        row.escalated_on = today
        save_with_audit(
            actor=None,
            instance=row,
            fields=["escalated_on"],
            before=before,
            root=row.event,
            actor_name=SYSTEM,
        )
        notification_send(
            recipients=_unit_admin_ids(row.unit_id),
            kind="care_obligation_escalated",
            text=_("%(name)s的关怀任务（%(action)s，期限 %(due)s）逾期未落实，报单位党委。")
            % {
                "name": row.event.member.name,
                "action": row.get_action_display(),
                "due": row.due_on,
            },
            link=_event_link(row.event),
            dedupe_key=f"care:obligation:{row.pk}:escalated",
        )
        return True


def care_daily(today: datetime.date) -> CareDailyResult:
    """The daily job: every obligation still open the working day after its deadline is
    escalated once (running it again changes nothing)."""
    candidates = list(
        Obligation.objects.overdue(today)
        .filter(escalated_on__isnull=True)
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)
    )
    return CareDailyResult(escalated=sum(_escalate_one(pk, today) for pk in candidates))
