"""The catalogue as an Excel workbook: sheet 1 the matters with their item and limits (one row a
matter, its current version), sheet 2 their materials (one row a material, by the matter's code).

Import reads both sheets, reports every bad row by sheet, row, column and reason, and writes
nothing unless every row is valid; the writes go through the catalogue services (a changed matter
publishes a new version, an unchanged one stays as it is).
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanqing.core.excel import ColumnSpec, SheetError, clean_header, literal_row, read_sheet
from guanqing.core.roles import Role
from guanqing.registry.models import Unit
from guanqing.window import catalogue_services as services
from guanqing.window.choices import MaterialForm, MatterKind
from guanqing.window.models import WORKDAYS_MAX, ApprovalItem, Material, Matter

MATTERS_SHEET = "办理项"
MATERIALS_SHEET = "申请材料"

ITEM_CODE = "事项编码"
ITEM_NAME = "事项名称"
UNIT = "单位"
ITEM_BASIS = "设定依据"
MATTER_CODE = "办理项编码"
MATTER_NAME = "办理项名称"
KIND = "办件类型"
STATUTORY = "法定办结时限（工作日）"
PROMISED = "承诺办结时限（工作日）"
FEE = "收费（元）"
FEE_NOTE = "收费说明"
BASIS = "办理依据"
MATERIAL_NAME = "材料名称"
FORM = "材料形式"
COPIES = "份数"
DEFERRABLE = "可容缺"
NOTE = "说明"

MATTER_COLUMNS = [
    ColumnSpec(ITEM_CODE, required=True, text=True, width=18),
    ColumnSpec(ITEM_NAME, required=True, width=24),
    ColumnSpec(UNIT, width=20),
    ColumnSpec(ITEM_BASIS, width=30),
    ColumnSpec(MATTER_CODE, required=True, text=True, width=20),
    ColumnSpec(MATTER_NAME, required=True, width=28),
    ColumnSpec(KIND, required=True, choices=[str(c.label) for c in MatterKind]),
    ColumnSpec(STATUTORY, required=True),
    ColumnSpec(PROMISED, required=True),
    ColumnSpec(FEE),
    ColumnSpec(FEE_NOTE, width=20),
    ColumnSpec(BASIS, width=30),
]
MATERIAL_COLUMNS = [
    ColumnSpec(MATTER_CODE, required=True, text=True, width=20),
    ColumnSpec(MATERIAL_NAME, required=True, width=36),
    ColumnSpec(FORM, choices=[str(c.label) for c in MaterialForm]),
    ColumnSpec(COPIES),
    ColumnSpec(DEFERRABLE, choices=["是", "否"]),
    ColumnSpec(NOTE, width=24),
]
YES = {"是", "y", "yes", "true", "1", "√", "可"}
NO = {"否", "n", "no", "false", "0", "", "不可"}

# service field -> column of the matters sheet it is reported under
MATTER_FIELD_COLUMNS = {
    "code": MATTER_CODE,
    "name": MATTER_NAME,
    "kind": KIND,
    "statutory_workdays": STATUTORY,
    "promised_workdays": PROMISED,
    "fee": FEE,
    "fee_note": FEE_NOTE,
    "legal_basis": BASIS,
    "materials": MATERIAL_NAME,
}
ITEM_FIELD_COLUMNS = {"code": ITEM_CODE, "name": ITEM_NAME, "legal_basis": ITEM_BASIS, "unit": UNIT}


@dataclass(frozen=True)
class CatalogueRowError:
    """One problem in an uploaded catalogue: sheet, Excel row number (header = 1), column, reason."""

    sheet: str
    row: int | None
    column: str
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ImportResult:
    errors: list[CatalogueRowError] = field(default_factory=list)
    items_created: int = 0
    matters_created: int = 0
    versions_published: int = 0
    matters_unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def export_rows(matters) -> tuple[list[list], list[list]]:
    """The two sheets' rows for `matters` (each with its current version)."""
    matters = list(
        matters.filter(current__isnull=False).select_related("item", "item__unit", "current")
    )
    materials = defaultdict(list)
    for material in Material.objects.filter(
        version_id__in=[m.current_id for m in matters]
    ).order_by("version_id", "sort_order", "id"):
        materials[material.version_id].append(material)
    matter_rows, material_rows = [], []
    for matter in matters:
        version = matter.current
        matter_rows.append(
            [
                matter.item.code,
                matter.item.name,
                matter.item.unit.name,
                matter.item.legal_basis,
                matter.code,
                matter.name,
                _label(MatterKind, version.kind),
                version.statutory_workdays,
                version.promised_workdays,
                version.fee,
                version.fee_note,
                version.legal_basis,
            ]
        )
        for material in materials[version.pk]:
            material_rows.append(
                [
                    matter.code,
                    material.name,
                    _label(MaterialForm, material.form),
                    material.copies,
                    "是" if material.deferrable else "否",
                    material.note,
                ]
            )
    return matter_rows, material_rows


def export_workbook(matters) -> tuple[bytes, int]:
    """The workbook and how many matters it holds."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    matter_rows, material_rows = export_rows(matters)
    wb = Workbook(write_only=True)
    for title, columns, rows in (
        (MATTERS_SHEET, MATTER_COLUMNS, matter_rows),
        (MATERIALS_SHEET, MATERIAL_COLUMNS, material_rows),
    ):
        ws = wb.create_sheet(title)
        for index, column in enumerate(columns, start=1):
            width = max(column.width, len(column.header) * 2 + 4)
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(ws, value=column.header)
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        for row in rows:
            ws.append(literal_row(ws, row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), len(matter_rows)


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _choice(choices, value: str) -> str | None:
    for choice in choices:
        if value in (choice.value, str(choice.label)):
            return choice.value
    return None


def _workdays(value) -> int | None:
    text = _text(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if number != number.to_integral_value() or not 0 <= number <= WORKDAYS_MAX:
        return None
    return int(number)


@dataclass
class _MatterRow:
    row: int
    item_code: str
    item_name: str
    unit: Unit | None
    item_basis: str
    code: str
    name: str
    spec_fields: dict
    materials: list = field(default_factory=list)


class _Errors:
    def __init__(self):
        self.rows: list[CatalogueRowError] = []

    def add(self, sheet: str, row: int | None, column: str, reason) -> None:
        self.rows.append(CatalogueRowError(sheet, row, column, str(reason)))


def _read(fileobj, index: int, title: str, columns, errors: _Errors):
    try:
        sheet = read_sheet(fileobj, index=index)
    except SheetError as exc:
        if index > 0 and str(exc) == _("工作簿中没有工作表"):
            errors.add(title, None, "", _("缺少“%(sheet)s”工作表") % {"sheet": title})
        else:
            errors.add(title, None, "", exc)
        return None
    for error in sheet.errors:
        errors.add(title, error.row, error.column, error.reason)
    missing = [c.header for c in columns if c.required and c.header not in sheet.headers]
    for header in missing:
        errors.add(title, 1, header, _("缺少此列"))
    return None if missing else sheet


def _units() -> dict[str, Unit]:
    units = {}
    for unit in Unit.objects.all():
        units[unit.name] = unit
        if unit.short_name:
            units.setdefault(unit.short_name, unit)
    return units


def _parse_matters(sheet, actor, errors: _Errors) -> dict[str, _MatterRow]:
    units = _units()
    own_unit = Unit.objects.filter(pk=actor.unit_id).first()
    matters: dict[str, _MatterRow] = {}
    item_names: dict[str, tuple[str, int]] = {}
    for number, record in sheet.rows:

        def bad(column, reason, number=number):
            errors.add(MATTERS_SHEET, number, column, reason)

        values = {clean_header(k): v for k, v in record.items()}
        item_code, item_name = _text(values.get(ITEM_CODE)), _text(values.get(ITEM_NAME))
        code, name = _text(values.get(MATTER_CODE)), _text(values.get(MATTER_NAME))
        for column, value in (
            (ITEM_CODE, item_code),
            (ITEM_NAME, item_name),
            (MATTER_CODE, code),
            (MATTER_NAME, name),
        ):
            if not value:
                bad(column, _("必填"))
        unit_text = _text(values.get(UNIT))
        unit = units.get(unit_text) if unit_text else own_unit
        if unit_text and unit is None:
            bad(UNIT, _("没有名为“%(name)s”的单位") % {"name": unit_text})
        elif unit is None:
            bad(UNIT, _("必填"))
        elif actor.role == Role.UNIT_ADMIN and unit.pk != actor.unit_id:
            bad(UNIT, _("只能维护本单位的事项目录和窗口"))
        kind = _choice(MatterKind, _text(values.get(KIND)))
        if kind is None:
            bad(KIND, _("应为：%(choices)s") % {"choices": "、".join(map(str, MatterKind.labels))})
        statutory = _workdays(values.get(STATUTORY))
        promised = _workdays(values.get(PROMISED))
        for column, value in ((STATUTORY, statutory), (PROMISED, promised)):
            if value is None:
                bad(column, _("应为 0 到 %(max)s 之间的整数") % {"max": WORKDAYS_MAX})
        fee_text = _text(values.get(FEE)) or "0"
        try:
            fee = Decimal(fee_text).quantize(Decimal("0.01"))
            if fee < 0:
                raise InvalidOperation
        except InvalidOperation:
            bad(FEE, _("应为不小于 0 的金额（元）"))
            fee = None
        if code in matters:
            bad(MATTER_CODE, _("与第 %(row)s 行重复") % {"row": matters[code].row})
            continue
        if item_code in item_names and item_names[item_code][0] != item_name:
            bad(
                ITEM_NAME,
                _("同一事项编码在第 %(row)s 行的事项名称不同") % {"row": item_names[item_code][1]},
            )
        item_names.setdefault(item_code, (item_name, number))
        if code:
            matters[code] = _MatterRow(
                row=number,
                item_code=item_code,
                item_name=item_name,
                unit=unit,
                item_basis=_text(values.get(ITEM_BASIS)),
                code=code,
                name=name,
                spec_fields={
                    "kind": kind,
                    "statutory_workdays": statutory,
                    "promised_workdays": promised,
                    "fee": fee,
                    "fee_note": _text(values.get(FEE_NOTE)),
                    "legal_basis": _text(values.get(BASIS)),
                },
            )
    return matters


def _parse_materials(sheet, matters: dict[str, _MatterRow], errors: _Errors) -> None:
    for number, record in sheet.rows:

        def bad(column, reason, number=number):
            errors.add(MATERIALS_SHEET, number, column, reason)

        values = {clean_header(k): v for k, v in record.items()}
        code, name = _text(values.get(MATTER_CODE)), _text(values.get(MATERIAL_NAME))
        if not code:
            bad(MATTER_CODE, _("必填"))
        elif code not in matters:
            bad(MATTER_CODE, _("“%(sheet)s”表中没有这个办理项编码") % {"sheet": MATTERS_SHEET})
        if not name:
            bad(MATERIAL_NAME, _("必填"))
        form_text = _text(values.get(FORM))
        form = _choice(MaterialForm, form_text) if form_text else MaterialForm.ORIGINAL
        if form is None:
            bad(
                FORM, _("应为：%(choices)s") % {"choices": "、".join(map(str, MaterialForm.labels))}
            )
        copies_text = _text(values.get(COPIES)) or "1"
        copies = _workdays(copies_text)
        if not copies:
            bad(COPIES, _("应为正整数"))
        deferrable_text = _text(values.get(DEFERRABLE)).lower()
        if deferrable_text not in YES | NO:
            bad(DEFERRABLE, _("应为“是”或“否”"))
        if code in matters and name:
            target = matters[code]
            if any(m.name == name for _row, m in target.materials):
                bad(MATERIAL_NAME, _("同一办理项的材料名称重复"))
                continue
            target.materials.append(
                (
                    number,
                    services.MaterialSpec(
                        name=name,
                        form=form or MaterialForm.ORIGINAL,
                        copies=copies or 1,
                        deferrable=deferrable_text in YES,
                        note=_text(values.get(NOTE)),
                    ),
                )
            )


def _check_existing(actor, matters: dict[str, _MatterRow], errors: _Errors) -> None:
    """Codes already in the catalogue: the actor must be allowed to change them, and a matter
    keeps its item."""
    editable_items = set(ApprovalItem.objects.editable_by(actor).values_list("code", flat=True))
    items = {
        i.code: i
        for i in ApprovalItem.objects.filter(code__in={m.item_code for m in matters.values()})
    }
    existing = {
        m.code: m for m in Matter.objects.filter(code__in=list(matters)).select_related("item")
    }
    for row in matters.values():
        item = items.get(row.item_code)
        if item is not None:
            if item.code not in editable_items:
                errors.add(MATTERS_SHEET, row.row, ITEM_CODE, _("该事项属于其他单位，您不能修改"))
            elif row.unit is not None and item.unit_id != row.unit.pk:
                errors.add(MATTERS_SHEET, row.row, UNIT, _("与该事项现有的单位不同"))
        matter = existing.get(row.code)
        if matter is not None and matter.item.code != row.item_code:
            errors.add(
                MATTERS_SHEET,
                row.row,
                MATTER_CODE,
                _("该办理项属于事项 %(code)s") % {"code": matter.item.code},
            )
        if not row.materials:
            errors.add(
                MATTERS_SHEET,
                row.row,
                MATTER_CODE,
                _("“%(sheet)s”表中没有这个办理项的材料") % {"sheet": MATERIALS_SHEET},
            )


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            name: [str(m) for m in ValidationError(errs).messages]
            for name, errs in exc.error_dict.items()
        }
    return {"": [str(m) for m in exc.messages]}


def import_catalogue(*, actor, fileobj) -> ImportResult:
    """Read the uploaded workbook and write it through the services, all or nothing."""
    services.access.check(actor, "catalogue_edit")
    errors = _Errors()
    result = ImportResult()
    matters_sheet = _read(fileobj, 0, MATTERS_SHEET, MATTER_COLUMNS, errors)
    materials_sheet = _read(fileobj, 1, MATERIALS_SHEET, MATERIAL_COLUMNS, errors)
    if matters_sheet is None or materials_sheet is None:
        result.errors = errors.rows
        return result
    matters = _parse_matters(matters_sheet, actor, errors)
    _parse_materials(materials_sheet, matters, errors)
    _check_existing(actor, matters, errors)
    if errors.rows:
        result.errors = errors.rows
        return result
    with transaction.atomic():
        _write(actor, matters, errors, result)
        if errors.rows:
            transaction.set_rollback(True)
            result = ImportResult(errors=errors.rows)
    return result


def _write(actor, matters: dict[str, _MatterRow], errors: _Errors, result: ImportResult) -> None:
    items: dict[str, ApprovalItem] = {}
    for row in matters.values():
        try:
            with transaction.atomic():
                item = items.get(row.item_code) or _item(actor, row, result)
                items[row.item_code] = item
                spec = services.VersionSpec(
                    **row.spec_fields, materials=[m for _n, m in row.materials]
                )
                _matter(actor, item, row, spec, result)
        except ValidationError as exc:
            for name, messages in _messages(exc).items():
                if name == "unit" or name.startswith("item_"):
                    column = ITEM_FIELD_COLUMNS.get(name.removeprefix("item_"), "")
                else:
                    column = MATTER_FIELD_COLUMNS.get(name, "")
                for message in messages:
                    errors.add(MATTERS_SHEET, row.row, column, message)
        except PermissionDenied as exc:
            errors.add(MATTERS_SHEET, row.row, ITEM_CODE, str(exc) or _("不在您的权限范围内"))


def _item(actor, row: _MatterRow, result: ImportResult) -> ApprovalItem:
    item = ApprovalItem.objects.filter(code=row.item_code).first()
    try:
        if item is None:
            result.items_created += 1
            return services.item_create(
                actor=actor,
                unit=row.unit,
                code=row.item_code,
                name=row.item_name,
                legal_basis=row.item_basis,
            )
        return services.item_update(
            actor=actor, item=item, name=row.item_name, legal_basis=row.item_basis
        )
    except ValidationError as exc:
        raise ValidationError(
            {
                "unit" if name == "unit" else "item_" + name: messages
                for name, messages in _messages(exc).items()
            }
        ) from None


def _matter(actor, item, row: _MatterRow, spec, result: ImportResult) -> None:
    matter = Matter.objects.filter(code=row.code).first()
    if matter is None:
        services.matter_create(actor=actor, item=item, code=row.code, name=row.name, version=spec)
        result.matters_created += 1
        return
    if matter.name != row.name:
        services.matter_update(actor=actor, matter=matter, name=row.name)
    before = matter.current_id
    version = services.matter_publish(actor=actor, matter=matter, version=spec)
    if version.pk == before:
        result.matters_unchanged += 1
    else:
        result.versions_published += 1
