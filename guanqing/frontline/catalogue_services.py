"""The committee's catalogue of problems (难题类别, with their Open311 attributes), the 派单目录
(category → default unit, per district) and the settings (working-day limits). Each write is
one transaction, checked (errors under the parameter names) and audited."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanqing.core import audit, text
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import merge_errors, save_with_audit
from guanqing.frontline.access import access
from guanqing.frontline.choices import Urgency
from guanqing.frontline.models import DispatchRule, FrontlineSettings, ProblemCategory
from guanqing.frontline.services import strings_in
from guanqing.registry.choices import DivisionLevel
from guanqing.registry.models import Division, Unit

CATEGORY_FIELDS = [
    "code",
    "name",
    "group",
    "urgency",
    "description",
    "keywords",
    "attributes",
    "sort_order",
    "is_active",
]
RULE_FIELDS = ["category", "district", "unit"]
SETTINGS_FIELDS = [
    "emergency_workdays",
    "enquiry_workdays",
    "complaint_workdays",
    "problem_workdays",
    "notice_after_workdays",
    "max_extension_workdays",
    "instructor_days_per_month",
]
ATTRIBUTES_MAX = 20_000  # the characters of a category's attribute definitions
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


def _clean_attributes(errors: dict, attributes) -> list:
    """GeoReport v2 attributes: a list of {code, datatype, required, description, order,
    values?}; codes unique; the list types with their values."""
    if attributes in (None, ""):
        return []
    if not isinstance(attributes, list):
        errors["attributes"] = [_("附加信息应为列表")]
        return []
    if any(text.control_message(value) for value in strings_in(attributes)):
        errors["attributes"] = [text.CONTROL_MESSAGE]
        return []
    if len(json.dumps(attributes, ensure_ascii=False)) > ATTRIBUTES_MAX:
        errors["attributes"] = [_("附加信息最多 %(max)d 个字") % {"max": ATTRIBUTES_MAX}]
        return []
    seen = set()
    problems = []
    for n, item in enumerate(attributes, start=1):
        if not isinstance(item, dict):
            problems.append(_("第 %(n)d 项应为对象") % {"n": n})
            continue
        code = str(item.get("code") or "").strip()
        if not code:
            problems.append(_("第 %(n)d 项缺少 code") % {"n": n})
        elif code in seen:
            problems.append(_("第 %(n)d 项的 code 重复：%(code)s") % {"n": n, "code": code})
        seen.add(code)
        datatype = item.get("datatype", "string")
        if datatype not in DATATYPES:
            problems.append(
                _("第 %(n)d 项的 datatype 应为 %(types)s 之一")
                % {"n": n, "types": "、".join(sorted(DATATYPES))}
            )
        if not str(item.get("description") or "").strip():
            problems.append(_("第 %(n)d 项缺少 description") % {"n": n})
        if datatype in ("singlevaluelist", "multivaluelist"):
            values = item.get("values")
            if not isinstance(values, list) or not values:
                problems.append(_("第 %(n)d 项须列出 values") % {"n": n})
    if problems:
        errors["attributes"] = problems
    return attributes


@transaction.atomic
def category_save(
    *,
    actor,
    category=None,
    code,
    name,
    urgency,
    group="",
    description="",
    keywords="",
    attributes=None,
    sort_order=0,
    is_active=True,
) -> ProblemCategory:
    """Add a category (`category` None) or change one."""
    access.check(actor, "catalogue_edit")
    if category is not None:
        row = lock_in_scope(
            ProblemCategory.objects.editable_by(actor), getattr(category, "pk", category)
        )
    else:
        row = ProblemCategory()
    errors: dict[str, list[str]] = {}
    code = text.strip_edges(code if isinstance(code, str) else "")
    if not code:
        errors["code"] = [_("请填写编码")]
    elif ProblemCategory.objects.filter(code=code).exclude(pk=row.pk).exists():
        errors["code"] = [_("编码 %(code)s 已被其他类别使用") % {"code": code}]
    name = text.strip_edges(name if isinstance(name, str) else "")
    if not name:
        errors["name"] = [_("请填写名称")]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("请选择紧急程度")]
    attributes = _clean_attributes(errors, attributes)
    if isinstance(sort_order, bool) or not isinstance(sort_order, int) or sort_order < 0:
        errors["sort_order"] = [_("排序应为 0 或正整数")]
    merge_errors(errors)
    before = audit.snapshot(row, CATEGORY_FIELDS) if row.pk else None
    row.code = code
    row.name = name
    row.urgency = urgency
    row.group = text.strip_edges(group or "")
    row.description = text.strip_edges(description or "")
    row.keywords = text.strip_edges(keywords or "")
    row.attributes = attributes
    row.sort_order = sort_order
    row.is_active = bool(is_active)
    save_with_audit(actor=actor, instance=row, fields=CATEGORY_FIELDS, before=before)
    return row


@transaction.atomic
def dispatch_rule_save(*, actor, category, unit, district=None) -> DispatchRule:
    """The 派单目录's unit for `category` in `district` (None: anywhere else); set or changed."""
    access.check(actor, "catalogue_edit")
    errors: dict[str, list[str]] = {}
    category_row = ProblemCategory.objects.filter(pk=getattr(category, "pk", category)).first()
    if category_row is None:
        errors["category"] = [_("请选择难题类别")]
    unit_row = Unit.objects.filter(pk=getattr(unit, "pk", unit), is_active=True).first()
    if unit_row is None:
        errors["unit"] = [_("请选择在用的承办单位")]
    district_row = None
    if district not in (None, ""):
        district_row = Division.objects.filter(
            pk=getattr(district, "pk", district), level=DivisionLevel.DISTRICT
        ).first()
        if district_row is None:
            errors["district"] = [_("请选择区县（市）")]
    merge_errors(errors)
    rule = (
        DispatchRule.objects.select_for_update()
        .filter(category=category_row, district=district_row)
        .first()
    )
    before = audit.snapshot(rule, RULE_FIELDS) if rule else None
    if rule is None:
        rule = DispatchRule(category=category_row, district=district_row)
    rule.unit = unit_row
    try:
        save_with_audit(
            actor=actor, instance=rule, fields=RULE_FIELDS, before=before, root=category_row
        )
    except ValidationError as exc:
        raise ValidationError({"district": exc.messages}) from None
    return rule


@transaction.atomic
def dispatch_rule_delete(*, actor, rule) -> None:
    access.check(actor, "catalogue_edit")
    row = lock_in_scope(DispatchRule.objects.editable_by(actor), getattr(rule, "pk", rule))
    before = audit.snapshot(row, RULE_FIELDS)
    audit.record(
        actor=actor,
        action="delete",
        obj=row,
        root=row.category,
        changes={name: [value, None] for name, value in before.items()},
    )
    row.delete()


@transaction.atomic
def settings_save(*, actor, **values) -> FrontlineSettings:
    """The committee's settings (one row): limits by urgency, 通报, extension, instructors."""
    access.check(actor, "settings")
    row = FrontlineSettings.objects.select_for_update().order_by("pk").first()
    if row is None:
        row = FrontlineSettings()
    errors: dict[str, list[str]] = {}
    unknown = set(values) - set(SETTINGS_FIELDS)
    for name in sorted(unknown):
        errors[name] = [_("没有这项设置")]
    for name, value in values.items():
        if name in unknown:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 365:
            errors[name] = [_("应为 0 至 365 的整数")]
    if "notice_after_workdays" in values and values["notice_after_workdays"] == 0:
        errors["notice_after_workdays"] = [_("至少超期 1 个工作日才通报")]
    merge_errors(errors)
    before = audit.snapshot(row, SETTINGS_FIELDS) if row.pk else None
    for name, value in values.items():
        setattr(row, name, value)
    save_with_audit(actor=actor, instance=row, fields=SETTINGS_FIELDS, before=before)
    return row
