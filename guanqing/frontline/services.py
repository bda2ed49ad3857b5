"""Writes of the problem loop (难题): 受理 → 派单 → 办理 → 答复 → 督办 → 办结 → 回访 → 评价, and the
daily job that writes 催办 and 通报.

Each service is one transaction, like the window's: the problem is locked within the actor's scope
(`Problem.objects.editable_by`: a unit administrator changes only the problems assigned to its unit,
another unit's are not found), the access table decides the role, the lifecycle table
(`rules.PROBLEM`) the move — a move it refuses raises `Conflict` (409) and changes nothing — then
the fields are checked (errors under the service's parameter names), the problem saved with its
audit record and the step written to its timeline (`ProblemEvent`).

Merged problems (并单) stay `merged` while their master is open and follow it: when the master is
answered each of them is closed with the master's answer (its own event), and each reporter gets a
rating code of its own. The reporter has no account: a rating is made with a one-time code, shown
once when issued; only its SHA-256 is kept (`Problem.rating_code_hash`), and every unusable code
gets the same answer (`ProblemCodeInvalid`).
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanqing.core import audit, sensitive, text
from guanqing.core.calendar.workdays import CalendarYearMissing, business_date
from guanqing.core.codes import (  # noqa: F401 - part of this module's interface
    CODE_ALPHABET,
    CODE_LENGTH,
    code_hash,
    normalize_code,
)
from guanqing.core.codes import new_code as _new_code
from guanqing.core.codes import well_formed as _well_formed
from guanqing.core.errors import Conflict
from guanqing.core.notifications.services import notification_send
from guanqing.core.roles import Role
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import ScopeError, merge_errors, save_with_audit
from guanqing.frontline import rules
from guanqing.frontline.access import access
from guanqing.frontline.choices import (
    OPEN_STATES,
    ExtensionDecision,
    ProblemEventKind,
    ProblemSource,
    ProblemState,
    Satisfaction,
)
from guanqing.frontline.models import (
    DispatchRule,
    Extension,
    FrontlineSettings,
    Outreach,
    Problem,
    ProblemCategory,
    ProblemEvent,
)
from guanqing.registry.choices import DivisionLevel
from guanqing.registry.models import Division, Unit

# Who the audit log and the timeline name when there is no account.
SYSTEM = "系统（每日任务）"
PUBLIC_REPORTER = "群众（网上反映）"
REPORTER_CODE = "反映人（评价码）"

# The one-time rating code: 16 characters without the ones read alike on paper (0/O, 1/I/L).
CODE_INVALID = gettext_lazy("评价码无效或已使用")

PUBLIC_ID_PREFIX = "NT"
REPORTER_NAME_MAX = 50
ATTRIBUTES_MAX = 5000  # the characters of a report's attributes, all values together
RATING_NOTE_MAX = 500
WITHOUT_ACCOUNT = (ProblemSource.PUBLIC, ProblemSource.OPEN311)
# The states in which the unit (or, once sent back, the committee) holds the problem.
ESCALATED_STATES = (ProblemState.ASSIGNED, ProblemState.RETURNED, ProblemState.HANDLING)

PROBLEM_FIELDS = [
    "public_id",
    "source",
    "outreach",
    "category",
    "urgency",
    "title",
    "description",
    "division",
    "address",
    "lat",
    "long",
    "media_url",
    "attributes",
    "reported_by",
    "open311_key",
    "state",
    "received_on",
    "deadline",
]
REPORTER_FIELDS = [
    "reporter_name_encrypted",
    "reporter_phone_encrypted",
    "reporter_email_encrypted",
]
ASSIGN_FIELDS = ["state", "unit", "assigned_on"]
ANSWER_FIELDS = ["state", "answer", "closed_on"]
FOLLOW_FIELDS = ["state", "unit", "answer", "closed_on"]
MERGE_FIELDS = ["state", "master"]
CALLBACK_FIELDS = ["callback_on", "callback_note"]
RATE_FIELDS = ["satisfaction", "rated_on"]
REOPEN_FIELDS = ["state", "reopened_on", "deadline", "closed_on", "urged_on", "noticed_on"]
EXTENSION_FIELDS = ["problem", "workdays", "reason", "requested_on", "requested_by"]
DECIDE_FIELDS = ["decision", "decision_note", "decided_on", "decided_by"]
EVENT_RELATIONS = ["problem", "actor", "unit"]


class ProblemCodeInvalid(Exception):
    """A rating code that cannot be used: wrong, used, replaced, or its problem not closed. One
    answer for all of them."""

    def __init__(self):
        super().__init__(CODE_INVALID)

    def __str__(self) -> str:
        return str(CODE_INVALID)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _check_move(problem: Problem, action: str) -> None:
    """The lifecycle table's refusal as a Conflict (409), with the table's message."""
    try:
        rules.PROBLEM.check(problem.state, action, field="state")
    except ValidationError as exc:
        raise Conflict(exc.message_dict["state"][0]) from None


def _lock(actor, problem: Problem, rule: str) -> Problem:
    access.check(actor, rule)
    return lock_in_scope(
        Problem.objects.editable_by(actor).select_related("category", "unit"),
        getattr(problem, "pk", problem),
    )


def _site(message, params: dict | None = None) -> str:
    """A note stored on the timeline, in the site language whoever writes it (it is data, like
    the audit log): translated and formatted under the site language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % params if params is not None else str(message)


def _text(errors: dict, field: str, value, message, *, max_length: int | None = None) -> str:
    value = text.strip_edges(value if isinstance(value, str) else "")
    if not text.has_visible(value):
        errors.setdefault(field, []).append(message)
    elif max_length is not None and len(value) > max_length:
        errors.setdefault(field, []).append(
            _("最多 %(max)d 个字（当前 %(n)d 个）") % {"max": max_length, "n": len(value)}
        )
    return value


def _day(errors: dict, field: str, value, *, today: datetime.date, after=None, after_label=""):
    """A date not in the future and (when `after` is given) not before it; None is today."""
    if value is None:
        value = today
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        errors.setdefault(field, []).append(_("请填写日期"))
        return None
    if value > today:
        errors.setdefault(field, []).append(
            _("日期（%(day)s）不能晚于今天（%(today)s）") % {"day": value, "today": today}
        )
    elif after is not None and value < after:
        errors.setdefault(field, []).append(
            _("日期（%(day)s）不能早于%(what)s（%(after)s）")
            % {"day": value, "what": after_label, "after": after}
        )
    return value


def _field_label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _event(
    *,
    problem: Problem,
    kind: str,
    on: datetime.date,
    actor,
    from_state: str,
    note: str = "",
    public: bool = False,
    unit=None,
) -> ProblemEvent:
    """One step of the problem's timeline. Not audited itself: the change it reports is."""
    event = ProblemEvent(
        problem=problem,
        kind=kind,
        on=on,
        actor=actor,
        unit=unit if unit is not None else problem.unit,
        from_state=from_state,
        to_state=problem.state,
        note=note,
        public=public,
    )
    text.full_clean(
        event, exclude=EVENT_RELATIONS, validate_unique=False, validate_constraints=False
    )
    event.save(force_insert=True)
    return event


def _link(problem: Problem) -> str:
    try:
        return reverse("frontline:problem_detail", args=[problem.pk])
    except NoReverseMatch:
        return ""


def _committee_ids() -> list[int]:
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(role=Role.COMMITTEE, is_active=True)
        .values_list("pk", flat=True)
    )


def _unit_admin_ids(unit_id) -> list[int]:
    from django.contrib.auth import get_user_model

    if unit_id is None:
        return []
    return list(
        get_user_model()
        .objects.filter(unit_id=unit_id, role=Role.UNIT_ADMIN, is_active=True)
        .values_list("pk", flat=True)
    )


def _active_unit(errors: dict, unit, field: str = "unit") -> Unit | None:
    row = (
        Unit.objects.filter(pk=getattr(unit, "pk", unit), is_active=True).first() if unit else None
    )
    if row is None:
        errors[field] = [_("请选择在用的承办单位")]
    return row


def _limit(settings_row: FrontlineSettings, urgency: str) -> int:
    return settings_row.limit_workdays(urgency)


# ---------------------------------------------------------------------------------------------
# 受理
# ---------------------------------------------------------------------------------------------


def _coordinates(errors: dict, lat, long):
    if lat in (None, "") and long in (None, ""):
        return None, None
    if lat in (None, "") or long in (None, ""):
        field = "long" if long in (None, "") else "lat"
        errors[field] = [_("经纬度须同时填写")]
        return None, None
    values = []
    for field, value, bound in (("lat", lat, 90), ("long", long, 180)):
        try:
            number = decimal.Decimal(str(value).strip())
            if not number.is_finite():
                raise decimal.InvalidOperation
        except (decimal.InvalidOperation, ValueError):
            errors[field] = [_("请填写数字")]
            values.append(None)
            continue
        if not -bound <= number <= bound:
            errors[field] = [_("应在 %(low)s 与 %(high)s 之间") % {"low": -bound, "high": bound}]
            values.append(None)
            continue
        values.append(number.quantize(decimal.Decimal("0.000001")))
    return values[0], values[1]


def strings_in(values: list) -> list[str]:
    """The strings inside `values` (nested lists and dicts too, keys included)."""
    found = []
    for value in values:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            found += [*(k for k in value if isinstance(k, str)), *strings_in(list(value.values()))]
        elif isinstance(value, list | tuple):
            found += strings_in(list(value))
    return found


def _attributes(errors: dict, category: ProblemCategory | None, attributes) -> dict:
    if attributes in (None, ""):
        attributes = {}
    if not isinstance(attributes, dict) or not all(isinstance(k, str) for k in attributes):
        errors["attributes"] = [_("附加信息格式不正确")]
        return {}
    strings = strings_in([attributes])
    if any(text.control_message(value, multiline=True) for value in strings):
        errors["attributes"] = [text.CONTROL_MESSAGE]
        return {}
    if sum(len(value) for value in strings) > ATTRIBUTES_MAX:
        errors["attributes"] = [_("附加信息最多 %(max)d 个字") % {"max": ATTRIBUTES_MAX}]
        return {}
    if category is not None:
        missing = [
            str(item.get("description") or item.get("code"))
            for item in category.attributes or ()
            if isinstance(item, dict)
            and item.get("required")
            and item.get("variable", True)
            and attributes.get(str(item.get("code")), "") in ("", None, [])
        ]
        if missing:
            errors["attributes"] = [_("请填写：%(names)s") % {"names": "、".join(missing)}]
    return attributes


def _new_public_id(received_on: datetime.date) -> str:
    prefix = f"{PUBLIC_ID_PREFIX}{received_on:%Y%m%d}-"
    sequence = Problem.objects.filter(public_id__startswith=prefix).count() + 1
    while Problem.objects.filter(public_id=f"{prefix}{sequence:04d}").exists():
        sequence += 1
    return f"{prefix}{sequence:04d}"


def _masked_reporter(name: str, phone: str) -> str:
    """What the audit log shows of the reporter: the name's first character, the phone masked."""
    parts = [name[:1] + "*" if name else "", sensitive.mask(phone, 3, 4) if phone else ""]
    return " ".join(part for part in parts if part) or "***"


@transaction.atomic
def problem_report(
    *,
    actor=None,
    source,
    category,
    title,
    description,
    division=None,
    address="",
    lat=None,
    long=None,
    media_url="",
    attributes=None,
    reporter_name="",
    reporter_phone="",
    reporter_email="",
    outreach=None,
    open311_key=None,
    received_on=None,
) -> Problem:
    """受理: a problem enters the loop, received, with its deadline from the category's urgency.
    Without an account (`actor` None) only from the public page or an Open311 application."""
    if actor is None:
        if source not in WITHOUT_ACCOUNT:
            raise ScopeError(_("请先登录"))
    else:
        # a rural work instructor (a member) raises its village's problems; nothing else
        access.check(
            actor, "instructor_report" if source == ProblemSource.INSTRUCTOR else "problem_report"
        )
    today = business_date()
    errors: dict[str, list[str]] = {}
    if source not in ProblemSource.values:
        errors["source"] = [_("请选择难题来源")]
    row = None
    if category not in (None, ""):
        row = (
            ProblemCategory.objects.filter(pk=getattr(category, "pk", category), is_active=True)
            .order_by("pk")
            .first()
        )
    if row is None:
        errors["category"] = [_("请选择在用的难题类别")]
    category = row
    title = _text(errors, "title", title, _("请填写标题"), max_length=120)
    description = _text(errors, "description", description, _("请写明问题"))
    place = None
    if division not in (None, ""):
        place = Division.objects.filter(pk=getattr(division, "pk", division)).first()
        if place is None:
            errors["division"] = [_("所选区划不存在")]
    address = text.strip_edges(address if isinstance(address, str) else "")
    if len(address) > 200:
        errors["address"] = [_("地址最多 200 个字")]
    lat, long = _coordinates(errors, lat, long)
    if (
        source in WITHOUT_ACCOUNT
        and place is None
        and not address
        and lat is None
        and not ({"lat", "long", "division"} & errors.keys())
    ):
        errors["address"] = [_("请填写地址、所在区划或经纬度中的至少一项")]
    media_url = (media_url or "").strip() if isinstance(media_url, str) else ""
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
            if len(media_url) > 500:
                raise ValidationError("")
        except ValidationError:
            errors["media_url"] = [_("图片链接应为 http 或 https 开头的网址")]
    attributes = _attributes(errors, category, attributes)
    reporter_name = text.strip_edges(reporter_name if isinstance(reporter_name, str) else "")
    if text.control_message(reporter_name) is not None:
        errors["reporter_name"] = [text.control_message(reporter_name)]
    elif len(reporter_name) > REPORTER_NAME_MAX:
        errors["reporter_name"] = [_("姓名最多 %(max)d 个字") % {"max": REPORTER_NAME_MAX}]
    phone = ""
    if isinstance(reporter_phone, str) and reporter_phone.strip():
        try:
            phone = sensitive.validate_phone(reporter_phone)
        except ValidationError as exc:
            errors["reporter_phone"] = exc.messages
    email = ""
    if isinstance(reporter_email, str) and reporter_email.strip():
        email = reporter_email.strip()
        try:
            validate_email(email)
        except ValidationError:
            errors["reporter_email"] = [_("电子邮箱格式不正确")]
    if source == ProblemSource.OUTREACH and outreach is None:
        errors["outreach"] = [_("走访收集的难题须选择所在的走访")]
    if outreach is not None:
        scope = (
            Outreach.objects.editable_by(actor) if actor is not None else Outreach.objects.none()
        )
        outreach = scope.filter(pk=getattr(outreach, "pk", outreach)).first()
        if outreach is None:
            errors["outreach"] = [_("所选走访不存在或不在您的权限范围内")]
    received_on = _day(errors, "received_on", received_on, today=today)
    config = FrontlineSettings.current()
    deadline = None
    if category is not None and "received_on" not in errors:
        try:
            deadline = rules.deadline(received_on, _limit(config, category.urgency))
        except CalendarYearMissing as exc:
            errors["received_on"] = [str(exc)]
    merge_errors(errors)
    actor_name = None
    if actor is None:
        actor_name = (
            f"Open311：{open311_key.application}" if open311_key is not None else PUBLIC_REPORTER
        )
    for _attempt in range(5):
        problem = Problem(
            public_id=_new_public_id(received_on),
            source=source,
            outreach=outreach,
            category=category,
            urgency=category.urgency,
            title=title,
            description=description,
            division=place,
            address=address,
            lat=lat,
            long=long,
            media_url=media_url,
            attributes=attributes,
            reported_by=actor,
            open311_key=open311_key,
            state=ProblemState.RECEIVED,
            received_on=received_on,
            deadline=deadline,
        )
        problem.set_reporter(name=reporter_name, phone=phone, email=email)
        extra = (
            {"reporter": [None, _masked_reporter(reporter_name, phone)]}
            if reporter_name or phone or email
            else None
        )
        try:
            with transaction.atomic():
                save_with_audit(
                    actor=actor,
                    instance=problem,
                    fields=PROBLEM_FIELDS,
                    extra_changes=extra,
                    actor_name=actor_name,
                )
            break
        except IntegrityError:  # another report drew the same number at the same moment
            continue
    else:
        raise Conflict()
    _event(
        problem=problem,
        kind=ProblemEventKind.REPORT,
        on=received_on,
        actor=actor,
        from_state="",
        note=_site(gettext_lazy("已受理")),
        public=True,
    )
    return problem


# ---------------------------------------------------------------------------------------------
# 派单, 退单, 改派, 签收
# ---------------------------------------------------------------------------------------------


def default_unit(problem: Problem) -> Unit | None:
    """派单目录: the unit of the rule for the problem's district, else the category's default."""
    district_ids = []
    division = problem.division
    if division is not None:
        if division.level == DivisionLevel.DISTRICT:
            district_ids.append(division.pk)
        elif division.district_id:
            district_ids.append(division.district_id)
        if district_ids:
            from guanqing.registry.selectors import current_district_map

            current = current_district_map().get(district_ids[0])
            if current and current not in district_ids:
                district_ids.append(current)
    rules_by_district = {
        rule.district_id: rule.unit
        for rule in DispatchRule.objects.filter(category_id=problem.category_id)
        .select_related("unit")
        .filter(unit__is_active=True)
    }
    for district_id in district_ids:
        if district_id in rules_by_district:
            return rules_by_district[district_id]
    return rules_by_district.get(None)


def _assign(*, actor, problem: Problem, unit, note, action: str, kind: str) -> Problem:
    errors: dict[str, list[str]] = {}
    row = _active_unit(errors, unit)
    if action == "reassign" and row is not None and row.pk == problem.unit_id:
        errors["unit"] = [_("该难题由该单位退回，请改派其他单位")]
    note = text.strip_edges(note if isinstance(note, str) else "")
    merge_errors(errors)
    today = business_date()
    from_state = problem.state
    before = audit.snapshot(problem, ASSIGN_FIELDS)
    problem.state = rules.PROBLEM.target(problem.state, action)
    problem.unit = row
    problem.assigned_on = today
    save_with_audit(actor=actor, instance=problem, fields=ASSIGN_FIELDS, before=before)
    event = _event(
        problem=problem,
        kind=kind,
        on=today,
        actor=actor,
        from_state=from_state,
        note=note or _site(gettext_lazy("交%(unit)s办理"), {"unit": row.name}),
        public=True,
    )
    notification_send(
        recipients=_unit_admin_ids(row.pk),
        kind=f"frontline_problem_{action}",
        text=_("难题 %(id)s（%(title)s）已派至本单位，请于 %(deadline)s 前办结。")
        % {"id": problem.public_id, "title": problem.title, "deadline": problem.deadline},
        link=_link(problem),
        dedupe_key=f"frontline:problem:{problem.pk}:event:{event.pk}",
    )
    return problem


@transaction.atomic
def problem_dispatch(*, actor, problem: Problem, unit, note: str = "") -> Problem:
    """派单: the committee sends a received problem to a unit."""
    problem = _lock(actor, problem, "dispatch")
    _check_move(problem, "dispatch")
    return _assign(
        actor=actor,
        problem=problem,
        unit=unit,
        note=note,
        action="dispatch",
        kind=ProblemEventKind.DISPATCH,
    )


@transaction.atomic
def problem_reassign(*, actor, problem: Problem, unit, note: str = "") -> Problem:
    """改派: the committee sends a problem a unit returned to another unit."""
    problem = _lock(actor, problem, "dispatch")
    _check_move(problem, "reassign")
    return _assign(
        actor=actor,
        problem=problem,
        unit=unit,
        note=note,
        action="reassign",
        kind=ProblemEventKind.REASSIGN,
    )


@transaction.atomic
def problem_return(*, actor, problem: Problem, reason: str) -> Problem:
    """退单: the unit sends the problem back to the committee, saying why."""
    problem = _lock(actor, problem, "handle")
    _check_move(problem, "return")
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, _("请写明退单理由"))
    merge_errors(errors)
    today = business_date()
    from_state = problem.state
    before = audit.snapshot(problem, ["state"])
    problem.state = rules.PROBLEM.target(problem.state, "return")
    save_with_audit(actor=actor, instance=problem, fields=["state"], before=before)
    event = _event(
        problem=problem,
        kind=ProblemEventKind.RETURN,
        on=today,
        actor=actor,
        from_state=from_state,
        note=reason,
    )
    notification_send(
        recipients=_committee_ids(),
        kind="frontline_problem_returned",
        text=_("%(unit)s退回难题 %(id)s（%(title)s），请改派。")
        % {"unit": problem.unit.name, "id": problem.public_id, "title": problem.title},
        link=_link(problem),
        dedupe_key=f"frontline:problem:{problem.pk}:event:{event.pk}",
    )
    return problem


@transaction.atomic
def problem_accept(*, actor, problem: Problem) -> Problem:
    """签收: the unit takes the problem on."""
    problem = _lock(actor, problem, "handle")
    _check_move(problem, "accept")
    today = business_date()
    from_state = problem.state
    before = audit.snapshot(problem, ["state"])
    problem.state = rules.PROBLEM.target(problem.state, "accept")
    save_with_audit(actor=actor, instance=problem, fields=["state"], before=before)
    _event(
        problem=problem,
        kind=ProblemEventKind.ACCEPT,
        on=today,
        actor=actor,
        from_state=from_state,
        note=_site(gettext_lazy("%(unit)s已签收，正在办理"), {"unit": problem.unit.name}),
        public=True,
    )
    return problem


@transaction.atomic
def problem_progress(*, actor, problem: Problem, note: str, public: bool = False) -> ProblemEvent:
    """办理进展: a note on the timeline; a public one is shown to the reporter."""
    problem = _lock(actor, problem, "handle")
    _check_move(problem, "progress")
    errors: dict[str, list[str]] = {}
    note = _text(errors, "note", note, _("请写明办理进展"))
    if not isinstance(public, bool):
        errors["public"] = [_("请选择是否向反映人公开")]
    merge_errors(errors)
    event = _event(
        problem=problem,
        kind=ProblemEventKind.PROGRESS,
        on=business_date(),
        actor=actor,
        from_state=problem.state,
        note=note,
        public=public,
    )
    audit.record(
        actor=actor,
        action="update",
        obj=problem,
        changes={"progress": [None, note]},
    )
    return event


# ---------------------------------------------------------------------------------------------
# 延期
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def extension_request(*, actor, problem: Problem, workdays, reason: str) -> Extension:
    """The unit asks, once per problem, for more working days; the committee decides."""
    problem = _lock(actor, problem, "handle")
    _check_move(problem, "request_extension")
    if Extension.objects.filter(problem=problem).exists():
        raise Conflict(_("每件难题只能申请一次延期"))
    errors: dict[str, list[str]] = {}
    longest = FrontlineSettings.current().max_extension_workdays
    if isinstance(workdays, bool) or not isinstance(workdays, int):
        errors["workdays"] = [_("请填写延期的工作日数")]
    elif not 1 <= workdays <= longest:
        errors["workdays"] = [_("延期应为 1 至 %(max)d 个工作日") % {"max": longest}]
    reason = _text(errors, "reason", reason, _("请写明延期理由"))
    merge_errors(errors)
    today = business_date()
    extension = Extension(
        problem=problem,
        workdays=workdays,
        reason=reason,
        requested_on=today,
        requested_by=actor,
    )
    save_with_audit(actor=actor, instance=extension, fields=EXTENSION_FIELDS, root=problem)
    event = _event(
        problem=problem,
        kind=ProblemEventKind.EXTENSION_REQUEST,
        on=today,
        actor=actor,
        from_state=problem.state,
        note=_site(gettext_lazy("申请延期 %(n)d 个工作日："), {"n": workdays}) + reason,
    )
    notification_send(
        recipients=_committee_ids(),
        kind="frontline_extension_requested",
        text=_("%(unit)s申请难题 %(id)s 延期 %(n)d 个工作日，请审批。")
        % {"unit": problem.unit.name, "id": problem.public_id, "n": workdays},
        link=_link(problem),
        dedupe_key=f"frontline:problem:{problem.pk}:event:{event.pk}",
    )
    return extension


@transaction.atomic
def extension_decide(*, actor, problem: Problem, approved: bool, note: str = "") -> Extension:
    """The committee approves (the deadline moves by the working days asked) or refuses."""
    problem = _lock(actor, problem, "dispatch")
    _check_move(problem, "decide_extension")
    extension = Extension.objects.select_for_update().filter(problem=problem).order_by("pk").first()
    if extension is None:
        raise Conflict(_("该难题没有延期申请"))
    if extension.decision:
        raise Conflict(_("该延期申请已经审批"))
    errors: dict[str, list[str]] = {}
    if not isinstance(approved, bool):
        errors["approved"] = [_("请选择是否同意延期")]
    note = text.strip_edges(note if isinstance(note, str) else "")
    if approved is False and not text.has_visible(note):
        errors["note"] = [_("不同意延期须写明理由")]
    deadline = problem.deadline
    if approved is True:
        try:
            deadline = rules.deadline(problem.deadline, 0, extension=extension.workdays)
        except CalendarYearMissing as exc:
            errors["approved"] = [str(exc)]
    merge_errors(errors)
    today = business_date()
    before = audit.snapshot(extension, DECIDE_FIELDS)
    extension.decision = ExtensionDecision.APPROVED if approved else ExtensionDecision.REFUSED
    extension.decision_note = note
    extension.decided_on = today
    extension.decided_by = actor
    save_with_audit(
        actor=actor, instance=extension, fields=DECIDE_FIELDS, before=before, root=problem
    )
    if approved:
        problem_before = audit.snapshot(problem, ["deadline"])
        problem.deadline = deadline
        save_with_audit(actor=actor, instance=problem, fields=["deadline"], before=problem_before)
    label = (
        _site(gettext_lazy("同意延期至 %(deadline)s"), {"deadline": deadline})
        if approved
        else _site(gettext_lazy("不同意延期"))
    )
    event = _event(
        problem=problem,
        kind=ProblemEventKind.EXTENSION_DECISION,
        on=today,
        actor=actor,
        from_state=problem.state,
        note=f"{label}：{note}" if note else label,
    )
    notification_send(
        recipients=_unit_admin_ids(problem.unit_id),
        kind="frontline_extension_decided",
        text=(
            _("难题 %(id)s 的延期申请已同意，办结时限改为 %(deadline)s。")
            if approved
            else _("难题 %(id)s 的延期申请未获同意，请于 %(deadline)s 前办结。")
        )
        % {"id": problem.public_id, "deadline": deadline},
        link=_link(problem),
        dedupe_key=f"frontline:problem:{problem.pk}:event:{event.pk}",
    )
    return extension


# ---------------------------------------------------------------------------------------------
# 办结, 并单, 回访
# ---------------------------------------------------------------------------------------------


def _has_reporter(problem: Problem) -> bool:
    return bool(
        problem.reporter_name_encrypted
        or problem.reporter_phone_encrypted
        or problem.reporter_email_encrypted
    )


def _issue_code(*, actor, problem: Problem, actor_name=None) -> str:
    """A new one-time code for the problem's reporter (an earlier one stops working)."""
    code = _new_code()
    while Problem.objects.filter(rating_code_hash=code_hash(code)).exists():
        code = _new_code()
    problem.rating_code_hash = code_hash(code)
    save_with_audit(
        actor=actor,
        instance=problem,
        fields=[],
        also_save=["rating_code_hash"],
        extra_changes={"rating_code": [None, _site(gettext_lazy("已发放评价码"))]},
        actor_name=actor_name,
    )
    return code


@transaction.atomic
def problem_answer(*, actor, problem: Problem, answer: str, on=None) -> Problem:
    """办结: the unit answers; the problems merged into it are closed with the same answer. Each
    reporter gets a one-time rating code: `problem.rating_codes` ({public_id: code}), shown once."""
    problem = _lock(actor, problem, "handle")
    _check_move(problem, "answer")
    errors: dict[str, list[str]] = {}
    answer = _text(errors, "answer", answer, _("请填写答复意见"))
    since = problem.reopened_on or problem.assigned_on or problem.received_on
    on = _day(
        errors,
        "on",
        on,
        today=business_date(),
        after=since,
        after_label=_field_label(Problem, "reopened_on" if problem.reopened_on else "assigned_on"),
    )
    merge_errors(errors)
    codes: dict[str, str] = {}
    closed = [problem]
    from_state = problem.state
    before = audit.snapshot(problem, ANSWER_FIELDS)
    problem.state = rules.PROBLEM.target(problem.state, "answer")
    problem.answer = answer
    problem.closed_on = on
    save_with_audit(actor=actor, instance=problem, fields=ANSWER_FIELDS, before=before)
    _event(
        problem=problem,
        kind=ProblemEventKind.ANSWER,
        on=on,
        actor=actor,
        from_state=from_state,
        note=answer,
        public=True,
    )
    followers = Problem.objects.select_for_update().filter(
        master=problem, state=ProblemState.MERGED
    )
    for follower in followers.order_by("pk"):
        follower_before = audit.snapshot(follower, FOLLOW_FIELDS)
        follower.state = ProblemState.CLOSED
        follower.unit = problem.unit
        follower.answer = answer
        follower.closed_on = on
        save_with_audit(
            actor=actor,
            instance=follower,
            fields=FOLLOW_FIELDS,
            before=follower_before,
            message=_site(gettext_lazy("随主单 %(id)s 办结"), {"id": problem.public_id}),
        )
        _event(
            problem=follower,
            kind=ProblemEventKind.ANSWER,
            on=on,
            actor=actor,
            from_state=ProblemState.MERGED,
            note=answer,
            public=True,
        )
        closed.append(follower)
    for row in closed:
        if _has_reporter(row):
            codes[row.public_id] = _issue_code(actor=actor, problem=row)
    problem.rating_codes = codes
    return problem


@transaction.atomic
def problem_merge(*, actor, problem: Problem, into: Problem, note: str = "") -> Problem:
    """并单: a duplicate follows its master (open, not merged itself, not the same problem)."""
    access.check(actor, "dispatch")
    scope = Problem.objects.editable_by(actor).select_related("category", "unit")
    problem_pk = getattr(problem, "pk", problem)
    into_pk = getattr(into, "pk", into)
    # lock both in the order of their keys, so that two merges never wait on each other
    locked = {}
    for pk in sorted({problem_pk, into_pk} - {None}):
        locked[pk] = scope.select_for_update(of=("self",)).filter(pk=pk).first()
    if locked.get(problem_pk) is None:
        lock_in_scope(scope, problem_pk)  # answers like a missing problem
    problem = locked[problem_pk]
    _check_move(problem, "merge")
    master = locked.get(into_pk)
    errors: dict[str, list[str]] = {}
    if master is None:
        errors["into"] = [_("主单不存在")]
    elif master.pk == problem.pk:
        errors["into"] = [_("不能并入自身")]
    elif master.state not in OPEN_STATES:
        errors["into"] = [_("主单已%(state)s，不能并入") % {"state": master.get_state_display()}]
    note = text.strip_edges(note if isinstance(note, str) else "")
    merge_errors(errors)
    today = business_date()
    from_state = problem.state
    before = audit.snapshot(problem, MERGE_FIELDS)
    problem.state = rules.PROBLEM.target(problem.state, "merge")
    problem.master = master
    save_with_audit(actor=actor, instance=problem, fields=MERGE_FIELDS, before=before)
    said = _site(gettext_lazy("并入 %(id)s"), {"id": master.public_id})
    _event(
        problem=problem,
        kind=ProblemEventKind.MERGE,
        on=today,
        actor=actor,
        from_state=from_state,
        note=f"{said}：{note}" if note else said,
        public=True,
    )
    # those merged into this one follow the new master
    for child in Problem.objects.select_for_update().filter(master=problem).order_by("pk"):
        child_before = audit.snapshot(child, ["master"])
        child.master = master
        save_with_audit(actor=actor, instance=child, fields=["master"], before=child_before)
    _event(
        problem=master,
        kind=ProblemEventKind.MERGE,
        on=today,
        actor=actor,
        from_state=master.state,
        note=_site(gettext_lazy("%(id)s 并入本件"), {"id": problem.public_id}),
    )
    return problem


@transaction.atomic
def problem_callback(*, actor, problem: Problem, note: str, on=None) -> Problem:
    """回访: the committee calls the reporter back, from the working day after 办结."""
    problem = _lock(actor, problem, "dispatch")
    _check_move(problem, "callback")
    if problem.callback_on is not None and problem.callback_on >= problem.closed_on:
        raise Conflict(_("该难题已经回访"))
    errors: dict[str, list[str]] = {}
    today = business_date()
    note = _text(errors, "note", note, _("请写明回访情况"))
    on = _day(errors, "on", on, today=today)
    if on is not None and "on" not in errors:
        try:
            due = rules.callback_due(problem.closed_on)
        except CalendarYearMissing as exc:
            errors["on"] = [str(exc)]
        else:
            if on < due:
                errors["on"] = [_("办结后的下一个工作日（%(due)s）起才能回访") % {"due": due}]
    merge_errors(errors)
    before = audit.snapshot(problem, CALLBACK_FIELDS)
    problem.callback_on = on
    problem.callback_note = note
    save_with_audit(actor=actor, instance=problem, fields=CALLBACK_FIELDS, before=before)
    _event(
        problem=problem,
        kind=ProblemEventKind.CALLBACK,
        on=on,
        actor=actor,
        from_state=problem.state,
        note=note,
    )
    return problem


# ---------------------------------------------------------------------------------------------
# 评价
# ---------------------------------------------------------------------------------------------


def _rated_since_closed(problem: Problem) -> bool:
    return bool(
        problem.satisfaction
        and problem.rated_on is not None
        and problem.closed_on is not None
        and problem.rated_on >= problem.closed_on
        and not problem.rating_code_hash
    )


@transaction.atomic
def problem_rating_code(*, actor, problem: Problem) -> str:
    """(Re)issue the reporter's one-time rating code of a closed problem not yet rated since it
    was closed; an earlier code stops working. The code is returned once; its hash is kept."""
    problem = _lock(actor, problem, "dispatch")
    _check_move(problem, "rate")
    if _rated_since_closed(problem):
        raise Conflict(_("反映人已经评价"))
    return _issue_code(actor=actor, problem=problem)


def problem_by_code(code) -> Problem | None:
    """The closed problem `code` rates, if the code can still be used (nothing is written)."""
    normalized = normalize_code(code)
    if not _well_formed(normalized):
        return None
    return (
        Problem.objects.filter(rating_code_hash=code_hash(normalized), state=ProblemState.CLOSED)
        .select_related("category", "unit")
        .first()
    )


@transaction.atomic
def problem_rate(*, code: str, satisfaction, note: str = "") -> Problem:
    """The reporter rates the answer with the one-time code. 不满意 reopens the problem once (to
    the same unit, its deadline counted again from today); a second 不满意 is only recorded."""
    normalized = normalize_code(code)
    if not _well_formed(normalized):
        raise ProblemCodeInvalid()
    found = Problem.objects.filter(rating_code_hash=code_hash(normalized)).values("pk").first()
    if found is None:
        raise ProblemCodeInvalid()
    problem = lock_in_scope(Problem.objects.select_related("category", "unit"), found["pk"])
    if problem.rating_code_hash != code_hash(normalized) or not rules.PROBLEM.can(
        problem.state, "rate"
    ):
        raise ProblemCodeInvalid()
    errors: dict[str, list[str]] = {}
    if satisfaction not in Satisfaction.values:
        errors["satisfaction"] = [_("请选择满意、基本满意或不满意")]
    note = text.strip_edges(note if isinstance(note, str) else "")
    if len(note) > RATING_NOTE_MAX:
        errors["note"] = [
            _("最多 %(max)d 个字（当前 %(n)d 个）") % {"max": RATING_NOTE_MAX, "n": len(note)}
        ]
    today = business_date()
    config = FrontlineSettings.current()
    reopen = satisfaction == Satisfaction.DISSATISFIED and problem.reopened_on is None
    deadline = None
    if reopen and not errors:
        try:
            deadline = rules.deadline(today, _limit(config, problem.urgency))
        except CalendarYearMissing as exc:
            errors["satisfaction"] = [str(exc)]
    merge_errors(errors)
    before = audit.snapshot(problem, RATE_FIELDS)
    problem.satisfaction = satisfaction
    problem.rated_on = today
    problem.rating_code_hash = ""
    save_with_audit(
        actor=None,
        instance=problem,
        fields=RATE_FIELDS,
        before=before,
        also_save=["rating_code_hash"],
        extra_changes={"rating_code": [None, _site(gettext_lazy("已使用"))]},
        actor_name=REPORTER_CODE,
    )
    label = _site(Satisfaction(satisfaction).label)
    _event(
        problem=problem,
        kind=ProblemEventKind.RATE,
        on=today,
        actor=None,
        from_state=problem.state,
        note=f"{label}：{note}" if note else label,
    )
    if reopen:
        from_state = problem.state
        reopen_before = audit.snapshot(problem, REOPEN_FIELDS)
        problem.state = rules.PROBLEM.target(problem.state, "reopen")
        problem.reopened_on = today
        problem.deadline = deadline
        problem.closed_on = None
        problem.urged_on = None
        problem.noticed_on = None
        save_with_audit(
            actor=None,
            instance=problem,
            fields=REOPEN_FIELDS,
            before=reopen_before,
            actor_name=REPORTER_CODE,
        )
        event = _event(
            problem=problem,
            kind=ProblemEventKind.REOPEN,
            on=today,
            actor=None,
            from_state=from_state,
            note=_site(
                gettext_lazy("反映人评价不满意，重新交%(unit)s办理，办结时限 %(deadline)s"),
                {"unit": problem.unit.name if problem.unit else "", "deadline": deadline},
            ),
            public=True,
        )
        notification_send(
            recipients=_unit_admin_ids(problem.unit_id),
            kind="frontline_problem_reopened",
            text=_("难题 %(id)s 的反映人对答复不满意，请重新办理，于 %(deadline)s 前办结。")
            % {"id": problem.public_id, "deadline": deadline},
            link=_link(problem),
            dedupe_key=f"frontline:problem:{problem.pk}:event:{event.pk}",
        )
    return problem


# ---------------------------------------------------------------------------------------------
# The daily job: 催办 and 通报
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrontlineDailyResult:
    urged: int = 0
    noticed: int = 0


def describe_problems_daily(result: FrontlineDailyResult) -> str:
    return _("难题催办 %(urged)s 件，通报 %(noticed)s 件") % {
        "urged": result.urged,
        "noticed": result.noticed,
    }


def _escalate_one(pk: int, today: datetime.date, notice_after: int) -> tuple[bool, bool]:
    """Write what is due for one problem (催办, 通报), each once. (urged, noticed)."""
    with transaction.atomic():
        problem = lock_in_scope(Problem.objects.select_related("unit"), pk)
        if problem.state not in ESCALATED_STATES or problem.deadline is None:
            return False, False
        try:
            urge_on = rules.urge_due(problem.deadline)
            notice_on = rules.notice_due(problem.deadline, notice_after)
        except CalendarYearMissing:
            return False, False  # the calendar decides; a limit is never guessed
        urged = problem.urged_on is None and urge_on <= today
        noticed = problem.noticed_on is None and notice_on <= today
        if not (urged or noticed):
            return False, False
        fields = (["urged_on"] if urged else []) + (["noticed_on"] if noticed else [])
        before = audit.snapshot(problem, fields)
        if urged:
            problem.urged_on = today
        if noticed:
            problem.noticed_on = today
        save_with_audit(
            actor=None, instance=problem, fields=fields, before=before, actor_name=SYSTEM
        )
        overdue = rules.overdue_workdays(problem.deadline, today)
        if urged:
            _event(
                problem=problem,
                kind=ProblemEventKind.URGE,
                on=today,
                actor=None,
                from_state=problem.state,
                note=_site(
                    gettext_lazy("已超过办结时限 %(deadline)s，催办"),
                    {"deadline": problem.deadline},
                ),
            )
            # a returned problem waits on the committee, which must reassign it
            to_committee = problem.state == ProblemState.RETURNED
            notification_send(
                recipients=_committee_ids() if to_committee else _unit_admin_ids(problem.unit_id),
                kind="frontline_problem_urged",
                text=_("催办：难题 %(id)s（%(title)s）已超过办结时限 %(deadline)s。")
                % {"id": problem.public_id, "title": problem.title, "deadline": problem.deadline},
                link=_link(problem),
                dedupe_key=f"frontline:problem:{problem.pk}:urge:{problem.deadline}",
            )
        if noticed:
            _event(
                problem=problem,
                kind=ProblemEventKind.NOTICE,
                on=today,
                actor=None,
                from_state=problem.state,
                note=_site(gettext_lazy("超期 %(n)d 个工作日，列入通报"), {"n": overdue}),
            )
            notification_send(
                recipients=_committee_ids(),
                kind="frontline_problem_noticed",
                text=_("通报：%(unit)s办理的难题 %(id)s 已超期 %(n)d 个工作日。")
                % {
                    "unit": problem.unit.name if problem.unit else "",
                    "id": problem.public_id,
                    "n": overdue,
                },
                link=_link(problem),
                dedupe_key=f"frontline:problem:{problem.pk}:notice:{problem.deadline}",
            )
        return urged, noticed


def problems_daily(today: datetime.date) -> FrontlineDailyResult:
    """The daily job: 催办 from the first working day after the deadline, 通报 once a problem is
    `notice_after_workdays` working days overdue; each written once (running it again changes
    nothing), on the official calendar (holidays and the weekend days worked in lieu)."""
    notice_after = FrontlineSettings.current().notice_after_workdays
    candidates = list(
        Problem.objects.filter(state__in=ESCALATED_STATES, deadline__lt=today)
        .exclude(urged_on__isnull=False, noticed_on__isnull=False)
        .order_by("deadline", "pk")
        .values_list("pk", flat=True)
    )
    urged = noticed = 0
    for pk in candidates:
        one_urged, one_noticed = _escalate_one(pk, today, notice_after)
        urged += one_urged
        noticed += one_noticed
    return FrontlineDailyResult(urged=urged, noticed=noticed)
