"""Writes of the rural work instructors: appointing and ending a term, recording the work log and
raising a village's problem into the frontline loop.

Each service is one transaction: the role is checked against the access table, the term locked
within the actor's scope (outside it: 404), the lifecycle table (`rules.TERM`) decides the move — a
move it refuses raises `Conflict` (409) and changes nothing — then the values are checked (errors
under the service's parameter names) and the row saved with its audit record.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanqing.core import audit, text
from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.roles import Role
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import merge_errors, save_with_audit
from guanqing.frontline import interface as frontline
from guanqing.instructors import rules
from guanqing.instructors.access import access
from guanqing.instructors.choices import TermState
from guanqing.instructors.models import (
    DAYS_MAX,
    InstructorSettings,
    InstructorTerm,
    RaisedProblem,
    WorkLog,
)
from guanqing.registry.choices import DivisionLevel, MemberStatus
from guanqing.registry.models import Division, Member

NOTE_MAX = 200
TERM_YEARS_MAX = 5  # a term is usually two years; a longer one is a typing slip
TERM_START_AHEAD_DAYS = 366
TERM_FIELDS = [
    "unit",
    "member",
    "village",
    "starts_on",
    "ends_on",
    "required_days",
    "state",
    "note",
    "end_reason",
    "appointed_by",
]
LOG_FIELDS = ["term", "starts_on", "ends_on", "days", "work", "problems", "recorded_by"]
RAISED_FIELDS = ["term", "log", "problem_id", "public_id", "title", "raised_on", "raised_by"]


def _check_move(term: InstructorTerm, action: str) -> None:
    """The lifecycle table's refusal as a Conflict (409), with the table's message."""
    try:
        rules.TERM.check(term.state, action, field="state")
    except ValidationError as exc:
        raise Conflict(exc.message_dict["state"][0]) from None


def _text(
    errors: dict, field: str, value, message=None, *, max_length=None, multiline=False
) -> str:
    value = text.strip_edges(value if isinstance(value, str) else "")
    refused = text.control_message(value, multiline=multiline)
    if refused is not None:
        errors.setdefault(field, []).append(refused)
    elif message is not None and not text.has_visible(value):
        errors.setdefault(field, []).append(message)
    elif max_length is not None and len(value) > max_length:
        errors.setdefault(field, []).append(
            _("最多 %(max)d 个字（当前 %(n)d 个）") % {"max": max_length, "n": len(value)}
        )
    return value


def _is_date(value) -> bool:
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def _days_per_month(errors: dict, value) -> int:
    if value in (None, ""):
        return InstructorSettings.current().days_per_month
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= DAYS_MAX:
        errors["required_days"] = [_("每月驻村天数应在 1 到 31 天之间")]
        return 0
    return value


def earliest_start(today: datetime.date) -> datetime.date:
    """The first day a term appointed today may start on: 1 January of last year (a term
    entered late), not a typing slip of a century."""
    return datetime.date(today.year - 1, 1, 1)


def latest_start(today: datetime.date) -> datetime.date:
    """The last day a term appointed today may start on: a year ahead."""
    return today + datetime.timedelta(days=TERM_START_AHEAD_DAYS)


def latest_end(starts_on: datetime.date) -> datetime.date:
    """The last day a term starting on `starts_on` may end on: TERM_YEARS_MAX years on."""
    try:
        return starts_on.replace(year=starts_on.year + TERM_YEARS_MAX) - datetime.timedelta(1)
    except ValueError:  # 29 February
        return starts_on.replace(year=starts_on.year + TERM_YEARS_MAX, day=28)


def log_terms(actor):
    """The terms whose log `actor` may write: its own as instructor, its unit's as administrator."""
    if getattr(actor, "role", None) == Role.MEMBER:
        return InstructorTerm.objects.visible_to(actor)
    return InstructorTerm.objects.editable_by(actor)


# --- terms ---------------------------------------------------------------------------------------


def term_appoint(
    *,
    actor,
    member,
    village,
    starts_on,
    ends_on,
    required_days=None,
    note: str = "",
) -> InstructorTerm:
    """选派: a member of a unit becomes the instructor of a village from `starts_on` to `ends_on`."""
    access.check(actor, "appoint")
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        cadre = (
            Member.objects.visible_to(actor)
            .filter(pk=getattr(member, "pk", member))
            .select_related("unit")
            .first()
        )
        if cadre is None:
            errors["member"] = [_("所选党员不存在或不在您的权限范围内")]
        elif actor.role == Role.UNIT_ADMIN and cadre.unit_id != actor.unit_id:
            errors["member"] = [_("只能选派本单位的党员干部")]
        elif cadre.status != MemberStatus.ACTIVE:
            errors["member"] = [_("只能选派在职的党员干部")]
        elif InstructorTerm.objects.appointed().filter(member=cadre).exists():
            errors["member"] = [_("该党员干部已在其他村任农村工作指导员")]
        place = Division.objects.filter(pk=getattr(village, "pk", village)).first()
        if place is None:
            errors["village"] = [_("所选村（社区）不存在")]
        elif place.level != DivisionLevel.COMMUNITY:
            errors["village"] = [_("请选择一个村或社区")]
        today = business_date()
        if not _is_date(starts_on):
            errors["starts_on"] = [_("请填写任期开始日期")]
        elif starts_on < earliest_start(today):
            errors["starts_on"] = [
                _("任期开始日期不能早于 %(day)s") % {"day": earliest_start(today)}
            ]
        elif starts_on > latest_start(today):
            errors["starts_on"] = [_("任期开始日期不能晚于 %(day)s") % {"day": latest_start(today)}]
        if not _is_date(ends_on):
            errors["ends_on"] = [_("请填写任期结束日期")]
        elif _is_date(starts_on) and ends_on < starts_on:
            errors["ends_on"] = [_("任期结束日期早于开始日期")]
        elif _is_date(starts_on) and ends_on > latest_end(starts_on):
            errors["ends_on"] = [
                _("任期最长 %(years)d 年，结束日期不能晚于 %(day)s")
                % {"years": TERM_YEARS_MAX, "day": latest_end(starts_on)}
            ]
        if (
            place is not None
            and _is_date(starts_on)
            and place.valid_until is not None
            and place.valid_until <= starts_on
        ):
            errors["village"] = [_("所选村（社区）在任期开始前已撤销")]
        days = _days_per_month(errors, required_days)
        note = _text(errors, "note", note, max_length=NOTE_MAX)
        merge_errors(errors)
        term = InstructorTerm(
            unit_id=cadre.unit_id,
            member=cadre,
            village=place,
            starts_on=starts_on,
            ends_on=ends_on,
            required_days=days,
            state=TermState.APPOINTED,
            note=note,
            appointed_by=actor,
        )
        return save_with_audit(actor=actor, instance=term, fields=TERM_FIELDS)


def term_end(*, actor, term, on=None, reason: str = "") -> InstructorTerm:
    """结束任期: at its end date or earlier (on `on`, by default today); no log may lie after it."""
    access.check(actor, "appoint")
    with transaction.atomic():
        term = lock_in_scope(InstructorTerm.objects.editable_by(actor), getattr(term, "pk", term))
        _check_move(term, "end")
        errors: dict[str, list[str]] = {}
        today = business_date()
        on = today if on is None else on
        if not _is_date(on):
            errors["on"] = [_("日期格式应为 YYYY-MM-DD")]
        elif on < term.starts_on:
            errors["on"] = [_("结束日期早于任期开始日期")]
        elif on > term.ends_on:
            errors["on"] = [_("结束日期不能晚于任期结束日期 %(day)s") % {"day": term.ends_on}]
        elif term.logs.filter(ends_on__gt=on).exists():
            errors["on"] = [_("该日期之后还有驻村日志")]
        reason = _text(errors, "reason", reason, max_length=NOTE_MAX)
        merge_errors(errors)
        before = audit.snapshot(term, ["state", "ends_on", "end_reason"])
        term.state = rules.TERM.target(term.state, "end")
        term.ends_on = on
        term.end_reason = reason
        return save_with_audit(
            actor=actor, instance=term, fields=["state", "ends_on", "end_reason"], before=before
        )


# --- the work log --------------------------------------------------------------------------------


def log_record(*, actor, term, starts_on, ends_on=None, work, problems: str = "") -> WorkLog:
    """One entry of the log: a day (or days, inside one month) in the village within the term,
    not in the future, not overlapping another entry of the term."""
    access.check(actor, "log")
    with transaction.atomic():
        term = lock_in_scope(log_terms(actor), getattr(term, "pk", term))
        _check_move(term, "log")
        errors: dict[str, list[str]] = {}
        today = business_date()
        if ends_on is None:
            ends_on = starts_on
        if not _is_date(starts_on):
            errors["starts_on"] = [_("请填写驻村日期")]
        elif starts_on > today:
            errors["starts_on"] = [_("驻村日期不能晚于今天")]
        elif starts_on < term.starts_on:
            errors["starts_on"] = [_("驻村日期早于任期开始日期 %(day)s") % {"day": term.starts_on}]
        if not _is_date(ends_on):
            errors["ends_on"] = [_("日期格式应为 YYYY-MM-DD")]
        elif ends_on > today:
            errors["ends_on"] = [_("驻村日期不能晚于今天")]
        elif ends_on > term.ends_on:
            errors["ends_on"] = [_("驻村日期晚于任期结束日期 %(day)s") % {"day": term.ends_on}]
        elif _is_date(starts_on) and ends_on < starts_on:
            errors["ends_on"] = [_("结束日期早于开始日期")]
        elif _is_date(starts_on) and rules.Month.of(starts_on) != rules.Month.of(ends_on):
            errors["ends_on"] = [_("一条日志只记同一个月内的日子，跨月请分两条记")]
        work = _text(
            errors, "work", work, _("请填写工作内容"), max_length=text.LONG_TEXT_MAX, multiline=True
        )
        problems = _text(
            errors, "problems", problems, max_length=text.LONG_TEXT_MAX, multiline=True
        )
        if not errors:
            month = rules.Month.of(starts_on)
            others = list(
                term.logs.filter(starts_on__gte=month.first, starts_on__lte=month.last).values_list(
                    "starts_on", "ends_on", "days"
                )
            )
            clash = rules.ranges_overlap(starts_on, ends_on, [(a, b) for a, b, _d in others])
            days = (ends_on - starts_on).days + 1
            if clash is not None:
                errors["starts_on"] = [
                    _("与已记的 %(first)s 至 %(last)s 重叠") % {"first": clash[0], "last": clash[1]}
                ]
            elif sum(d for _a, _b, d in others) + days > month.length:
                errors["ends_on"] = [
                    _("本月已记 %(n)d 天，最多 %(max)d 天")
                    % {"n": sum(d for _a, _b, d in others), "max": month.length}
                ]
        merge_errors(errors)
        log = WorkLog(
            term=term,
            starts_on=starts_on,
            ends_on=ends_on,
            days=(ends_on - starts_on).days + 1,
            work=work,
            problems=problems,
            recorded_by=actor,
        )
        return save_with_audit(actor=actor, instance=log, fields=LOG_FIELDS, root=term)


# --- raising a problem --------------------------------------------------------------------------


def problem_raise(*, actor, term, title, description, category=None, log=None) -> RaisedProblem:
    """反映难题: the village's problem enters the frontline loop (source 农村工作指导员, located in
    the term's village) and is kept on the term, with the log entry it came from if given."""
    access.check(actor, "raise")
    with transaction.atomic():
        term = lock_in_scope(log_terms(actor).select_related("village"), getattr(term, "pk", term))
        _check_move(term, "raise")
        entry = None
        if log not in (None, ""):
            entry = term.logs.filter(pk=getattr(log, "pk", log)).first()
            if entry is None:
                merge_errors({"log": [_("所选日志不属于该任期")]})
        code = getattr(category, "code", category) or None
        problem_id, public_id = frontline.raise_problem(
            actor=actor,
            village=term.village,
            title=title,
            description=description,
            category_code=code,
        )
        raised = RaisedProblem(
            term=term,
            log=entry,
            problem_id=problem_id,
            public_id=public_id,
            title=text.strip_edges(title)[:120],
            raised_on=business_date(),
            raised_by=actor,
        )
        return save_with_audit(actor=actor, instance=raised, fields=RAISED_FIELDS, root=term)


# --- settings ----------------------------------------------------------------------------------


def settings_update(*, actor, days_per_month) -> InstructorSettings:
    """The committee's required days a month, the default of the terms appointed from now on."""
    access.check(actor, "settings")
    with transaction.atomic():
        row = InstructorSettings.objects.select_for_update().order_by("pk").first()
        row = row or InstructorSettings()
        before = audit.snapshot(row, ["days_per_month"]) if row.pk else None
        errors: dict[str, list[str]] = {}
        days = _days_per_month(errors, days_per_month if days_per_month not in (None, "") else 0)
        if "required_days" in errors:
            errors = {"days_per_month": errors["required_days"]}
        merge_errors(errors)
        row.days_per_month = days
        return save_with_audit(actor=actor, instance=row, fields=["days_per_month"], before=before)
