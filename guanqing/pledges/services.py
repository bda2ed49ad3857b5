"""Writes of the ten annual pledges: the committee's editor (a pledge, its milestones, publishing
and closing it, the year-end rating), a lead unit's monthly report with its evidence and its
self-assessment, marking a milestone done, and the daily reminder of milestones falling due.

Each service is one transaction: the role is checked against the access table, the row locked
within the actor's scope (outside it: 404), the lifecycle table (`rules.PLEDGE`) decides the move
— a move it refuses raises `Conflict` (409) and changes nothing — then the values are checked
(errors under the service's parameter names) and the row saved with its audit record. The files
of a refused report are deleted again (`stored_files`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from guanqing.core import audit, text
from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.notifications.services import notification_send
from guanqing.core.roles import Role
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import merge_errors, save_with_audit
from guanqing.core.uploads import (
    PHOTO_MAX_BYTES,
    PHOTO_MAX_COUNT,
    sniff_image,
    sniff_pdf,
    store_photos,
    stored_files,
)
from guanqing.pledges import metrics, rules, selectors
from guanqing.pledges.access import access
from guanqing.pledges.choices import PledgeState, Rating, TargetKind
from guanqing.pledges.models import (
    NOTE_MAX,
    NUMBER_MAX,
    NUMBER_MIN,
    TARGET_MAX,
    TITLE_MAX,
    UNIT_MAX,
    YEAR_MAX,
    YEAR_MIN,
    Milestone,
    Pledge,
    ProgressReport,
    ReportAttachment,
)
from guanqing.registry.models import Unit

SYSTEM = "system"  # the daily job's name in the audit log
LONG = text.LONG_TEXT_MAX
PLEDGE_FIELDS = [
    "year",
    "number",
    "title",
    "promise",
    "target_kind",
    "metric",
    "target_value",
    "target_unit",
]
MILESTONE_FIELDS = ["pledge", "title", "due_on"]
REPORT_FIELDS = ["pledge", "unit", "month", "value", "text", "submitted_by"]


def _pk(value):
    return getattr(value, "pk", value)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_date(value) -> bool:
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def _text(errors: dict, field: str, value, message=None, *, max_length=None) -> str:
    value = text.strip_edges(value if isinstance(value, str) else "")
    if message is not None and not text.has_visible(value):
        errors.setdefault(field, []).append(message)
    elif max_length is not None and len(value) > max_length:
        errors.setdefault(field, []).append(
            _("最多 %(max)d 个字（当前 %(n)d 个）") % {"max": max_length, "n": len(value)}
        )
    return value


def _check_move(pledge: Pledge, action: str) -> None:
    """The lifecycle table's refusal as a Conflict (409), with the table's message."""
    try:
        rules.PLEDGE.check(pledge.state, action, field="state")
    except ValidationError as exc:
        raise Conflict(exc.message_dict["state"][0]) from None


def _link(pledge) -> str:
    return reverse("pledges:detail", args=[_pk(pledge)])


def _unit_admin_ids(unit_ids) -> list[int]:
    return list(
        get_user_model()
        .objects.filter(unit_id__in=list(unit_ids), role=Role.UNIT_ADMIN, is_active=True)
        .values_list("pk", flat=True)
    )


# --- the committee's editor --------------------------------------------------------------------


def pledge_save(
    *,
    actor,
    pledge=None,
    year,
    number,
    title,
    promise,
    lead_units,
    target_value,
    target_kind=TargetKind.MANUAL,
    metric="",
    target_unit="",
) -> Pledge:
    """Add one of the year's ten pledges, or change one (a draft or a published one)."""
    access.check(actor, "manage")
    with transaction.atomic():
        if pledge is None:
            row, before, old_units = Pledge(), None, []
        else:
            row = lock_in_scope(Pledge.objects.editable_by(actor), _pk(pledge))
            _check_move(row, "edit")
            before = audit.snapshot(row, PLEDGE_FIELDS)
            old_units = sorted(row.lead_units.values_list("pk", flat=True))
        errors: dict[str, list[str]] = {}
        if not _is_int(year) or not YEAR_MIN <= year <= YEAR_MAX:
            errors["year"] = [
                _("年度应在 %(min)d 到 %(max)d 之间") % {"min": YEAR_MIN, "max": YEAR_MAX}
            ]
        if not _is_int(number) or not NUMBER_MIN <= number <= NUMBER_MAX:
            errors["number"] = [_("序号应在 1 到 10 之间")]
        elif (
            "year" not in errors
            and Pledge.objects.filter(year=year, number=number).exclude(pk=row.pk).exists()
        ):
            errors["number"] = [
                _("%(year)s 年已有第 %(number)s 件实事") % {"year": year, "number": number}
            ]
        title = _text(errors, "title", title, _("请填写实事名称"), max_length=TITLE_MAX)
        promise = _text(
            errors, "promise", promise, _("请填写承诺内容"), max_length=text.LONG_TEXT_MAX
        )
        unit_ids = sorted({_pk(u) for u in (lead_units or [])})
        units = list(Unit.objects.filter(pk__in=unit_ids))
        if not unit_ids:
            errors["lead_units"] = [_("请选择至少一个牵头单位")]
        elif len(units) != len(unit_ids):
            errors["lead_units"] = [_("所选单位不存在")]
        if target_kind not in TargetKind.values:
            errors["target_kind"] = [_("请选择目标类型")]
        if not _is_int(target_value) or not 1 <= target_value <= TARGET_MAX:
            errors["target_value"] = [_("目标值应为 1 到 10000000 之间的整数")]
        target_unit = _text(errors, "target_unit", target_unit, max_length=UNIT_MAX)
        metric = metric if isinstance(metric, str) else ""
        if target_kind == TargetKind.LIVE:
            found = metrics.get(metric)
            if found is None:
                errors["metric"] = [_("请选择实时指标")]
            else:
                target_unit = str(found.unit)
        else:
            metric = ""
            if target_kind == TargetKind.MANUAL and not text.has_visible(target_unit):
                errors["target_unit"] = [_("请填写计量单位，如场、人次、户")]
        merge_errors(errors)
        values = {
            "year": year,
            "number": number,
            "title": title,
            "promise": promise,
            "target_kind": target_kind,
            "metric": metric,
            "target_value": target_value,
            "target_unit": target_unit,
        }
        for name, value in values.items():
            setattr(row, name, value)
        extra = {} if unit_ids == old_units else {"lead_units": [old_units or None, unit_ids]}
        save_with_audit(
            actor=actor, instance=row, fields=PLEDGE_FIELDS, before=before, extra_changes=extra
        )
        row.lead_units.set(units)
        return row


def pledge_move(*, actor, pledge, action: str) -> Pledge:
    """公布 (publish) a draft, 结项 (close) a published pledge."""
    access.check(actor, "manage")
    if action not in ("publish", "close"):
        raise ValidationError({"action": [_("未知操作")]})
    with transaction.atomic():
        row = lock_in_scope(Pledge.objects.editable_by(actor), _pk(pledge))
        _check_move(row, action)
        fields = ["state", "published_on" if action == "publish" else "closed_on"]
        before = audit.snapshot(row, fields)
        row.state = rules.PLEDGE.target(row.state, action)
        setattr(row, fields[1], business_date())
        return save_with_audit(actor=actor, instance=row, fields=fields, before=before)


def pledge_rate(*, actor, pledge, rating, note="", publish=False) -> Pledge:
    """The committee's year-end rating of a closed pledge; `publish` shows it on the public page."""
    access.check(actor, "manage")
    with transaction.atomic():
        row = lock_in_scope(Pledge.objects.editable_by(actor), _pk(pledge))
        _check_move(row, "rate")
        errors: dict[str, list[str]] = {}
        if rating not in Rating.values:
            errors["rating"] = [_("请选择评定等次")]
        note = _text(errors, "note", note, max_length=NOTE_MAX)
        if not isinstance(publish, bool):
            errors["publish"] = [_("应为是或否")]
        merge_errors(errors)
        fields = ["rating", "rating_note", "rating_published"]
        before = audit.snapshot(row, fields)
        row.rating, row.rating_note, row.rating_published = rating, note, publish
        return save_with_audit(actor=actor, instance=row, fields=fields, before=before)


def milestone_add(*, actor, pledge, title, due_on) -> Milestone:
    access.check(actor, "manage")
    with transaction.atomic():
        row = lock_in_scope(Pledge.objects.editable_by(actor), _pk(pledge))
        _check_move(row, "edit")
        errors: dict[str, list[str]] = {}
        title = _text(errors, "title", title, _("请填写节点名称"), max_length=TITLE_MAX)
        if not _is_date(due_on):
            errors["due_on"] = [_("请填写计划完成日期")]
        elif due_on.year != row.year:
            errors["due_on"] = [_("计划完成日期应在 %(year)s 年内") % {"year": row.year}]
        merge_errors(errors)
        milestone = Milestone(pledge=row, title=title, due_on=due_on)
        return save_with_audit(actor=actor, instance=milestone, fields=MILESTONE_FIELDS, root=row)


def milestone_done(*, actor, milestone, evidence_note, done_on=None) -> Milestone:
    """A milestone done, on a day up to today, with what shows it (by the committee or a lead
    unit's administrator)."""
    if not (access.allows(actor, "manage") or access.allows(actor, "lead")):
        access.check(actor, "manage")
    with transaction.atomic():
        row = lock_in_scope(
            Milestone.objects.editable_by(actor).select_related("pledge"), _pk(milestone)
        )
        if row.pledge.state != PledgeState.PUBLISHED:
            raise Conflict(_("只有已公布的实事可以登记节点完成情况"))
        if row.done_on is not None:
            raise Conflict(_("该节点已登记完成"))
        errors: dict[str, list[str]] = {}
        today = business_date()
        done_on = today if done_on is None else done_on
        if not _is_date(done_on):
            errors["done_on"] = [_("日期格式应为 YYYY-MM-DD")]
        elif done_on > today:
            errors["done_on"] = [_("完成日期不能晚于今天")]
        evidence_note = _text(
            errors, "evidence_note", evidence_note, _("请填写完成情况"), max_length=NOTE_MAX
        )
        merge_errors(errors)
        fields = ["done_on", "evidence_note"]
        before = audit.snapshot(row, fields)
        row.done_on, row.evidence_note = done_on, evidence_note
        return save_with_audit(
            actor=actor, instance=row, fields=fields, before=before, root=row.pledge
        )


# --- a lead unit's report and self-assessment --------------------------------------------------


def check_files(errors: dict, files) -> list:
    """[(file, content type, extension)] for the acceptable evidence files (JPEG, PNG, WebP or
    PDF, typed from their first bytes); the others get an error under `files[i]`."""
    checked = []
    if len(files) > PHOTO_MAX_COUNT:
        errors["files"] = [_("最多 %(n)s 个文件") % {"n": PHOTO_MAX_COUNT}]
        return checked
    for index, upload in enumerate(files):
        field = f"files[{index}]"
        name = getattr(upload, "name", "") or ""
        if upload.size > PHOTO_MAX_BYTES:
            errors[field] = [_("文件“%(name)s”超过 5 MB") % {"name": name}]
            continue
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        kind = sniff_image(head) or sniff_pdf(head)
        if kind is None:
            errors[field] = [_("“%(name)s”不是图片（JPEG、PNG、WebP）或 PDF") % {"name": name}]
            continue
        checked.append((upload, *kind))
    return checked


def report_save(*, actor, pledge, month, text: str, value=None, files=()) -> ProgressReport:
    """The actor's unit's report of `month` (its first day) for a pledge it leads: written, or
    changed until the month ends; new evidence files are added to it."""
    access.check(actor, "lead")
    with stored_files() as saved, transaction.atomic():
        row = lock_in_scope(Pledge.objects.editable_by(actor), _pk(pledge))
        _check_move(row, "report")
        errors: dict[str, list[str]] = {}
        today = business_date()
        if not _is_date(month):
            errors["month"] = [_("请选择月份")]
        elif not rules.report_open(rules.month_start(month), row.year, today):
            errors["month"] = [_("只能报送或修改本年度当月的进展（月底前）")]
        else:
            month = rules.month_start(month)
        body = _text(errors, "text", text, _("请填写进展情况"), max_length=LONG)
        if row.target_kind == TargetKind.MANUAL:
            if not _is_int(value) or not 0 <= value <= TARGET_MAX:
                errors["value"] = [_("请填写本月完成量（%(unit)s）") % {"unit": row.target_unit}]
        else:
            value = None  # a live target is counted by the system
        checked = check_files(errors, list(files or ()))
        merge_errors(errors)
        report = (
            ProgressReport.objects.select_for_update()
            .filter(pledge=row, unit_id=actor.unit_id, month=month)
            .first()
        )
        before = None
        if report is None:
            report = ProgressReport(pledge=row, unit_id=actor.unit_id, month=month)
        else:
            before = audit.snapshot(report, REPORT_FIELDS)
        report.value, report.text, report.submitted_by = value, body, actor
        save_with_audit(actor=actor, instance=report, fields=REPORT_FIELDS, before=before, root=row)
        store_photos(ReportAttachment, checked, saved, report=report)
        return report


def pledge_assess(*, actor, pledge, self_assessment: str) -> Pledge:
    """The lead unit's self-assessment at year end (changeable until the rating is published)."""
    access.check(actor, "lead")
    with transaction.atomic():
        row = lock_in_scope(Pledge.objects.editable_by(actor), _pk(pledge))
        _check_move(row, "assess")
        if row.rating_published:
            raise Conflict(_("评定已公开，不能再修改自评"))
        errors: dict[str, list[str]] = {}
        body = _text(errors, "self_assessment", self_assessment, _("请填写自评"), max_length=LONG)
        merge_errors(errors)
        fields = ["self_assessment", "assessed_on"]
        before = audit.snapshot(row, fields)
        row.self_assessment, row.assessed_on = body, business_date()
        return save_with_audit(actor=actor, instance=row, fields=fields, before=before)


# --- the daily job -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PledgesDailyResult:
    reminded: int = 0


def describe_pledges_daily(result: PledgesDailyResult) -> str:
    return _("实事节点临近提醒 %(n)s 个") % {"n": result.reminded}


def _remind_one(pk: int, today: datetime.date, horizon: datetime.date) -> bool:
    with transaction.atomic():
        row = lock_in_scope(Milestone.objects.select_related("pledge"), pk)
        if row.done_on is not None or row.reminded_on is not None:
            return False
        if row.pledge.state != PledgeState.PUBLISHED or not today <= row.due_on <= horizon:
            return False
        before = audit.snapshot(row, ["reminded_on"])
        row.reminded_on = today
        save_with_audit(
            actor=None,
            instance=row,
            fields=["reminded_on"],
            before=before,
            root=row.pledge,
            actor_name=SYSTEM,
        )
        units = row.pledge.lead_units.values_list("pk", flat=True)
        notification_send(
            recipients=_unit_admin_ids(units),
            kind="pledge_milestone_due",
            text=_("实事“%(title)s”的节点“%(step)s”将于 %(due)s 到期，请抓紧推进。")
            % {"title": row.pledge.title, "step": row.title, "due": row.due_on},
            link=_link(row.pledge_id),
            dedupe_key=f"pledges:milestone:{row.pk}:due",
        )
        return True


def pledges_daily(today: datetime.date) -> PledgesDailyResult:
    """The daily job: each milestone of a published pledge, not done and falling due within the
    at-risk horizon, is reminded to the lead units' administrators once."""
    horizon = selectors.horizon(today)
    candidates = list(
        Milestone.objects.open()
        .filter(
            reminded_on__isnull=True,
            pledge__state=PledgeState.PUBLISHED,
            due_on__gte=today,
            due_on__lte=horizon,
        )
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)
    )
    return PledgesDailyResult(reminded=sum(_remind_one(pk, today, horizon) for pk in candidates))
