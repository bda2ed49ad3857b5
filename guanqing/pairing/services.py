"""Writes of the pairing module. Each validates, saves and audits in one transaction; the audit
events of pairings and visits have the household as their root, so they show on its timeline."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanqing.core import audit, text, uploads
from guanqing.core.calendar.workdays import business_date
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import OutOfScope, merge_errors, require, save_with_audit
from guanqing.pairing import selectors
from guanqing.pairing.access import access
from guanqing.pairing.choices import EndReason, ProjectStatus, SupportKind, VisitKind
from guanqing.pairing.models import (
    VISIT_KIND_FIELDS,
    ComplianceSettings,
    Pairing,
    PairingTerm,
    Partnership,
    PartnershipProject,
    Visit,
    VisitPhoto,
)
from guanqing.pairing.rules import PAIRING, PARTNERSHIP, pairing_state, partnership_state
from guanqing.registry import services as registry_services
from guanqing.registry.choices import HouseholdStatus, MemberStatus
from guanqing.registry.models import Household, Member, PartyOrg, Unit

NOT_IN_SCOPE = registry_services.NOT_IN_SCOPE
COMMITTEE_ONLY = gettext_lazy("只有机关工委可以执行此操作")

PROFILE_FIELDS = ["situation", "hardship_cause", "outlook", "skills", "needs"]  # 五清


def _not_future(errors: dict, field: str, value: datetime.date | None, label: str) -> None:
    if value is not None and value > business_date():
        errors.setdefault(field, []).append(
            f"{label}（{value}）不能晚于今天 / {field} cannot be in the future"
        )


# ---------------------------------------------------------------------------------------------
# Pairings and the relay
# ---------------------------------------------------------------------------------------------

PAIRING_FIELDS = ["household", "unit", "started_on"]
PAIRING_END_FIELDS = ["ended_on", "end_reason", "end_note"]
TERM_FIELDS = ["pairing", "member", "starts_on", "ends_on", "reason"]


def _check_member_of_unit(errors: dict, field: str, member: Member | None, unit: Unit) -> None:
    if member is None:
        return
    if member.unit_id != unit.pk:
        errors.setdefault(field, []).append(
            _("党员“%(member_name)s”不属于%(unit_name)s")
            % {"member_name": member.name, "unit_name": unit.name}
        )
    elif member.status != MemberStatus.ACTIVE:
        errors.setdefault(field, []).append(
            _("党员“%(member_name)s”状态为%(status)s，不能结对")
            % {"member_name": member.name, "status": member.get_status_display()}
        )


@transaction.atomic
def pairing_create(
    *,
    actor,
    household: Household,
    unit: Unit,
    started_on: datetime.date,
    member: Member | None = None,
) -> Pairing:
    """Pair `unit` (through `member`, or as a whole) with `household`. The committee decides
    which unit serves which household, so only the committee creates pairings; the unit then
    relays a pairing among its members (`pairing_handover`)."""
    require(access.allows(actor, "create"), _("只有机关工委可以新建结对"))
    errors: dict[str, list[str]] = {}
    if household.status != HouseholdStatus.ACTIVE:
        errors["household"] = [
            _("该家庭状态为%(status)s，不能结对") % {"status": household.get_status_display()}
        ]
    elif Pairing.objects.active().filter(household=household, unit=unit).exists():
        errors["household"] = [
            _("%(unit_name)s已与%(household)s结对")
            % {"unit_name": unit.name, "household": household}
        ]
    if not unit.is_active:
        errors["unit"] = [_("该单位已停用")]
    _check_member_of_unit(errors, "member", member, unit)
    _not_future(errors, "started_on", started_on, "结对日期")
    merge_errors(errors)
    pairing = Pairing(household=household, unit=unit, started_on=started_on)
    try:
        with transaction.atomic():
            save_with_audit(actor=actor, instance=pairing, fields=PAIRING_FIELDS, root=household)
    except IntegrityError:
        raise ValidationError({"household": [_("该单位已与此家庭结对")]}) from None
    term = PairingTerm(pairing=pairing, member=member, starts_on=started_on)
    save_with_audit(actor=actor, instance=term, fields=TERM_FIELDS, root=household)
    return pairing


@transaction.atomic
def pairing_handover(
    *,
    actor,
    pairing: Pairing,
    successor: Member,
    effective_date: datetime.date,
    reason: str = "",
) -> PairingTerm:
    """Hand the pairing to `successor` from `effective_date` (接力): the current term closes the
    day before, the successor's opens that day, so the pairing's history stays one continuous
    story. Visits before the effective date stay the predecessor's, later ones the successor's.

    The effective date must fall after the pairing's latest recorded visit, so no visit changes
    hands afterwards. A handover effective on the day the current term began replaces that term's
    holder (it held the pairing for no day)."""
    pairing = lock_in_scope(Pairing.objects.editable_by(actor), pairing.pk, message=NOT_IN_SCOPE)
    current = pairing.terms.select_for_update().filter(ends_on__isnull=True).first()
    errors: dict[str, list[str]] = {}
    ended = _("该结对已于 %(ended_on)s 结束") % {"ended_on": pairing.ended_on}
    PAIRING.check(pairing_state(pairing), "handover", field="pairing", message=ended)
    if current is None:
        raise ValidationError({"pairing": [ended]})
    _check_member_of_unit(errors, "successor", successor, pairing.unit)
    if not errors.get("successor") and successor.pk == current.member_id:
        errors["successor"] = [
            _("“%(successor_name)s”已是该结对的结对党员") % {"successor_name": successor.name}
        ]
    _not_future(errors, "effective_date", effective_date, "交接生效日期")
    if effective_date < current.starts_on:
        errors.setdefault("effective_date", []).append(
            _("交接生效日期不能早于现任开始日期 %(starts_on)s") % {"starts_on": current.starts_on}
        )
    last_visit = pairing.visits.filter(date__gte=effective_date).order_by("-date").first()
    if last_visit is not None:
        errors.setdefault("effective_date", []).append(
            _("%(last_visit_date)s 已有走访记录，交接生效日期应晚于该日期")
            % {"last_visit_date": last_visit.date}
        )
    merge_errors(errors)
    household = pairing.household
    reason = reason.strip()
    if effective_date == current.starts_on:
        before = audit.snapshot(current, TERM_FIELDS)
        current.member = successor
        current.reason = reason
        return save_with_audit(
            actor=actor, instance=current, fields=TERM_FIELDS, before=before, root=household
        )
    before = audit.snapshot(current, TERM_FIELDS)
    current.ends_on = effective_date - datetime.timedelta(days=1)
    save_with_audit(
        actor=actor, instance=current, fields=TERM_FIELDS, before=before, root=household
    )
    term = PairingTerm(pairing=pairing, member=successor, starts_on=effective_date, reason=reason)
    return save_with_audit(actor=actor, instance=term, fields=TERM_FIELDS, root=household)


@transaction.atomic
def pairing_end(
    *, actor, pairing: Pairing, ended_on: datetime.date, reason: str, note: str = ""
) -> Pairing:
    """End the pairing on `ended_on` (its last day): the family is out of difficulty, moved away
    or died. The current term closes the same day."""
    pairing = lock_in_scope(Pairing.objects.editable_by(actor), pairing.pk, message=NOT_IN_SCOPE)
    current = pairing.terms.select_for_update().filter(ends_on__isnull=True).first()
    errors: dict[str, list[str]] = {}
    PAIRING.check(
        pairing_state(pairing),
        "end",
        field="ended_on",
        message=_("该结对已于 %(ended_on)s 结束") % {"ended_on": pairing.ended_on},
    )
    if reason not in EndReason.values:
        errors["reason"] = [_("未知的结束原因 %(reason)r") % {"reason": reason}]
    _not_future(errors, "ended_on", ended_on, "结束日期")
    start = current.starts_on if current is not None else pairing.started_on
    if ended_on < start:
        errors.setdefault("ended_on", []).append(
            _("结束日期不能早于 %(start)s（结对或现任开始日期）") % {"start": start}
        )
    later = pairing.visits.filter(date__gt=ended_on).order_by("-date").first()
    if later is not None:
        errors.setdefault("ended_on", []).append(
            _("%(later_date)s 还有走访记录，结束日期不能早于该日期") % {"later_date": later.date}
        )
    merge_errors(errors)
    household = pairing.household
    before = audit.snapshot(pairing, PAIRING_END_FIELDS)
    pairing.ended_on = ended_on
    pairing.end_reason = reason
    pairing.end_note = note.strip()
    save_with_audit(
        actor=actor, instance=pairing, fields=PAIRING_END_FIELDS, before=before, root=household
    )
    if current is not None:
        before = audit.snapshot(current, TERM_FIELDS)
        current.ends_on = ended_on
        save_with_audit(
            actor=actor, instance=current, fields=TERM_FIELDS, before=before, root=household
        )
    return pairing


# ---------------------------------------------------------------------------------------------
# Visits
# ---------------------------------------------------------------------------------------------

VISIT_FIELDS = [
    "pairing",
    "date",
    *VISIT_KIND_FIELDS,
    "notes",
    "cash_amount",
    "in_kind_items",
    "in_kind_value",
    "support_kind",
    "support_note",
]


def _may_record(actor, pairing: Pairing) -> None:
    require(access.allows(actor, "record"), _("您的角色只能查看走访记录"))


@transaction.atomic
def _visit_record(
    *,
    actor,
    pairing: Pairing,
    date: datetime.date,
    kinds: list[str],
    participants: list[Member],
    notes: str,
    cash_amount,
    in_kind_items: str,
    in_kind_value,
    support_kind: str,
    support_note: str,
    profile_updates: dict | None,
    photos,
    saved_files: list[str],
) -> Visit:
    if not Pairing.objects.visible_to(actor).filter(pk=pairing.pk).exists():
        raise OutOfScope(NOT_IN_SCOPE)
    # locked, so that a handover or an end cannot slip in between the checks and the save
    pairing = (
        Pairing.objects.select_for_update().select_related("household", "unit").get(pk=pairing.pk)
    )
    _may_record(actor, pairing)
    errors: dict[str, list[str]] = {}
    # the date
    date_ok = True
    today = business_date()
    if date > today:
        errors["date"] = [
            _("走访日期 %(date)s 晚于今天 %(today)s") % {"date": date, "today": today}
        ]
        date_ok = False
    elif date < pairing.started_on:
        errors["date"] = [
            _("走访日期 %(date)s 早于结对日期 %(started_on)s")
            % {"date": date, "started_on": pairing.started_on}
        ]
        date_ok = False
    elif pairing.ended_on is not None and date > pairing.ended_on:
        errors["date"] = [
            _("走访日期 %(date)s 晚于结对结束日期 %(ended_on)s")
            % {"date": date, "ended_on": pairing.ended_on}
        ]
        date_ok = False
    # what it did
    kinds = list(dict.fromkeys(kinds or []))
    unknown = [k for k in kinds if k not in VisitKind.values]
    if not kinds:
        errors["kinds"] = [_("请至少选择一项：谈、讲、访、帮、扶")]
    elif unknown:
        errors["kinds"] = [_("未知的走访类型 %(values)s") % {"values": ", ".join(unknown)}]
    # who went
    participants = list(dict.fromkeys(participants or []))
    if not participants:
        errors["participants"] = [_("请选择参加走访的党员")]
    else:
        strangers = [m.name for m in participants if m.unit_id != pairing.unit_id]
        if strangers:
            errors["participants"] = [
                _("%(values)s不是%(unit_name)s的党员")
                % {"values": "、".join(strangers), "unit_name": pairing.unit.name}
            ]
    if date_ok and participants and "participants" not in errors:
        term = selectors.term_on(pairing, date)
        holder = term.member if term is not None else None
        if access.allows(actor, "mine") and (holder is None or holder.pk != actor.member_id):
            errors["date"] = [_("您在 %(date)s 不是该结对的结对党员") % {"date": date}]
        elif holder is not None and holder not in participants:
            errors["participants"] = [
                _("%(date)s 该结对由“%(holder_name)s”负责，参加党员中应有其本人")
                % {"date": date, "holder_name": holder.name}
            ]
    # help given
    cash = uploads.money(errors, "cash_amount", cash_amount)
    in_kind = uploads.money(errors, "in_kind_value", in_kind_value)
    in_kind_items = (in_kind_items or "").strip()
    if in_kind > 0 and not in_kind_items:
        errors["in_kind_items"] = [_("填写了物品折价，请写明慰问物品")]
    if support_kind not in SupportKind.values:
        errors["support_kind"] = [
            _("未知的扶持方式 %(support_kind)r") % {"support_kind": support_kind}
        ]
    elif VisitKind.SUPPORT in kinds and support_kind == SupportKind.NONE:
        errors["support_kind"] = [_("选择了“扶”，请说明扶持方式")]
    # the 五清 profile
    profile_updates = dict(profile_updates or {})
    for key, value in profile_updates.items():
        if key not in PROFILE_FIELDS:
            errors[f"profile_updates.{key}"] = [
                _("只能更新五清信息（%(values)s）") % {"values": ", ".join(PROFILE_FIELDS)}
            ]
        elif not isinstance(value, str):
            errors[f"profile_updates.{key}"] = [_("应为文字")]
    checked_photos = uploads.check_photos(errors, list(photos or []))
    merge_errors(errors)

    household = pairing.household
    visit = Visit(
        pairing=pairing,
        date=date,
        notes=(notes or "").strip(),
        cash_amount=cash,
        in_kind_items=in_kind_items,
        in_kind_value=in_kind,
        support_kind=support_kind,
        support_note=(support_note or "").strip(),
        recorded_by=actor,
        **{name: name in kinds for name in VISIT_KIND_FIELDS},
    )
    text.full_clean(visit)
    visit.save()
    visit.participants.set(participants)
    rows = uploads.store_photos(VisitPhoto, checked_photos, saved_files, visit=visit)
    photo_names = [row.original_name or row.file.name.rsplit("/", 1)[-1] for row in rows]
    shown = audit.snapshot(visit, VISIT_FIELDS)
    changes = {k: [None, v] for k, v in shown.items() if v not in ("", None, False)}
    with translation.override(settings.LANGUAGE_CODE):  # the log reads in the site language
        changes["kinds"] = [None, [str(VisitKind(k).label) for k in kinds]]
    changes["participants"] = [None, [m.name for m in participants]]
    if photo_names:
        changes["photos"] = [None, photo_names]
    audit.record(actor=actor, action="create", obj=visit, changes=changes, root=household)
    if profile_updates:
        try:
            registry_services.household_update(
                actor=actor,
                household=household,
                # the right to record this visit is the right to keep the family's 五清 current
                editable=Household.objects.filter(pk=household.pk),
                **{k: v.strip() for k, v in profile_updates.items()},
            )
        except ValidationError as exc:
            raise ValidationError(
                {f"profile_updates.{k}": v for k, v in exc.message_dict.items()}
            ) from None
    return visit


def visit_record(
    *,
    actor,
    pairing: Pairing,
    date: datetime.date,
    kinds: list[str],
    participants: list[Member],
    notes: str = "",
    cash_amount=0,
    in_kind_items: str = "",
    in_kind_value=0,
    support_kind: str = SupportKind.NONE,
    support_note: str = "",
    profile_updates: dict | None = None,
    photos=(),
) -> Visit:
    """Record a visit to a paired household, with the help given, the 五清 profile updates (they
    go through `household_update`, so they show on the household's timeline) and photos.

    Refused, naming the field, when the date is in the future (Asia/Shanghai), before the pairing
    started or after it ended; when a participant is not of the pairing's unit; when the member
    who held the pairing on that date is not among the participants (whoever records it: the
    committee or the unit administrator may record on the holder's behalf, the holder still went);
    and when a member records a visit on a date it did not hold the pairing."""
    with uploads.stored_files() as saved_files:
        return _visit_record(
            actor=actor,
            pairing=pairing,
            date=date,
            kinds=kinds,
            participants=participants,
            notes=notes,
            cash_amount=cash_amount,
            in_kind_items=in_kind_items,
            in_kind_value=in_kind_value,
            support_kind=support_kind,
            support_note=support_note,
            profile_updates=profile_updates,
            photos=photos,
            saved_files=saved_files,
        )


# ---------------------------------------------------------------------------------------------
# Organ–village partnerships (结对共建) and their projects
# ---------------------------------------------------------------------------------------------

PARTNERSHIP_FIELDS = ["unit_org", "village_org", "started_on", "note"]


@transaction.atomic
def partnership_create(
    *,
    actor,
    unit_org: PartyOrg,
    village_org: PartyOrg,
    started_on: datetime.date,
    note: str = "",
) -> Partnership:
    require(access.allows(actor, "partnership_admin"), COMMITTEE_ONLY)
    errors: dict[str, list[str]] = {}
    if unit_org.unit_id is None:
        errors["unit_org"] = [_("应选择机关单位的党组织")]
    if village_org.division_id is None:
        errors["village_org"] = [_("应选择村级党组织")]
    elif Partnership.objects.filter(
        unit_org=unit_org, village_org=village_org, ended_on__isnull=True
    ).exists():
        errors["village_org"] = [
            _("%(unit_org)s已与%(village_org)s结对共建")
            % {"unit_org": unit_org, "village_org": village_org}
        ]
    _not_future(errors, "started_on", started_on, "结对日期")
    merge_errors(errors)
    partnership = Partnership(
        unit_org=unit_org, village_org=village_org, started_on=started_on, note=note.strip()
    )
    try:
        with transaction.atomic():
            return save_with_audit(actor=actor, instance=partnership, fields=PARTNERSHIP_FIELDS)
    except IntegrityError:
        raise ValidationError({"village_org": [_("该结对共建已存在")]}) from None


@transaction.atomic
def partnership_end(
    *, actor, partnership: Partnership, ended_on: datetime.date, note: str = ""
) -> Partnership:
    require(access.allows(actor, "partnership_admin"), COMMITTEE_ONLY)
    partnership = lock_in_scope(
        Partnership.objects.editable_by(actor), partnership.pk, message=NOT_IN_SCOPE
    )
    errors: dict[str, list[str]] = {}
    if not PARTNERSHIP.can(partnership_state(partnership), "end"):
        errors["ended_on"] = [_("已于 %(ended_on)s 结束") % {"ended_on": partnership.ended_on}]
    elif ended_on < partnership.started_on:
        errors["ended_on"] = [
            _("不能早于结对日期 %(started_on)s") % {"started_on": partnership.started_on}
        ]
    _not_future(errors, "ended_on", ended_on, "结束日期")
    merge_errors(errors)
    fields = ["ended_on", "note"]
    before = audit.snapshot(partnership, fields)
    partnership.ended_on = ended_on
    if note.strip():
        partnership.note = note.strip()
    return save_with_audit(actor=actor, instance=partnership, fields=fields, before=before)


PROJECT_FIELDS = ["kind", "title", "funds", "status", "started_on", "finished_on", "note"]


def _apply_project(project: PartnershipProject, data: dict) -> None:
    unknown = set(data) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError({name: [_("不能修改此字段")] for name in unknown})
    for name, value in data.items():
        setattr(project, name, value.strip() if isinstance(value, str) else value)
    errors: dict[str, list[str]] = {}
    project.funds = uploads.money(errors, "funds", project.funds)
    if not (project.title or "").strip():
        errors["title"] = [_("请填写项目名称")]
    if project.status == ProjectStatus.DONE and project.finished_on is None:
        errors["finished_on"] = [_("已完成的项目请填写完成日期")]
    if project.status != ProjectStatus.DONE and project.finished_on is not None:
        errors["finished_on"] = [_("只有已完成的项目才有完成日期")]
    if project.started_on and project.finished_on and project.finished_on < project.started_on:
        errors["finished_on"] = [_("完成日期不能早于开始日期")]
    _not_future(errors, "finished_on", project.finished_on, "完成日期")
    merge_errors(errors)


@transaction.atomic
def project_create(*, actor, partnership: Partnership, **data) -> PartnershipProject:
    """A project of a partnership: the committee, or the unit administrator of the unit's side."""
    if not Partnership.objects.visible_to(actor).filter(pk=partnership.pk).exists():
        raise OutOfScope(NOT_IN_SCOPE)
    require(
        access.allows(actor, "project_create")
        and (access.allows(actor, "any_unit") or partnership.unit_org.unit_id == actor.unit_id),
        _("只有机关工委和本单位党务管理员可以登记共建项目"),
    )
    project = PartnershipProject(partnership=partnership)
    _apply_project(project, data)
    return save_with_audit(
        actor=actor, instance=project, fields=["partnership", *PROJECT_FIELDS], root=partnership
    )


@transaction.atomic
def project_update(*, actor, project: PartnershipProject, **data) -> PartnershipProject:
    project = lock_in_scope(
        PartnershipProject.objects.editable_by(actor), project.pk, message=NOT_IN_SCOPE
    )
    before = audit.snapshot(project, PROJECT_FIELDS)
    _apply_project(project, data)
    return save_with_audit(
        actor=actor,
        instance=project,
        fields=PROJECT_FIELDS,
        before=before,
        root=project.partnership,
    )


# ---------------------------------------------------------------------------------------------
# Compliance settings (the committee's)
# ---------------------------------------------------------------------------------------------

_LIMITS = {
    "quarterly_talk_minimum": (1, 12),
    "grace_days": (0, 91),
    "due_soon_days": (0, 92),
}
_MONTH_DAY_PAIRS = [
    ("new_year_window_start_month", "new_year_window_start_day"),
    ("new_year_window_end_month", "new_year_window_end_day"),
    ("july_window_start_month", "july_window_start_day"),
    ("july_window_end_month", "july_window_end_day"),
]


def _month_day(errors: dict, current: ComplianceSettings, month_field: str, day_field: str):
    month, day = getattr(current, month_field), getattr(current, day_field)
    if month is None and day is None:
        return None
    try:
        # a non-leap year: a window that only exists every fourth year is no window
        return datetime.date(2023, int(month), int(day))
    except (TypeError, ValueError):
        errors[day_field] = [
            _("%(month)s 月 %(day)s 日不是有效日期") % {"month": month, "day": day}
        ]
        return None


@transaction.atomic
def compliance_settings_update(*, actor, **data) -> ComplianceSettings:
    """Change the visit duties the compliance rules apply (committee only, audited)."""
    require(access.allows(actor, "settings_change"), _("只有机关工委可以修改走访考核设置"))
    current = selectors.compliance_settings()
    if current.pk:
        current = ComplianceSettings.objects.select_for_update().get(pk=current.pk)
    fields = selectors.COMPLIANCE_FIELDS
    before = audit.snapshot(current, fields)
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        if key not in fields:
            errors[key] = [_("不能修改此字段")]
            continue
        if key in _LIMITS:
            low, high = _LIMITS[key]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                errors[key] = [_("应为 %(low)s–%(high)s 之间的整数") % {"low": low, "high": high}]
                continue
        setattr(current, key, value)
    merge_errors(errors)
    dates = {pair: _month_day(errors, current, *pair) for pair in _MONTH_DAY_PAIRS}
    new_year_start, new_year_end, july_start, july_end = dates.values()
    if new_year_start is None and "new_year_window_start_day" not in errors:
        errors["new_year_window_start_day"] = [_("请填写开始月日")]
    if not current.new_year_window_ends_at_lantern:
        if new_year_end is None and "new_year_window_end_day" not in errors:
            errors["new_year_window_end_day"] = [_("不以正月十五结束时，请填写结束月日")]
        elif new_year_start and new_year_end and new_year_end < new_year_start:
            errors["new_year_window_end_day"] = [_("结束不能早于开始")]
    if july_start is None and "july_window_start_day" not in errors:
        errors["july_window_start_day"] = [_("请填写开始月日")]
    if july_end is None and "july_window_end_day" not in errors:
        errors["july_window_end_day"] = [_("请填写结束月日")]
    if july_start and july_end and july_end < july_start:
        errors["july_window_end_day"] = [_("结束不能早于开始")]
    merge_errors(errors)
    if current.pk is None:
        return save_with_audit(actor=actor, instance=current, fields=fields)
    return save_with_audit(actor=actor, instance=current, fields=fields, before=before)
