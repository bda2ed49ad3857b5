"""How an audit event reads to a person: one table of labels for the audit page, its Excel export
and the household timeline.

An event's `changes` hold model fields ({"address": [old, new]}) and a few keys that are not model
fields: `id_number` (stored encrypted, logged as 已隐藏), the summary of an import or export, the
totals of the demo data. Its `message` is sometimes a code ("id_number" for a reveal). Labels are
lazy, so they follow the page language; the stored events never change.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

# Keys that are not fields of the event's model.
PSEUDO_FIELDS = {
    "id_number": gettext_lazy("身份证号码"),
    # an import (registry.imports) or an export (registry.views_excel)
    "file": gettext_lazy("文件"),
    "kind": gettext_lazy("导入内容"),
    "rows": gettext_lazy("行数"),
    "created": gettext_lazy("新增"),
    "updated": gettext_lazy("更新"),
    "unchanged": gettext_lazy("未变化"),
    # the demo data's totals (registry.demo)
    "divisions": gettext_lazy("行政区划"),
    "units": pgettext_lazy("import kind", "单位"),
    "party_orgs": gettext_lazy("党组织"),
    "members": pgettext_lazy("import kind", "党员"),
    "households": gettext_lazy("困难家庭"),
    "people": gettext_lazy("家庭成员"),
    "accounts": gettext_lazy("账号"),
    # unlocking an account (accounts.services)
    "failures_since_start": gettext_lazy("连续登录失败次数"),
    # a visit (pairing.services): what it did, as one list
    "kinds": gettext_lazy("走访内容"),
    # a wish's one-time confirmation code (wishes.services), logged as 已隐藏
    "confirm_code": gettext_lazy("居民确认码"),
    # a year of the official calendar entered (core.calendar_services)
    "holidays": gettext_lazy("放假天数"),
    "makeup_workdays": gettext_lazy("调休上班天数"),
    # the second factor (accounts.twofactor)
    "second_factor": gettext_lazy("两步验证"),
    "recovery_codes": gettext_lazy("可用恢复码"),
}
# The same key means something else for one action.
ACTION_FIELDS = {"export": {"kind": gettext_lazy("导出内容")}}
# Values stored as codes.
VALUES = {
    "kind": {
        "units": pgettext_lazy("import kind", "单位"),
        "members": pgettext_lazy("import kind", "党员"),
        "households": gettext_lazy("困难家庭"),
    },
}
MESSAGES = {
    "id_number": gettext_lazy("身份证号码"),
    "unlock": gettext_lazy("解除登录锁定"),
    "idle": gettext_lazy("空闲超时退出"),
    "createadmins": gettext_lazy("命令行创建三员账号"),
    # the second factor and passwords (accounts.twofactor, accounts.selfservice)
    "otp": gettext_lazy("动态口令错误"),
    "otp_enrol": gettext_lazy("绑定身份验证器"),
    "otp_disable": gettext_lazy("关闭两步验证"),
    "otp_reset": gettext_lazy("重置两步验证"),
    "recovery_codes": gettext_lazy("重新生成恢复码"),
    "recovery_used": gettext_lazy("使用恢复码登录"),
    "self": gettext_lazy("本人修改"),
    # account requests (accounts.services): asked by the system administrator, decided by the
    # security administrator
    "request": gettext_lazy("提交授权申请"),
    "request_replaced": gettext_lazy("授权申请被新的申请取代"),
    "request_approved": gettext_lazy("安全管理员批准授权申请"),
    "request_rejected": gettext_lazy("安全管理员驳回授权申请"),
    "request_withdrawn": gettext_lazy("系统管理员撤回授权申请"),
}
# Object types that are not models.
OBJECT_TYPES = {"demo": gettext_lazy("演示数据")}


def type_label(object_type: str) -> str:
    """'registry.household' → '困难家庭' (the model's verbose name); 'demo' → '演示数据'."""
    if object_type in OBJECT_TYPES:
        return str(OBJECT_TYPES[object_type])
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def field_label(object_type: str, name: str, action: str = "") -> str:
    """The label of one key of an event's changes.

    A model field wins over the table (Division has a real `kind`), except in an import or export
    summary, whose keys are never the model's fields."""
    special = ACTION_FIELDS.get(action, {})
    if name in special:
        return str(special[name])
    if action not in ("import", "export"):
        label = _model_field_label(object_type, name)
        if label is not None:
            return label
    if name in PSEUDO_FIELDS:
        return str(PSEUDO_FIELDS[name])
    return str(name)


def _model_field_label(object_type: str, name) -> str | None:
    """The verbose name of the model's field `name`; a reverse relation (a visit's `photos`) has
    none, so it reads as the related model's plural name. None when the model has no such key."""
    try:
        field = apps.get_model(object_type)._meta.get_field(name)
    except (LookupError, ValueError, TypeError, FieldDoesNotExist):
        return None
    label = getattr(field, "verbose_name", None)
    if label is None and getattr(field, "related_model", None) is not None:
        label = field.related_model._meta.verbose_name_plural
    return str(label) if label is not None else None


def value_label(name: str, value, action: str = ""):
    """One stored value as it reads: yes/no for booleans, a list as one line, anything else
    (a number, a dict from an older event) as text."""
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    if action in ("import", "export") and isinstance(value, str) and value in VALUES.get(name, {}):
        return str(VALUES[name][value])
    if isinstance(value, list | tuple):
        return "、".join(str(value_label(name, item, action)) for item in value)
    if isinstance(value, dict):
        return "；".join(f"{key}: {value_label(name, item, action)}" for key, item in value.items())
    return value


def message_label(message: str) -> str:
    """A message stored as a code reads as words; free text is shown as it was written."""
    label = MESSAGES.get(message)
    return str(label) if label is not None else message


def change_rows(event) -> list[dict]:
    """The event's changes as rows a person reads: field label, old value, new value."""
    rows = []
    changes = event.changes if isinstance(event.changes, dict) else {}
    for name, pair in changes.items():
        old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        rows.append(
            {
                "field": field_label(event.object_type, name, event.action),
                "old": value_label(name, old, event.action),
                "new": value_label(name, new, event.action),
            }
        )
    return rows
