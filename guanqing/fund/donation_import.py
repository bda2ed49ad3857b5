"""A unit's payroll list of member gifts (代扣名单) imported from Excel, the registry's way
(`guanqing.registry.imports`): the columns are a django-import-export resource with the registry's
widgets, every row is checked first and each problem reported by row, column and reason; only a
file without a single problem is written, in one transaction: a `DonationBatch`, and per row one
`Donation` (source member) with its receipt number and its ledger transaction. One more audit
event summarises the file.

Columns: 姓名, 金额（元）, optional 证件号码 (a registry member of the unit holding that ID number is
linked to the gift; union members who are not party members give too, so a number the registry
does not know is not an error — but one registered in another unit, or under another name, is) and
备注. The unit and the date received are chosen on the form.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from import_export import widgets

from guanqing.core import audit, excel, sensitive
from guanqing.core.excel import RowError, Sheet
from guanqing.core.services import merge_errors, save_with_audit
from guanqing.fund import donation_services as services
from guanqing.fund.access import access
from guanqing.fund.choices import DonationSource
from guanqing.fund.models import DonationBatch
from guanqing.registry.imports import Importer, RowPlan
from guanqing.registry.models import Member, Unit
from guanqing.registry.resources import (
    ALL_OR_NOTHING_NOTE,
    TEXT_NOTE,
    Column,
    IdNumberWidget,
    RegistryResource,
    TextWidget,
)

TEMPLATE_FILE = "职工捐款名单导入模板.xlsx"


class MoneyWidget(widgets.Widget):
    """An amount in 元 above zero with at most two decimals (a number cell or text)."""

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise ValueError(_("应为金额（元）"))
        if isinstance(value, float):
            value = repr(value)
        errors: dict = {}
        amount = services.check_amount(errors, "amount", str(value).replace(",", ""))
        if errors:
            raise ValueError(errors["amount"][0])
        return amount


class DonationResource(RegistryResource):
    kind = "donations"
    title = "职工捐款名单"
    notes = (
        "每行一名职工的一笔捐款；单位和到账日期在导入页面选择。",
        "填写证件号码的，系统按号码关联本单位已登记的党员；未登记的职工（如非党员工会会员）照常导入。",
        ALL_OR_NOTHING_NOTE,
        TEXT_NOTE,
    )

    name = Column(
        header="姓名",
        attribute="donor_name",
        widget=TextWidget(services.DONOR_NAME_MAX),
        required=True,
        help="捐款职工姓名",
        example="张三",
    )
    amount = Column(
        header="金额（元）",
        attribute="amount",
        widget=MoneyWidget(),
        required=True,
        help="大于 0，最多两位小数",
        example="100.00",
    )
    id_number = Column(
        header="证件号码",
        attribute="id_number",
        widget=IdNumberWidget(),
        help="18 位居民身份证号码；可不填",
        example="330203196005170134",
        text=True,
        width=22,
    )
    note = Column(
        header="备注",
        attribute="note",
        widget=TextWidget(services.NOTE_MAX),
        help="最多 200 字",
        width=24,
    )


def template_workbook() -> bytes:
    resource = DonationResource()
    return excel.template_workbook(
        title=resource.title, columns=resource.column_specs(), notes=resource.notes
    )


@dataclass
class ImportResult:
    """What an import wrote, or why it wrote nothing."""

    file_name: str
    total: int = 0
    amount: Decimal = Decimal(0)
    batch: DonationBatch | None = None
    errors: list[RowError] = field(default_factory=list)
    more_errors: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_total(self) -> int:
        return len(self.errors) + self.more_errors


class DonationImporter(Importer):
    kind = DonationResource.kind
    resource_class = DonationResource
    model = Member

    def __init__(self, actor, *, unit: Unit, received_on: datetime.date):
        super().__init__(actor)
        self.unit = unit
        self.received_on = received_on

    def prepare(self, sheet: Sheet) -> None:
        header = self.resource.header_of("id_number")
        hashes = set()
        for _row, record in sheet.rows:
            value = record.get(header)
            if isinstance(value, str | int) and value:
                hashes.add(sensitive.lookup_hash(str(value)))
        self.members: dict[str, Member] = {}
        ordered = sorted(hashes)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            for member in Member.objects.filter(id_number_hash__in=chunk).select_related("unit"):
                self.members[member.id_number_hash] = member
        self.seen_ids: dict[str, int] = {}

    def check_row(self, row, values):
        member = None
        number = values.get("id_number") or ""
        if number:
            first = self.seen_ids.get(number)
            if first is not None:
                self.error(
                    row, "id_number", _("与第 %(first)s 行的证件号码重复") % {"first": first}
                )
            else:
                self.seen_ids[number] = row
                member = self.members.get(sensitive.lookup_hash(number))
        if member is not None:
            name = values.get("name")
            if member.unit_id != self.unit.pk:
                self.error(
                    row,
                    "id_number",
                    _("该证件号码登记在%(unit)s，不是%(this)s的职工")
                    % {"unit": member.unit.name, "this": self.unit.name},
                )
                member = None
            elif name and name != member.name:
                self.error(
                    row,
                    "name",
                    _("与该证件号码登记的姓名“%(name)s”不一致") % {"name": member.name},
                )
                member = None
        data = {
            "donor_name": values.get("name") or "",
            "amount": values.get("amount"),
            "note": values.get("note") or "",
            "member": member,
        }
        return RowPlan(row=row, existing=None, data=data)


def _check_choice(*, unit, received_on) -> tuple[Unit, datetime.date]:
    errors: dict[str, list[str]] = {}
    unit = services.check_unit(errors, "unit", unit)
    received_on = services.check_received_on(errors, "received_on", received_on)
    merge_errors(errors)
    return unit, received_on


def donation_import(
    *, actor, unit: Unit, received_on: datetime.date, fileobj, file_name: str = ""
) -> ImportResult:
    """Check every row of the uploaded list; if all are good, write the batch and its donations
    in one transaction, else nothing. A bad unit or date is a ValidationError naming the field."""
    access.check(actor, "donation_record")
    unit, received_on = _check_choice(unit=unit, received_on=received_on)
    file_name = (file_name or getattr(fileobj, "name", "") or "import.xlsx")[:200]
    result = ImportResult(file_name=file_name)
    try:
        sheet = excel.read_sheet(fileobj, stop_after=settings.IMPORT_BACKGROUND_THRESHOLD)
    except excel.SheetError as exc:
        result.errors = [RowError(None, "", str(exc))]
        return result
    result.total = len(sheet)
    if sheet.truncated:
        result.errors = [
            RowError(
                None,
                "",
                _("一次最多导入 %(limit)s 行，请拆分后分批导入")
                % {"limit": settings.IMPORT_BACKGROUND_THRESHOLD},
            )
        ]
        return result
    importer = DonationImporter(actor, unit=unit, received_on=received_on)
    plans = importer.check(sheet)
    if importer.errors:
        result.errors = sorted(importer.errors, key=lambda e: (e.row or 0,))
        result.more_errors = importer.more_errors
        return result
    gifts = []
    for plan in plans:
        # The widgets have checked each cell; check_gift holds the service's last word, and any
        # refusal still names the row and the column.
        try:
            gifts.append(
                services.check_gift(
                    source=DonationSource.MEMBER,
                    unit=unit,
                    received_on=received_on,
                    **plan.data,
                )
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = importer.resource.header_of("name" if name == "donor_name" else name)
                for message in messages:
                    importer.add_error(RowError(plan.row, column, message))
    if importer.errors:
        result.errors = importer.errors
        result.more_errors = importer.more_errors
        return result
    with transaction.atomic():
        year = received_on.year
        services.lock_receipt_year(year)
        sequence = services.next_receipt_sequence(year)
        total = sum((gift.amount for gift in gifts), Decimal(0))
        batch = save_with_audit(
            actor=actor,
            instance=DonationBatch(
                unit=unit,
                received_on=received_on,
                file_name=file_name,
                rows=len(gifts),
                total=total,
                imported_by=actor,
            ),
            fields=["unit", "received_on", "file_name", "rows", "total", "imported_by"],
        )
        for offset, gift in enumerate(gifts):
            services.post_gift(
                actor=actor,
                gift=gift,
                number=services.receipt_number(year, sequence + offset),
                batch=batch,
            )
        audit.record(
            actor=actor,
            action="import",
            obj=batch,
            changes={
                "file": [None, file_name],
                "rows": [None, len(gifts)],
                "total": [None, str(total)],
            },
            message=f"导入职工捐款名单：{unit.name}，{file_name}，共 {len(gifts)} 人，{total} 元",
        )
    result.batch = batch
    result.amount = total
    return result
