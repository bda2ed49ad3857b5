"""Writes of a case (办件): reception, acceptance (容缺 included), pauses, supply, completion,
delivery, and the daily job. The catalogue's writes are in `catalogue_services.py`.

Each service is one transaction: the case is locked within the actor's scope, the access table
decides the role ("handle"), the lifecycle table (`rules.CASE`) the move — a move it refuses raises
`Conflict` (409) with the table's message and changes nothing — then the fields are checked (errors
under the service's parameter names), the case saved with its audit record, and the step written to
the case's timeline (`CaseEvent`). `deadline` and `statutory_deadline` are recomputed from the
rules on acceptance, pause and resume; everything else about the clock is derived (`selectors`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

from guanqing.core import audit, sensitive, text
from guanqing.core.calendar.workdays import CalendarYearMissing, add_workdays, business_date
from guanqing.core.errors import Conflict
from guanqing.core.notifications.services import notification_send
from guanqing.core.policy import current_policy
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import merge_errors, save_with_audit
from guanqing.window import rules, selectors
from guanqing.window.access import access
from guanqing.window.choices import (
    ApplicantKind,
    CaseEventKind,
    CaseState,
    Outcome,
    PauseKind,
)
from guanqing.window.models import (
    Case,
    CaseEvent,
    CaseMissingMaterial,
    CasePause,
    Material,
    Matter,
    MatterVersion,
    Window,
    WindowSettings,
)

# Who the audit log and the timeline name for what the daily job does.
SYSTEM = "系统（每日任务）"

CASE_FIELDS = [
    "window",
    "version",
    "receipt_no",
    "state",
    "applicant_kind",
    "applicant_name",
    "credit_code",
    "applicant_phone",
    "received_on",
    "accepted_on",
    "deadline",
    "statutory_deadline",
    "handled_by",
    "correction_note",
    "refusal_reason",
    "deferral_promise",
    "supply_by",
]
CLOCK_FIELDS = ["state", "deadline", "statutory_deadline"]
ACCEPT_FIELDS = [
    "version",
    "state",
    "accepted_on",
    "deadline",
    "statutory_deadline",
    "handled_by",
    "deferral_promise",
    "supply_by",
]
REFUSE_FIELDS = ["state", "refusal_reason"]
COMPLETE_FIELDS = ["state", "outcome", "outcome_note", "completed_on"]
DELIVER_FIELDS = ["state", "delivered_on"]
TERMINATE_FIELDS = ["state", "terminated_on"]
PAUSE_FIELDS = ["case", "kind", "reason", "started_on", "ended_on"]
MISSING_FIELDS = ["case", "material", "supplied_on"]
EVENT_RELATIONS = ["case", "actor"]


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _check_move(case: Case, action: str) -> None:
    """The lifecycle table's refusal as a Conflict (409), with the table's message."""
    try:
        rules.CASE.check(case.state, action, field="state")
    except ValidationError as exc:
        raise Conflict(exc.message_dict["state"][0]) from None


def _lock_case(actor, case: Case) -> Case:
    access.check(actor, "handle")
    return lock_in_scope(
        Case.objects.editable_by(actor).select_related("version", "window"), case.pk
    )


def _date(errors: dict, field: str, value, *, today: datetime.date, after=None, after_label=""):
    """A date that is given, not in the future and (when `after` is given) not before it."""
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


def _required_text(errors: dict, field: str, value, message: str) -> str:
    value = text.strip_edges(value or "")
    if not text.has_visible(value):
        errors.setdefault(field, []).append(message)
    return value


def _event(
    *,
    case: Case,
    kind: str,
    on: datetime.date,
    actor,
    from_state: str,
    note: str = "",
) -> CaseEvent:
    """One step of the case's timeline. Not audited itself: the change it reports is."""
    event = CaseEvent(
        case=case,
        kind=kind,
        on=on,
        actor=actor,
        from_state=from_state,
        to_state=case.state,
        note=note,
    )
    text.full_clean(
        event, exclude=EVENT_RELATIONS, validate_unique=False, validate_constraints=False
    )
    event.save(force_insert=True)
    return event


def _pauses(case: Case) -> list[rules.Pause]:
    return [
        (p.started_on, p.ended_on)
        for p in CasePause.objects.filter(case=case).order_by("started_on", "id")
    ]


def _deadlines(
    version: MatterVersion,
    accepted_on: datetime.date,
    pauses: Iterable[rules.Pause],
    *,
    today: datetime.date,
    field: str,
) -> tuple[datetime.date, datetime.date]:
    """(promised, statutory) deadline; a year without calendar data is refused under `field`."""
    pauses = list(pauses)
    try:
        return (
            rules.deadline(accepted_on, version.promised_workdays, pauses, today=today),
            rules.deadline(accepted_on, version.statutory_workdays, pauses, today=today),
        )
    except CalendarYearMissing as exc:
        raise ValidationError({field: [str(exc)]}) from None


def _label(choices, value) -> str:
    """A choice's label in the site language (the timeline reads like the audit log)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(dict(choices.choices).get(value, value))


def _field_label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _link(case: Case) -> str:
    try:
        return reverse("window:case_detail", args=[case.pk])
    except NoReverseMatch:
        return ""


# ---------------------------------------------------------------------------------------------
# The applicant
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    kind: str
    name: str
    id_number: str  # a person's, normalised; "" for an enterprise
    credit_code: str  # an enterprise's 统一社会信用代码; "" for a person
    phone: str


def _credit_code(value: str) -> str:
    """The 统一社会信用代码, compacted, or ValidationError naming what is wrong."""
    code = uscc.compact(sensitive.fold_width(value or ""))
    try:
        return uscc.validate(code)
    except InvalidLength:
        raise ValidationError(
            _("统一社会信用代码应为 18 位（当前 %(n)d 位）") % {"n": len(code)}
        ) from None
    except InvalidChecksum:
        raise ValidationError(_("统一社会信用代码校验位错误")) from None
    except StdnumError:
        raise ValidationError(
            _("统一社会信用代码只能包含数字和大写字母（不含 I、O、Z、S、V）")
        ) from None


def _applicant(errors: dict, *, kind, name, applicant_id, phone) -> Applicant:
    name = _required_text(errors, "applicant_name", name, _("请填写申请人"))
    id_number = credit_code = ""
    if kind not in ApplicantKind.values:
        errors["applicant_kind"] = [_("请选择申请人类型（个人或企业）")]
    elif not (applicant_id or "").strip():
        errors["applicant_id"] = [
            _("请填写身份证号码") if kind == ApplicantKind.PERSON else _("请填写统一社会信用代码")
        ]
    else:
        try:
            if kind == ApplicantKind.PERSON:
                id_number = sensitive.validate_id_number(applicant_id)
            else:
                credit_code = _credit_code(applicant_id)
        except ValidationError as exc:
            errors["applicant_id"] = exc.messages
    try:
        phone = sensitive.validate_phone(phone or "")
    except ValidationError as exc:
        errors["applicant_phone"] = exc.messages
    return Applicant(kind, name, id_number, credit_code, phone)


def _phone_tail(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())[-4:]


def _new_case(
    *, actor, window: Window, version: MatterVersion, applicant: Applicant, received_on, state
) -> Case:
    """A case row with its receipt number: the window's next running number that day (the window
    row is locked by the caller, so two clerks of one window never draw the same number)."""
    sequence = Case.objects.filter(window=window, received_on=received_on).count() + 1
    receipt_no = rules.receipt_number(window.pk, received_on, sequence)
    while Case.objects.filter(receipt_no=receipt_no).exists():
        sequence += 1
        receipt_no = rules.receipt_number(window.pk, received_on, sequence)
    case = Case(
        window=window,
        version=version,
        receipt_no=receipt_no,
        state=state,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name,
        credit_code=applicant.credit_code,
        applicant_phone=applicant.phone,
        phone_tail=_phone_tail(applicant.phone),
        received_on=received_on,
        handled_by=actor,
    )
    case.set_id_number(applicant.id_number or None)
    return case


def _save_new_case(*, actor, case: Case) -> Case:
    extra = None
    if case.id_number_encrypted:
        policy = current_policy()
        extra = {"applicant_id": [None, case.masked_id_number(policy.mask_head, policy.mask_tail)]}
    return save_with_audit(
        actor=actor,
        instance=case,
        fields=CASE_FIELDS,
        also_save=["id_number_hash", "id_number_encrypted", "phone_tail"],
        extra_changes=extra,
    )


def _window_and_matter(errors: dict, actor, window: Window, matter: Matter):
    """The actor's window (locked: it serialises the receipt numbers) and the matter's current
    version, which must be one of the window's unit's catalogue."""
    window = lock_in_scope(Window.objects.visible_to(actor), window.pk)
    if not window.is_active:
        errors["window"] = [_("该窗口已停用")]
    version = None
    matter = Matter.objects.select_related("item", "current").filter(pk=matter.pk).first()
    if matter is None or not matter.is_active or not matter.item.is_active:
        errors["matter"] = [_("该办理项不存在或已停用")]
    elif matter.item.unit_id != window.unit_id:
        errors["matter"] = [_("该办理项不属于本窗口所在单位的事项目录")]
    elif matter.current is None:
        errors["matter"] = [_("该办理项尚未发布，不能受理")]
    else:
        version = matter.current
    return window, version


# ---------------------------------------------------------------------------------------------
# 容缺受理
# ---------------------------------------------------------------------------------------------


def _material_ids(values) -> list:
    return [getattr(value, "pk", value) for value in values or ()]


def _check_deferral(
    errors: dict,
    *,
    version: MatterVersion,
    applicant: Applicant,
    deferred_materials,
    supply_by,
    deferral_promise: str,
    accepted_on: datetime.date,
    deadline: datetime.date | None,
    today: datetime.date,
) -> list[Material]:
    """The materials accepted missing (容缺): deferrable materials of the version, a supply date
    no later than the deadline, the applicant's written promise, an applicant not barred."""
    ids = _material_ids(deferred_materials)
    if not ids:
        return []
    materials = {m.pk: m for m in Material.objects.filter(version=version, pk__in=ids)}
    unknown = [pk for pk in ids if pk not in materials]
    not_deferrable = [m.name for m in materials.values() if not m.deferrable]
    if unknown:
        errors.setdefault("deferred_materials", []).append(
            _("材料 %(ids)s 不是该办理项现行版本的申请材料")
            % {"ids": "、".join(str(pk) for pk in unknown)}
        )
    if not_deferrable:
        errors.setdefault("deferred_materials", []).append(
            _("以下材料不可容缺：%(names)s") % {"names": "、".join(not_deferrable)}
        )
    until = selectors.deferral_barred_until(
        id_number=applicant.id_number, credit_code=applicant.credit_code, today=today
    )
    if until is not None:
        errors.setdefault("deferred_materials", []).append(
            _("该申请人曾未履行容缺承诺，%(until)s 前不能容缺受理") % {"until": until}
        )
    if supply_by is None:
        errors["supply_by"] = [_("容缺受理须写明材料补齐期限")]
    elif not isinstance(supply_by, datetime.date) or isinstance(supply_by, datetime.datetime):
        errors["supply_by"] = [_("请填写日期")]
    elif supply_by < accepted_on:
        errors["supply_by"] = [
            _("补齐期限（%(day)s）不能早于受理日期（%(accepted_on)s）")
            % {"day": supply_by, "accepted_on": accepted_on}
        ]
    elif deadline is not None and supply_by > deadline:
        errors["supply_by"] = [
            _("补齐期限（%(day)s）不能晚于承诺办结日期（%(deadline)s）")
            % {"day": supply_by, "deadline": deadline}
        ]
    _required_text(
        errors, "deferral_promise", deferral_promise, _("容缺受理须记录申请人的书面承诺")
    )
    return [materials[pk] for pk in dict.fromkeys(ids) if pk in materials]


def _accept(
    *,
    actor,
    case: Case,
    version: MatterVersion,
    accepted_on,
    deferred_materials,
    supply_by,
    deferral_promise,
    errors: dict,
    applicant: Applicant,
    today: datetime.date,
    before: dict | None,
) -> Case:
    """Start the clock of `case` (new, or asked for corrections before)."""
    deadline = statutory = None
    if not errors.get("accepted_on") and version is not None:
        try:
            deadline, statutory = _deadlines(
                version, accepted_on, (), today=today, field="accepted_on"
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    missing: list[Material] = []
    if version is not None:
        missing = _check_deferral(
            errors,
            version=version,
            applicant=applicant,
            deferred_materials=deferred_materials,
            supply_by=supply_by,
            deferral_promise=deferral_promise,
            accepted_on=accepted_on if isinstance(accepted_on, datetime.date) else today,
            deadline=deadline,
            today=today,
        )
    merge_errors(errors)
    from_state = case.state or ""
    case.version = version
    case.state = CaseState.ACCEPTED
    case.accepted_on = accepted_on
    case.deadline, case.statutory_deadline = deadline, statutory
    case.handled_by = actor
    case.supply_by = supply_by if missing else None
    case.deferral_promise = text.strip_edges(deferral_promise or "") if missing else ""
    if before is None:
        _save_new_case(actor=actor, case=case)
    else:
        save_with_audit(actor=actor, instance=case, fields=ACCEPT_FIELDS, before=before)
    for material in missing:
        save_with_audit(
            actor=actor,
            instance=CaseMissingMaterial(case=case, material=material),
            fields=MISSING_FIELDS,
            root=case,
        )
    # The timeline is written in the site language, like the audit log.
    note = f"承诺办结日期 {deadline}"
    if missing:
        names = "、".join(m.name for m in missing)
        note += f"；容缺受理：{names}，应于 {supply_by} 前补齐"
    _event(
        case=case,
        kind=CaseEventKind.ACCEPT,
        on=accepted_on,
        actor=actor,
        from_state=from_state,
        note=note,
    )
    return case


# ---------------------------------------------------------------------------------------------
# Reception: accept, ask for corrections, refuse
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def case_accept(
    *,
    actor,
    window: Window,
    matter: Matter,
    applicant_kind: str,
    applicant_name: str,
    applicant_id: str,
    applicant_phone: str,
    accepted_on: datetime.date,
    deferred_materials: Iterable = (),
    supply_by: datetime.date | None = None,
    deferral_promise: str = "",
) -> Case:
    """Accept (受理) a case at `window` under `matter`'s current version: the clock starts the
    working day after `accepted_on` (today, or a past day entered afterwards; never the future).
    Materials accepted missing (容缺) need a supply date no later than the deadline and the
    applicant's written promise."""
    access.check(actor, "handle")
    errors: dict[str, list[str]] = {}
    today = business_date()
    window, version = _window_and_matter(errors, actor, window, matter)
    applicant = _applicant(
        errors,
        kind=applicant_kind,
        name=applicant_name,
        applicant_id=applicant_id,
        phone=applicant_phone,
    )
    _date(errors, "accepted_on", accepted_on, today=today)
    received_on = accepted_on if not errors.get("accepted_on") else today
    case = _new_case(
        actor=actor,
        window=window,
        version=version,
        applicant=applicant,
        received_on=received_on,
        state="",
    )
    return _accept(
        actor=actor,
        case=case,
        version=version,
        accepted_on=accepted_on,
        deferred_materials=deferred_materials,
        supply_by=supply_by,
        deferral_promise=deferral_promise,
        errors=errors,
        applicant=applicant,
        today=today,
        before=None,
    )


@transaction.atomic
def case_ask_correction(
    *,
    actor,
    window: Window,
    matter: Matter,
    applicant_kind: str,
    applicant_name: str,
    applicant_id: str,
    applicant_phone: str,
    received_on: datetime.date,
    missing: list[str],
) -> Case:
    """Receive an application that lacks something and tell the applicant everything missing at
    once (一次性告知补正). The clock has not started; the case is accepted or refused later."""
    access.check(actor, "handle")
    errors: dict[str, list[str]] = {}
    today = business_date()
    window, version = _window_and_matter(errors, actor, window, matter)
    applicant = _applicant(
        errors,
        kind=applicant_kind,
        name=applicant_name,
        applicant_id=applicant_id,
        phone=applicant_phone,
    )
    _date(errors, "received_on", received_on, today=today)
    items = [text.strip_edges(str(item)) for item in (missing or ())]
    items = [item for item in items if text.has_visible(item)]
    if not items:
        errors["missing"] = [_("请逐项列出需要补正的材料或内容")]
    merge_errors(errors)
    case = _new_case(
        actor=actor,
        window=window,
        version=version,
        applicant=applicant,
        received_on=received_on,
        state=CaseState.CORRECTION,
    )
    case.correction_note = "\n".join(items)
    _save_new_case(actor=actor, case=case)
    _event(
        case=case,
        kind=CaseEventKind.CORRECTION,
        on=received_on,
        actor=actor,
        from_state="",
        note="；".join(items),
    )
    return case


@transaction.atomic
def case_accept_corrected(
    *,
    actor,
    case: Case,
    accepted_on: datetime.date,
    deferred_materials: Iterable = (),
    supply_by: datetime.date | None = None,
    deferral_promise: str = "",
) -> Case:
    """Accept a case once its corrections came in, under its matter's version current now."""
    case = _lock_case(actor, case)
    _check_move(case, "accept")
    errors: dict[str, list[str]] = {}
    today = business_date()
    matter = Matter.objects.select_related("current").get(pk=case.version.matter_id)
    version = matter.current if matter.is_active else None
    if version is None:
        errors["matter"] = [_("该办理项已停用，不能受理")]
    _date(
        errors,
        "accepted_on",
        accepted_on,
        today=today,
        after=case.received_on,
        after_label=_field_label(Case, "received_on"),
    )
    applicant = Applicant(
        case.applicant_kind,
        case.applicant_name,
        case.id_number,
        case.credit_code,
        case.applicant_phone,
    )
    before = audit.snapshot(case, ACCEPT_FIELDS)
    return _accept(
        actor=actor,
        case=case,
        version=version,
        accepted_on=accepted_on,
        deferred_materials=deferred_materials,
        supply_by=supply_by,
        deferral_promise=deferral_promise,
        errors=errors,
        applicant=applicant,
        today=today,
        before=before,
    )


@transaction.atomic
def case_refuse(*, actor, case: Case, on: datetime.date, reason: str) -> Case:
    """Refuse to accept (不予受理) a case asked for corrections, with the reason."""
    case = _lock_case(actor, case)
    _check_move(case, "refuse")
    errors: dict[str, list[str]] = {}
    _date(
        errors,
        "on",
        on,
        today=business_date(),
        after=case.received_on,
        after_label=_field_label(Case, "received_on"),
    )
    reason = _required_text(errors, "reason", reason, _("请写明不予受理的理由"))
    merge_errors(errors)
    before = audit.snapshot(case, REFUSE_FIELDS)
    from_state = case.state
    case.state = rules.CASE.target(case.state, "refuse")
    case.refusal_reason = reason
    save_with_audit(actor=actor, instance=case, fields=REFUSE_FIELDS, before=before)
    _event(
        case=case, kind=CaseEventKind.REFUSE, on=on, actor=actor, from_state=from_state, note=reason
    )
    return case


# ---------------------------------------------------------------------------------------------
# The clock: pause and resume
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def case_pause(*, actor, case: Case, on: datetime.date, kind: str, reason: str) -> CasePause:
    """Stop the clock from `on` (行政许可法 §45): the working days after `on` up to and including
    the day it resumes do not count. Needs a kind and a reason."""
    case = _lock_case(actor, case)
    _check_move(case, "pause")
    errors: dict[str, list[str]] = {}
    today = business_date()
    pauses = _pauses(case)
    last_end = max((end for _start, end in pauses if end is not None), default=None)
    start_floor, floor_label = case.accepted_on, _field_label(Case, "accepted_on")
    if last_end is not None and last_end > start_floor:
        start_floor, floor_label = last_end, _field_label(CasePause, "ended_on")
    _date(errors, "on", on, today=today, after=start_floor, after_label=floor_label)
    if kind not in PauseKind.values:
        errors["kind"] = [_("请选择中止事由")]
    reason = _required_text(errors, "reason", reason, _("请写明中止的原因"))
    merge_errors(errors)
    pause = CasePause(case=case, kind=kind, reason=reason, started_on=on)
    save_with_audit(actor=actor, instance=pause, fields=PAUSE_FIELDS, root=case)
    before = audit.snapshot(case, CLOCK_FIELDS)
    from_state = case.state
    case.state = rules.CASE.target(case.state, "pause")
    case.deadline, case.statutory_deadline = _deadlines(
        case.version, case.accepted_on, [*pauses, (on, None)], today=today, field="on"
    )
    save_with_audit(actor=actor, instance=case, fields=CLOCK_FIELDS, before=before)
    _event(
        case=case,
        kind=CaseEventKind.PAUSE,
        on=on,
        actor=actor,
        from_state=from_state,
        note=f"{_label(PauseKind, kind)}：{reason}",
    )
    return pause


@transaction.atomic
def case_resume(*, actor, case: Case, on: datetime.date) -> Case:
    """Restart the clock: the running pause ends on `on`; the deadline moves by exactly the working
    days after its start up to and including `on`."""
    case = _lock_case(actor, case)
    _check_move(case, "resume")
    today = business_date()
    pause = (
        CasePause.objects.select_for_update()
        .filter(case=case, ended_on__isnull=True)
        .order_by("pk")
        .first()
    )
    if pause is None:  # a paused case always has its running pause; guard against stray rows
        raise Conflict()
    errors: dict[str, list[str]] = {}
    _date(
        errors,
        "on",
        on,
        today=today,
        after=pause.started_on,
        after_label=_field_label(CasePause, "started_on"),
    )
    merge_errors(errors)
    pause_before = audit.snapshot(pause, PAUSE_FIELDS)
    pause.ended_on = on
    save_with_audit(
        actor=actor, instance=pause, fields=PAUSE_FIELDS, before=pause_before, root=case
    )
    before = audit.snapshot(case, CLOCK_FIELDS)
    from_state = case.state
    case.state = rules.CASE.target(case.state, "resume")
    case.deadline, case.statutory_deadline = _deadlines(
        case.version, case.accepted_on, _pauses(case), today=today, field="on"
    )
    save_with_audit(actor=actor, instance=case, fields=CLOCK_FIELDS, before=before)
    _event(
        case=case,
        kind=CaseEventKind.RESUME,
        on=on,
        actor=actor,
        from_state=from_state,
        note=f"中止 {pause.started_on} 至 {on}，承诺办结日期 {case.deadline}",
    )
    return case


# ---------------------------------------------------------------------------------------------
# 容缺 materials supplied, completion, delivery
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def case_supply(*, actor, case: Case, materials: Iterable, on: datetime.date) -> Case:
    """The applicant brings materials accepted missing (容缺), by the promised date at the latest."""
    case = _lock_case(actor, case)
    _check_move(case, "supply")
    errors: dict[str, list[str]] = {}
    _date(
        errors,
        "on",
        on,
        today=business_date(),
        after=case.accepted_on,
        after_label=_field_label(Case, "accepted_on"),
    )
    if not errors.get("on") and case.supply_by is not None and on > case.supply_by:
        errors["on"] = [
            _("容缺材料应于 %(supply_by)s 前补齐，已逾期") % {"supply_by": case.supply_by}
        ]
    ids = _material_ids(materials)
    outstanding = {
        row.material_id: row
        for row in CaseMissingMaterial.objects.select_for_update(of=("self",))
        .select_related("material")
        .filter(case=case, supplied_on__isnull=True)
        .order_by("pk")
    }
    if not ids:
        errors["materials"] = [_("请选择补齐的容缺材料")]
    elif any(pk not in outstanding for pk in ids):
        errors["materials"] = [_("所选材料不是本办件待补齐的容缺材料")]
    merge_errors(errors)
    rows = [outstanding[pk] for pk in dict.fromkeys(ids)]
    for row in rows:
        before = audit.snapshot(row, MISSING_FIELDS)
        row.supplied_on = on
        save_with_audit(actor=actor, instance=row, fields=MISSING_FIELDS, before=before, root=case)
    left = len(outstanding) - len(rows)
    note = "、".join(row.material.name for row in rows)
    if not left:
        note += "（容缺材料已全部补齐）"
    _event(
        case=case,
        kind=CaseEventKind.SUPPLY,
        on=on,
        actor=actor,
        from_state=case.state,
        note=note,
    )
    return case


@transaction.atomic
def case_complete(*, actor, case: Case, on: datetime.date, outcome: str, note: str = "") -> Case:
    """Complete (办结) a case: approved, or denied with the reason. Approval waits until every
    material accepted missing (容缺) has been supplied."""
    case = _lock_case(actor, case)
    _check_move(case, "complete")
    errors: dict[str, list[str]] = {}
    last_end = max((end for _start, end in _pauses(case) if end is not None), default=None)
    floor, floor_label = case.accepted_on, _field_label(Case, "accepted_on")
    if last_end is not None and last_end > floor:
        floor, floor_label = last_end, _field_label(CasePause, "ended_on")
    _date(errors, "on", on, today=business_date(), after=floor, after_label=floor_label)
    note = text.strip_edges(note or "")
    if outcome not in Outcome.values:
        errors["outcome"] = [_("请选择办理结果")]
    elif outcome == Outcome.DENIED and not text.has_visible(note):
        errors["note"] = [_("不予许可须写明理由")]
    elif (
        outcome == Outcome.APPROVED
        and CaseMissingMaterial.objects.filter(case=case, supplied_on__isnull=True).exists()
    ):
        errors["outcome"] = [_("容缺材料尚未补齐，不能准予许可")]
    merge_errors(errors)
    before = audit.snapshot(case, COMPLETE_FIELDS)
    from_state = case.state
    case.state = rules.CASE.target(case.state, "complete")
    case.outcome = outcome
    case.outcome_note = note
    case.completed_on = on
    save_with_audit(actor=actor, instance=case, fields=COMPLETE_FIELDS, before=before)
    _event(
        case=case,
        kind=CaseEventKind.COMPLETE,
        on=on,
        actor=actor,
        from_state=from_state,
        note=f"{_label(Outcome, outcome)}{'：' + note if note else ''}",
    )
    return case


@transaction.atomic
def case_deliver(*, actor, case: Case, on: datetime.date) -> Case:
    """The result is handed over to the applicant (送达/领取)."""
    case = _lock_case(actor, case)
    _check_move(case, "deliver")
    errors: dict[str, list[str]] = {}
    _date(
        errors,
        "on",
        on,
        today=business_date(),
        after=case.completed_on,
        after_label=_field_label(Case, "completed_on"),
    )
    merge_errors(errors)
    before = audit.snapshot(case, DELIVER_FIELDS)
    from_state = case.state
    case.state = rules.CASE.target(case.state, "deliver")
    case.delivered_on = on
    save_with_audit(actor=actor, instance=case, fields=DELIVER_FIELDS, before=before)
    _event(case=case, kind=CaseEventKind.DELIVER, on=on, actor=actor, from_state=from_state)
    return case


# ---------------------------------------------------------------------------------------------
# The daily job
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DailyResult:
    terminated: int = 0
    reminded: int = 0  # notifications of cases due soon written
    overdue: int = 0  # notifications of overdue cases written


def describe_daily(result: DailyResult) -> str:
    return _("终止 %(terminated)s 件，临期提醒 %(reminded)s 条，超期通知 %(overdue)s 条") % {
        "terminated": result.terminated,
        "reminded": result.reminded,
        "overdue": result.overdue,
    }


def _terminate_one(case_pk: int, today: datetime.date) -> bool:
    """Terminate a case whose 容缺 promise passed its date with materials still missing."""
    with transaction.atomic():
        case = lock_in_scope(Case.objects.select_related("window"), case_pk)
        if not rules.CASE.can(case.state, "terminate") or case.supply_by is None:
            return False
        if case.supply_by >= today:
            return False
        missing = list(
            CaseMissingMaterial.objects.filter(case=case, supplied_on__isnull=True)
            .select_related("material")
            .order_by("pk")
        )
        if not missing:
            return False
        before = audit.snapshot(case, TERMINATE_FIELDS)
        from_state = case.state
        case.state = rules.CASE.target(case.state, "terminate")
        case.terminated_on = today
        save_with_audit(
            actor=None,
            instance=case,
            fields=TERMINATE_FIELDS,
            before=before,
            actor_name=SYSTEM,
        )
        names = "、".join(row.material.name for row in missing)
        _event(
            case=case,
            kind=CaseEventKind.TERMINATE,
            on=today,
            actor=None,
            from_state=from_state,
            note=f"容缺材料（{names}）未在 {case.supply_by} 前补齐",
        )
        notification_send(
            recipients=selectors.window_clerk_ids(case.window_id),
            kind="window_case_terminated",
            text=_(
                "办件 %(receipt_no)s（%(applicant)s）的容缺材料未在 %(supply_by)s 前补齐，已终止办理。"
            )
            % {
                "receipt_no": case.receipt_no,
                "applicant": case.applicant_name,
                "supply_by": case.supply_by,
            },
            link=_link(case),
            dedupe_key=f"window:case:{case.pk}:terminated",
        )
        return True


def cases_daily(today: datetime.date) -> DailyResult:
    """The daily job: terminate the cases whose 容缺 promise passed its date (the applicant is then
    barred from 容缺 for `deferral_bar_months`), remind the window's clerks of the cases due within
    `due_soon_workdays` working days and tell the unit's administrators of the overdue ones, each
    once (per deadline: a pause that moves it may remind again). Running it again changes nothing."""
    stale = (
        Case.objects.filter(
            state__in=[s for s in CaseState.values if rules.CASE.can(s, "terminate")],
            supply_by__lt=today,
            missing_materials__supplied_on__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    terminated = sum(_terminate_one(pk, today) for pk in list(stale))

    config = WindowSettings.current()
    try:
        horizon = add_workdays(today, config.due_soon_workdays)
    except CalendarYearMissing:
        horizon = today  # December without next year's calendar: remind of today's only
    running = Case.objects.filter(state=CaseState.ACCEPTED).only(
        "pk", "window_id", "receipt_no", "applicant_name", "deadline"
    )
    due = list(
        running.filter(deadline__gte=today, deadline__lte=horizon).order_by("deadline", "pk")
    )
    late = list(
        running.filter(deadline__lt=today).select_related("window__unit").order_by("deadline", "pk")
    )
    clerks = selectors.window_clerk_ids_map({c.window_id for c in due})
    admins = selectors.unit_admin_ids_map({c.window.unit_id for c in late})
    reminded = sum(
        notification_send(
            recipients=clerks.get(case.window_id, ()),
            kind="window_case_due",
            text=_("办件 %(receipt_no)s（%(applicant)s）将于 %(deadline)s 到期，请抓紧办理。")
            % {
                "receipt_no": case.receipt_no,
                "applicant": case.applicant_name,
                "deadline": case.deadline,
            },
            link=_link(case),
            dedupe_key=f"window:case:{case.pk}:due:{case.deadline}",
        )
        for case in due
    )
    overdue = sum(
        notification_send(
            recipients=admins.get(case.window.unit_id, ()),
            kind="window_case_overdue",
            text=_(
                "%(window)s的办件 %(receipt_no)s（%(applicant)s）已超过承诺办结日期 %(deadline)s。"
            )
            % {
                "window": case.window.name,
                "receipt_no": case.receipt_no,
                "applicant": case.applicant_name,
                "deadline": case.deadline,
            },
            link=_link(case),
            dedupe_key=f"window:case:{case.pk}:overdue:{case.deadline}",
        )
        for case in late
    )
    return DailyResult(terminated=terminated, reminded=reminded, overdue=overdue)
