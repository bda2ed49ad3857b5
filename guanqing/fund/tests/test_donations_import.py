"""Importing a unit's payroll list of member gifts: every row checked first, problems named by row
and column, nothing written unless every row is good; a good list writes the batch and one
donation, receipt and ledger transaction per row."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanqing.core.errors import Conflict
from guanqing.core.models import AuditEvent
from guanqing.fund import donation_services as services
from guanqing.fund.choices import DonationSource
from guanqing.fund.donation_import import donation_import
from guanqing.fund.models import Donation, DonationBatch, Entry, Period, Transaction
from guanqing.registry.tests.excel_helpers import bad_checksum, id_number, xlsx_bytes

D = datetime.date
HEADERS = ["姓名", "金额（元）", "证件号码", "备注"]

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        DonationBatch.objects.count(),
        Donation.objects.count(),
        Transaction.objects.count(),
        Entry.objects.count(),
        AuditEvent.objects.count(),
    )


def run(w, rows, headers=HEADERS, **overrides):
    values = {
        "actor": w.users.fund_officer,
        "unit": w.unit,
        "received_on": D(2026, 5, 8),
        "fileobj": io.BytesIO(xlsx_bytes(headers, rows)),
        "file_name": "5月代扣.xlsx",
    }
    values.update(overrides)
    return donation_import(**values)


def errors_of(result) -> set[tuple]:
    return {(e.row, e.column) for e in result.errors}


def test_a_good_list_writes_the_batch_and_a_receipted_posted_gift_per_row(fund_world):
    w = fund_world
    services.donation_record(
        actor=w.users.fund_officer,
        source=DonationSource.UNIT,
        unit=w.unit,
        amount=Decimal("1000"),
        received_on=D(2026, 2, 1),
    )
    before = counts()
    result = run(
        w,
        [
            ["张三", 100, w.member.id_number, ""],
            ["王工会", "50.50", id_number(901), "非党员"],
            ["赵六", 20.1, None, None],
        ],
    )
    assert result.ok, result.errors
    batch = result.batch
    assert (batch.unit, batch.received_on, batch.rows) == (w.unit, D(2026, 5, 8), 3)
    assert batch.total == Decimal("170.60") == result.amount
    assert batch.file_name == "5月代扣.xlsx"
    gifts = list(batch.donations.order_by("receipt_number"))
    assert [g.receipt_number for g in gifts] == ["HA2026-000002", "HA2026-000003", "HA2026-000004"]
    assert [(g.donor_name, g.amount) for g in gifts] == [
        ("张三", Decimal("100.00")),
        ("王工会", Decimal("50.50")),
        ("赵六", Decimal("20.10")),
    ]
    assert {g.source for g in gifts} == {DonationSource.MEMBER}
    assert [g.member for g in gifts] == [w.member, None, None]
    assert gifts[1].note == "非党员"
    assert all(g.transaction.posted_on == D(2026, 5, 8) for g in gifts)
    after = counts()
    assert after[0] - before[0] == 1
    assert after[1] - before[1] == 3
    assert after[2] - before[2] == 3
    assert after[3] - before[3] == 6
    # per row: the voucher and the donation; the batch; the import's summary
    assert after[4] - before[4] == 3 * 2 + 2
    w.accounts.bank.refresh_from_db()
    assert w.accounts.bank.balance == Decimal("1170.60")
    assert AuditEvent.objects.filter(action="import", object_type="fund.donationbatch").exists()


def test_every_bad_row_is_named_by_row_and_column_and_nothing_is_written(fund_world):
    w = fund_world
    before = counts()
    result = run(
        w,
        [
            ["张三", 100, w.member.id_number, ""],  # row 2: good
            [None, 100, None, None],  # row 3: no name
            ["甲", 0, None, None],  # row 4: zero
            ["乙", "abc", None, None],  # row 5: not an amount
            ["丙", "10.005", None, None],  # row 6: three decimals
            ["丁", None, None, None],  # row 7: no amount
            [w.other_member.name, 10, w.other_member.id_number, None],  # row 8: other unit
            ["戊", 10, w.member.id_number, None],  # row 9: the same ID again
            ["己", 10, bad_checksum(id_number(902)), None],  # row 10: bad checksum
            ["庚", 10, id_number(903), "x" * 201],  # row 11: note too long
        ],
    )
    assert not result.ok
    assert errors_of(result) == {
        (3, "姓名"),
        (4, "金额（元）"),
        (5, "金额（元）"),
        (6, "金额（元）"),
        (7, "金额（元）"),
        (8, "证件号码"),
        (9, "证件号码"),
        (10, "证件号码"),
        (11, "备注"),
    }
    reasons = {(e.row, e.column): e.reason for e in result.errors}
    assert "第 2 行" in reasons[(9, "证件号码")]
    assert w.other_unit.name in reasons[(8, "证件号码")]
    assert [e.row for e in result.errors] == sorted(e.row for e in result.errors)
    assert counts() == before


def test_a_name_that_differs_from_the_registered_members_is_refused(fund_world):
    w = fund_world
    result = run(w, [["张3", 100, w.member.id_number, None]])
    assert errors_of(result) == {(2, "姓名")}
    assert w.member.name in result.errors[0].reason
    assert not Donation.objects.exists()


def test_a_missing_column_is_named_and_nothing_is_read(fund_world):
    result = run(fund_world, [["张三", "1"]], headers=["姓名", "金额"])
    assert errors_of(result) == {(1, "金额（元）")}
    assert not DonationBatch.objects.exists()


def test_a_file_without_rows_or_not_xlsx_writes_nothing(fund_world):
    assert errors_of(run(fund_world, [])) == {(None, "")}
    result = run(fund_world, [], fileobj=io.BytesIO(b"not a workbook"))
    assert errors_of(result) == {(None, "")}
    assert not DonationBatch.objects.exists()


def test_the_unit_and_the_date_are_checked_first(fund_world):
    with pytest.raises(ValidationError) as exc:
        run(fund_world, [["张三", 1, None, None]], unit=None, received_on=D(2026, 6, 1))
    assert set(exc.value.message_dict) == {"unit", "received_on"}
    assert not Donation.objects.exists()


def test_only_the_fund_officer_imports(fund_world):
    for role in ("committee", "unit_admin", "member"):
        with pytest.raises(PermissionDenied):
            run(fund_world, [["张三", 1, None, None]], actor=getattr(fund_world.users, role))
    assert not DonationBatch.objects.exists()


def test_a_list_into_a_closed_month_writes_nothing(fund_world):
    Period.objects.create(month=D(2026, 4, 1), closed_at=timezone.now())
    before = counts()
    with pytest.raises(Conflict):
        run(
            fund_world,
            [["张三", 1, None, None], ["李四", 2, None, None]],
            received_on=D(2026, 4, 3),
        )
    assert counts() == before
