"""Writes to the "六零" checklist: the committee's items (`zero_items`) and a window's monthly
self-check (`zero_check`: the window's clerks and its unit's administrator). Each service is one
transaction: the access table, the scope, validation under field names, `save_with_audit`.

A self-check is one row per window, month and item; saving a month again updates its rows. The
system's evidence (`zero_selectors.evidence_for`) decides over the tick: an item whose measure
counts anything that month cannot be ticked "met".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanqing.core import audit, text
from guanqing.core.calendar.workdays import business_date
from guanqing.core.errors import Conflict
from guanqing.core.ids import parse_id
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import merge_errors, save_with_audit
from guanqing.window import zero_selectors as selectors
from guanqing.window.access import access
from guanqing.window.choices import ZeroMeasure
from guanqing.window.models import Window, ZeroCheck, ZeroItem

ITEM_FIELDS = ("name", "description", "measure", "sort_order", "is_active")
CHECK_FIELDS = ("window", "month", "item", "met", "note", "checked_by")
NAME_MAX = ZeroItem._meta.get_field("name").max_length
DESCRIPTION_MAX = ZeroItem._meta.get_field("description").max_length
NOTE_MAX = ZeroCheck._meta.get_field("note").max_length
SORT_MAX = 32767
MONTH_FORMAT = gettext_lazy("月份格式应为 YYYY-MM，如 2026-05")
FUTURE_MONTH = gettext_lazy("不能填写以后月份的自查")


# ---------------------------------------------------------------------------------------------
# The committee's items
# ---------------------------------------------------------------------------------------------


def _item_errors(item: ZeroItem) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not isinstance(item.name, str) or not text.has_visible(item.name):
        errors["name"] = [_("请填写承诺项名称")]
    elif len(item.name) > NAME_MAX:
        errors["name"] = [_("名称最多 %(limit)d 个字") % {"limit": NAME_MAX}]
    elif ZeroItem.objects.filter(name=item.name).exclude(pk=item.pk).exists():
        errors["name"] = [_("已有名为“%(name)s”的承诺项") % {"name": item.name}]
    if not isinstance(item.description, str) or len(item.description) > DESCRIPTION_MAX:
        errors["description"] = [_("要求最多 %(limit)d 个字") % {"limit": DESCRIPTION_MAX}]
    if item.measure not in ZeroMeasure.values:
        errors["measure"] = [_("请从列表中选择系统核对方式")]
    if (
        isinstance(item.sort_order, bool)
        or not isinstance(item.sort_order, int)
        or not 0 <= item.sort_order <= SORT_MAX
    ):
        errors["sort_order"] = [_("排序应为 0 至 %(max)d 的整数") % {"max": SORT_MAX}]
    if not isinstance(item.is_active, bool):
        errors["is_active"] = [_("请选择是否在用")]
    return errors


def _clean_text(value):
    return text.strip_edges(value) if isinstance(value, str) else value


def zero_item_create(
    *,
    actor,
    name: str,
    description: str = "",
    measure: str = ZeroMeasure.NONE,
    sort_order: int | None = None,
    is_active: bool = True,
) -> ZeroItem:
    """A new item, placed last unless `sort_order` says otherwise."""
    access.check(actor, "zero_items")
    with transaction.atomic():
        if sort_order is None:
            last = ZeroItem.objects.aggregate(last=Max("sort_order"))["last"]
            sort_order = 0 if last is None else min(last + 1, SORT_MAX)
        item = ZeroItem(
            name=_clean_text(name),
            description=_clean_text(description if description is not None else ""),
            measure=measure if measure is not None else ZeroMeasure.NONE,
            sort_order=sort_order,
            is_active=is_active,
        )
        merge_errors(_item_errors(item))
        return save_with_audit(actor=actor, instance=item, fields=ITEM_FIELDS)


def zero_item_update(*, actor, item: ZeroItem, **changes) -> ZeroItem:
    """Rename, describe, reorder, set the measure, deactivate or reactivate an item."""
    access.check(actor, "zero_items")
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"zero_item_update() got unexpected fields {sorted(unknown)}")
    with transaction.atomic():
        item = lock_in_scope(ZeroItem.objects.all(), item.pk)
        before = audit.snapshot(item, ITEM_FIELDS)
        for name, value in changes.items():
            if name in ("name", "description"):
                value = _clean_text(value if value is not None else "")
            if name == "measure" and value is None:
                value = ZeroMeasure.NONE
            setattr(item, name, value)
        merge_errors(_item_errors(item))
        return save_with_audit(actor=actor, instance=item, fields=ITEM_FIELDS, before=before)


def zero_item_move(*, actor, item: ZeroItem, offset: int) -> ZeroItem:
    """Move an item up (offset −1) or down (+1) the list: the list is renumbered 0, 1, 2… and the
    item swapped with its neighbour (each change audited)."""
    access.check(actor, "zero_items")
    with transaction.atomic():
        rows = list(ZeroItem.objects.select_for_update().order_by("sort_order", "id"))
        index = next((i for i, row in enumerate(rows) if row.pk == item.pk), None)
        if index is None:
            raise ValidationError({"item": [_("承诺项不存在")]})
        target = index + (1 if offset > 0 else -1)
        if 0 <= target < len(rows):
            rows[index], rows[target] = rows[target], rows[index]
        for position, row in enumerate(rows):
            if row.sort_order != position:
                before = audit.snapshot(row, ITEM_FIELDS)
                row.sort_order = position
                save_with_audit(actor=actor, instance=row, fields=ITEM_FIELDS, before=before)
        return next(row for row in rows if row.pk == item.pk)


def zero_item_delete(*, actor, item: ZeroItem) -> None:
    """Delete an item added by mistake; one that any window has checked is only deactivated."""
    access.check(actor, "zero_items")
    with transaction.atomic():
        item = lock_in_scope(ZeroItem.objects.all(), item.pk)
        if ZeroCheck.objects.filter(item=item).exists():
            raise Conflict(_("该承诺项已有自查记录，不能删除，可以停用"))
        audit.record(
            actor=actor,
            action="delete",
            obj=item,
            changes={
                name: [value, None] for name, value in audit.snapshot(item, ITEM_FIELDS).items()
            },
        )
        item.delete()


# ---------------------------------------------------------------------------------------------
# A window's monthly self-check
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZeroAnswer:
    """One item of a month's self-check: met or not, with a note (required when not met)."""

    item: int | ZeroItem
    met: bool
    note: str = ""


def _answer(value) -> ZeroAnswer:
    if isinstance(value, ZeroAnswer):
        return value
    if isinstance(value, Mapping):
        return ZeroAnswer(
            item=value.get("item"), met=value.get("met"), note=value.get("note") or ""
        )
    raise TypeError(f"an answer is a ZeroAnswer or a mapping, not {type(value).__name__}")


def _item_id(value) -> int | None:
    if isinstance(value, ZeroItem):
        return value.pk
    if isinstance(value, bool):
        return None
    return parse_id(value)


def evidence_message(item: ZeroItem, count: int) -> str:
    """Why `item` cannot be ticked "met" this month."""
    values = {"count": count, "item": item.name}
    if item.measure == ZeroMeasure.OVERDUE:
        return _("本月有 %(count)d 件逾期办件，不能勾选“%(item)s”") % values
    if item.measure == ZeroMeasure.LATE:
        return _("本月有 %(count)d 件超期办结的办件，不能勾选“%(item)s”") % values
    return _("本月有 %(count)d 条差评，不能勾选“%(item)s”") % values


def check_month(month, today: datetime.date) -> datetime.date:
    """The month (its first day) a self-check may be for: this month or any month before it."""
    if isinstance(month, str):
        parsed = selectors.parse_month(month)
        if parsed is None:
            raise ValidationError({"month": [str(MONTH_FORMAT)]})
        month = parsed
    if not isinstance(month, datetime.date) or isinstance(month, datetime.datetime):
        raise ValidationError({"month": [str(MONTH_FORMAT)]})
    month = selectors.month_of(month)
    if month.year < selectors.FIRST_YEAR:
        raise ValidationError({"month": [str(MONTH_FORMAT)]})
    if month > selectors.month_of(today):
        raise ValidationError({"month": [str(FUTURE_MONTH)]})
    return month


def zero_check_save(*, actor, window: Window, month, answers: Iterable) -> list[ZeroCheck]:
    """Save a window's self-check for `month` (this month or an earlier one): every active item
    met or not, a note where not met. An item whose measure counts anything that month cannot be
    met (the error names the item's field `item_<id>`; a note's is `note_<id>`). Saving again
    updates the month's rows; each change is audited under the window."""
    access.check(actor, "zero_check")
    today = business_date()
    with transaction.atomic():
        window = lock_in_scope(Window.objects.visible_to(actor), window.pk)
        month = check_month(month, today)
        answers = [_answer(value) for value in answers]
        items = {item.pk: item for item in ZeroItem.objects.all()}
        active = [item for item in items.values() if item.is_active]
        errors: dict[str, list[str]] = {}
        given: dict[int, ZeroAnswer] = {}
        for answer in answers:
            item_id = _item_id(answer.item)
            if item_id is None or item_id not in items:
                errors.setdefault("items", []).append(
                    _("承诺项 %(item)s 不存在") % {"item": answer.item}
                )
                continue
            key = f"item_{item_id}"
            if item_id in given:
                errors.setdefault(key, []).append(_("同一承诺项只能填写一次"))
                continue
            given[item_id] = answer
            if not items[item_id].is_active:
                errors.setdefault(key, []).append(
                    _("“%(item)s”已停用，不再自查") % {"item": items[item_id].name}
                )
            if not isinstance(answer.met, bool):
                errors.setdefault(key, []).append(_("请选择做到或未做到"))
            note = answer.note
            note_key = f"note_{item_id}"
            if not isinstance(note, str):
                errors[note_key] = [_("说明应为文字")]
                continue
            message = text.control_message(note)
            if message is not None:
                errors[note_key] = [str(message)]
            elif len(note) > NOTE_MAX:
                errors[note_key] = [_("说明最多 %(limit)d 个字") % {"limit": NOTE_MAX}]
            elif answer.met is False and not text.has_visible(note):
                errors[note_key] = [_("未做到的请写明原因和整改措施")]
        for item in active:
            if item.pk not in given:
                errors.setdefault(f"item_{item.pk}", []).append(_("请选择做到或未做到"))
        measured = {
            items[item_id].measure
            for item_id, answer in given.items()
            if answer.met is True and items[item_id].measure
        }
        if measured:
            evidence = selectors.evidence_for(window.pk, month, today=today, measures=measured)
            for item_id, answer in given.items():
                item = items[item_id]
                found = evidence.get(item.measure)
                if answer.met is True and found is not None and found.count:
                    errors.setdefault(f"item_{item_id}", []).append(
                        evidence_message(item, found.count)
                    )
        merge_errors(errors)
        existing = {
            row.item_id: row
            for row in ZeroCheck.objects.select_for_update().filter(window=window, month=month)
        }
        saved = []
        for item_id, answer in given.items():
            note = text.strip_edges(answer.note)
            row = existing.get(item_id)
            if row is None:
                row = ZeroCheck(
                    window=window,
                    month=month,
                    item=items[item_id],
                    met=answer.met,
                    note=note,
                    checked_by=actor,
                )
                saved.append(
                    save_with_audit(actor=actor, instance=row, fields=CHECK_FIELDS, root=window)
                )
                continue
            if row.met == answer.met and row.note == note:
                saved.append(row)
                continue
            before = audit.snapshot(row, CHECK_FIELDS)
            row.met, row.note, row.checked_by = answer.met, note, actor
            saved.append(
                save_with_audit(
                    actor=actor, instance=row, fields=CHECK_FIELDS, before=before, root=window
                )
            )
        return saved
