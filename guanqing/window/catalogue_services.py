"""Writes to the catalogue (审批事项, 办理项 and their versions), the windows and their clerks, and
the committee's window settings. Each service is one transaction: scope, access table, validation
under field names, `save_with_audit`.

A matter's version is never changed: `matter_publish` makes version n+1 and points the matter at
it; cases accepted under an older version keep it (`Case.version`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanqing.core import audit
from guanqing.core.calendar.workdays import business_date
from guanqing.core.roles import Role
from guanqing.core.scope.locking import lock_in_scope
from guanqing.core.services import save_with_audit
from guanqing.window.access import access
from guanqing.window.choices import MaterialForm, MatterKind
from guanqing.window.models import (
    ApprovalItem,
    Material,
    Matter,
    MatterVersion,
    Window,
    WindowSettings,
)

ITEM_FIELDS = ("unit", "code", "name", "legal_basis", "sort_order", "is_active")
MATTER_FIELDS = ("item", "code", "name", "sort_order", "is_active")
VERSION_FIELDS = (
    "matter",
    "number",
    "kind",
    "statutory_workdays",
    "promised_workdays",
    "fee",
    "fee_note",
    "legal_basis",
    "valid_from",
    "created_by",
)
MATERIAL_FIELDS = ("version", "name", "form", "copies", "deferrable", "note", "sort_order")
WINDOW_FIELDS = ("unit", "name", "location", "is_active")
SETTINGS_FIELDS = (
    "due_soon_workdays",
    "deferral_bar_months",
    "rating_window_days",
    "rectify_workdays",
)


@dataclass(frozen=True)
class MaterialSpec:
    """One material of a version being published."""

    name: str
    form: str = MaterialForm.ORIGINAL
    copies: int = 1
    deferrable: bool = False
    note: str = ""

    def key(self) -> tuple:
        return (self.name, str(self.form), int(self.copies), bool(self.deferrable), self.note)


@dataclass(frozen=True)
class VersionSpec:
    """What a matter asks for: the fields of a `MatterVersion` and its materials."""

    kind: str
    statutory_workdays: int
    promised_workdays: int
    fee: Decimal = Decimal("0")
    fee_note: str = ""
    legal_basis: str = ""
    materials: Sequence[MaterialSpec] = ()


def _own_unit(actor, unit, field: str = "unit") -> None:
    """A unit administrator works on its own unit's catalogue and windows only."""
    if actor.role == Role.UNIT_ADMIN and unit.pk != actor.unit_id:
        raise ValidationError({field: [_("只能维护本单位的事项目录和窗口")]})


# ---------------------------------------------------------------------------------------------
# Approval items and matters
# ---------------------------------------------------------------------------------------------


def item_create(
    *, actor, unit, code: str, name: str, legal_basis: str = "", sort_order: int = 0
) -> ApprovalItem:
    access.check(actor, "catalogue_edit")
    _own_unit(actor, unit)
    with transaction.atomic():
        item = ApprovalItem(
            unit=unit,
            code=(code or "").strip(),
            name=(name or "").strip(),
            legal_basis=legal_basis or "",
            sort_order=sort_order or 0,
        )
        return save_with_audit(actor=actor, instance=item, fields=ITEM_FIELDS)


def item_update(*, actor, item: ApprovalItem, **changes) -> ApprovalItem:
    """Change an item's code, name, legal basis, order or whether it is in use (not its unit)."""
    access.check(actor, "catalogue_edit")
    unknown = set(changes) - {"code", "name", "legal_basis", "sort_order", "is_active"}
    if unknown:
        raise TypeError(f"item_update() got unexpected fields {sorted(unknown)}")
    with transaction.atomic():
        item = lock_in_scope(ApprovalItem.objects.editable_by(actor), item.pk)
        before = audit.snapshot(item, ITEM_FIELDS)
        for name, value in changes.items():
            setattr(
                item,
                name,
                value.strip() if isinstance(value, str) and name != "legal_basis" else value,
            )
        return save_with_audit(actor=actor, instance=item, fields=ITEM_FIELDS, before=before)


def matter_create(
    *,
    actor,
    item: ApprovalItem,
    code: str,
    name: str,
    version: VersionSpec,
    sort_order: int = 0,
    valid_from: datetime.date | None = None,
) -> Matter:
    """A new matter of `item` with its first version."""
    access.check(actor, "catalogue_edit")
    with transaction.atomic():
        item = lock_in_scope(ApprovalItem.objects.editable_by(actor), item.pk)
        matter = Matter(
            item=item,
            code=(code or "").strip(),
            name=(name or "").strip(),
            sort_order=sort_order or 0,
        )
        _validate_version(version)
        save_with_audit(actor=actor, instance=matter, fields=MATTER_FIELDS, root=item)
        _publish(actor, matter, version, number=1, valid_from=valid_from)
        return matter


def matter_update(*, actor, matter: Matter, **changes) -> Matter:
    """Change a matter's code, name, order or whether it is in use; what it asks for changes only
    through `matter_publish`."""
    access.check(actor, "catalogue_edit")
    unknown = set(changes) - {"code", "name", "sort_order", "is_active"}
    if unknown:
        raise TypeError(f"matter_update() got unexpected fields {sorted(unknown)}")
    with transaction.atomic():
        matter = lock_in_scope(Matter.objects.editable_by(actor), matter.pk)
        before = audit.snapshot(matter, MATTER_FIELDS)
        for name, value in changes.items():
            setattr(matter, name, value.strip() if isinstance(value, str) else value)
        return save_with_audit(
            actor=actor, instance=matter, fields=MATTER_FIELDS, before=before, root=matter.item
        )


def matter_publish(
    *, actor, matter: Matter, version: VersionSpec, valid_from: datetime.date | None = None
) -> MatterVersion:
    """Publish what `matter` asks for from `valid_from` (today by default) as version n+1 and make
    it current. A version is never edited, so open cases keep the one they were accepted under.
    Publishing exactly what the current version says changes nothing and returns it."""
    access.check(actor, "catalogue_edit")
    with transaction.atomic():
        matter = lock_in_scope(Matter.objects.editable_by(actor), matter.pk)
        _validate_version(version)
        current = matter.current
        if current is not None and version_key(current) == spec_key(version):
            return current
        last = matter.versions.order_by("-number").values_list("number", flat=True).first() or 0
        return _publish(actor, matter, version, number=last + 1, valid_from=valid_from)


def version_key(version: MatterVersion) -> tuple:
    """What a stored version asks for, comparable with `spec_key`."""
    return (
        version.kind,
        version.statutory_workdays,
        version.promised_workdays,
        Decimal(version.fee).quantize(Decimal("0.01")),
        version.fee_note,
        version.legal_basis,
        tuple(
            MaterialSpec(m.name, m.form, m.copies, m.deferrable, m.note).key()
            for m in version.materials.all()
        ),
    )


def spec_key(spec: VersionSpec) -> tuple:
    return (
        str(spec.kind),
        int(spec.statutory_workdays),
        int(spec.promised_workdays),
        Decimal(spec.fee).quantize(Decimal("0.01")),
        spec.fee_note or "",
        spec.legal_basis or "",
        tuple(m.key() for m in spec.materials),
    )


def version_spec(version: MatterVersion) -> VersionSpec:
    """A stored version as a spec (the edit form starts from it)."""
    return VersionSpec(
        kind=version.kind,
        statutory_workdays=version.statutory_workdays,
        promised_workdays=version.promised_workdays,
        fee=version.fee,
        fee_note=version.fee_note,
        legal_basis=version.legal_basis,
        materials=[
            MaterialSpec(m.name, m.form, m.copies, m.deferrable, m.note)
            for m in version.materials.all()
        ],
    )


def _validate_version(spec: VersionSpec) -> None:
    errors: dict[str, list[str]] = {}
    if spec.kind not in MatterKind.values:
        errors["kind"] = [_("请选择办件类型")]
    if spec.promised_workdays is not None and spec.statutory_workdays is not None:
        if spec.promised_workdays > spec.statutory_workdays:
            errors["promised_workdays"] = [
                _(
                    "承诺办结时限（%(promised)s 个工作日）不能超过法定办结时限（%(statutory)s 个工作日）"
                )
                % {"promised": spec.promised_workdays, "statutory": spec.statutory_workdays}
            ]
        elif spec.kind == MatterKind.IMMEDIATE and spec.promised_workdays != 0:
            errors["promised_workdays"] = [_("即办件当场办结，承诺办结时限应为 0 个工作日")]
    if spec.fee is not None and Decimal(spec.fee) < 0:
        errors["fee"] = [_("收费不能为负数")]
    if not spec.materials:
        errors["materials"] = [_("请至少列出一项申请材料")]
    names: set[str] = set()
    for index, material in enumerate(spec.materials, start=1):
        name = (material.name or "").strip()
        if not name:
            errors.setdefault("materials", []).append(_("第 %(n)s 项材料没有名称") % {"n": index})
        elif name in names:
            errors.setdefault("materials", []).append(_("材料“%(name)s”列了两次") % {"name": name})
        names.add(name)
        if material.form not in MaterialForm.values:
            errors.setdefault("materials", []).append(_("第 %(n)s 项材料的形式无效") % {"n": index})
        if not material.copies or int(material.copies) < 1:
            errors.setdefault("materials", []).append(
                _("第 %(n)s 项材料的份数至少为 1") % {"n": index}
            )
    if errors:
        raise ValidationError(errors)


def _publish(
    actor, matter: Matter, spec: VersionSpec, *, number: int, valid_from: datetime.date | None
) -> MatterVersion:
    version = MatterVersion(
        matter=matter,
        number=number,
        kind=spec.kind,
        statutory_workdays=spec.statutory_workdays,
        promised_workdays=spec.promised_workdays,
        fee=spec.fee,
        fee_note=spec.fee_note or "",
        legal_basis=spec.legal_basis or "",
        valid_from=valid_from or business_date(),
        created_by=actor,
    )
    save_with_audit(actor=actor, instance=version, fields=VERSION_FIELDS, root=matter)
    rows = [
        Material(
            version=version,
            name=material.name.strip(),
            form=material.form,
            copies=material.copies,
            deferrable=material.deferrable,
            note=material.note or "",
            sort_order=order,
        )
        for order, material in enumerate(spec.materials, start=1)
    ]
    for row in rows:
        row.full_clean()
    Material.objects.bulk_create(rows)
    before = {"current": matter.current_id}
    matter.current = version
    audit.record(
        actor=actor,
        action="update",
        obj=matter,
        changes={
            "current": [before["current"], version.pk],
            "materials": [None, [m.name.strip() for m in spec.materials]],
        },
        message=f"发布第 {number} 版",
    )
    matter.save(update_fields=["current"])
    return version


# ---------------------------------------------------------------------------------------------
# Windows and their clerks
# ---------------------------------------------------------------------------------------------


def window_create(*, actor, unit, name: str, location: str = "") -> Window:
    access.check(actor, "windows")
    _own_unit(actor, unit)
    with transaction.atomic():
        window = Window(unit=unit, name=(name or "").strip(), location=(location or "").strip())
        return save_with_audit(actor=actor, instance=window, fields=WINDOW_FIELDS)


def window_update(*, actor, window: Window, **changes) -> Window:
    access.check(actor, "windows")
    unknown = set(changes) - {"name", "location", "is_active"}
    if unknown:
        raise TypeError(f"window_update() got unexpected fields {sorted(unknown)}")
    with transaction.atomic():
        window = lock_in_scope(Window.objects.editable_by(actor), window.pk)
        before = audit.snapshot(window, WINDOW_FIELDS)
        for name, value in changes.items():
            setattr(window, name, value.strip() if isinstance(value, str) else value)
        return save_with_audit(actor=actor, instance=window, fields=WINDOW_FIELDS, before=before)


def window_assign_clerks(*, actor, window: Window, clerks: Iterable) -> Window:
    """Make `clerks` the window's clerks: accounts with the role window_clerk, in use; for a unit
    administrator, accounts of the window's unit."""
    access.check(actor, "windows")
    clerks = list(dict.fromkeys(clerks))
    with transaction.atomic():
        window = lock_in_scope(Window.objects.editable_by(actor), window.pk)
        problems = []
        for clerk in clerks:
            if clerk.role != Role.WINDOW_CLERK or not clerk.is_active:
                problems.append(
                    _("%(user)s 不是在用的窗口受理员账号") % {"user": clerk.get_username()}
                )
            elif actor.role == Role.UNIT_ADMIN and clerk.unit_id != window.unit_id:
                problems.append(_("%(user)s 不是本单位的账号") % {"user": clerk.get_username()})
        if problems:
            raise ValidationError({"clerks": problems})
        old = sorted(window.clerks.values_list("username", flat=True))
        new = sorted(c.get_username() for c in clerks)
        if old == new:
            return window
        window.clerks.set(clerks)
        audit.record(actor=actor, action="update", obj=window, changes={"clerks": [old, new]})
        return window


# ---------------------------------------------------------------------------------------------
# The committee's settings
# ---------------------------------------------------------------------------------------------


def settings_update(*, actor, **values) -> WindowSettings:
    access.check(actor, "settings")
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"settings_update() got unexpected fields {sorted(unknown)}")
    with transaction.atomic():
        row = WindowSettings.objects.select_for_update().order_by("pk").first()
        if row is None:
            row = WindowSettings()
            for name, value in values.items():
                setattr(row, name, value)
            return save_with_audit(actor=actor, instance=row, fields=SETTINGS_FIELDS)
        before = audit.snapshot(row, SETTINGS_FIELDS)
        for name, value in values.items():
            setattr(row, name, value)
        return save_with_audit(actor=actor, instance=row, fields=SETTINGS_FIELDS, before=before)
