"""Recording a donation: each rule and its error, the ledger posting in the same transaction, the
receipt numbers, the audit trail — and nothing half-written when a gift is refused."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanqing.core.errors import Conflict
from guanqing.core.models import AuditEvent
from guanqing.fund import donation_services as services
from guanqing.fund import ledger
from guanqing.fund.choices import DonationSource, TransactionKind
from guanqing.fund.models import Donation, Entry, Period, Transaction
from guanqing.testing import factories as f

D = datetime.date

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        Donation.objects.count(),
        Transaction.objects.count(),
        Entry.objects.count(),
        AuditEvent.objects.count(),
    )


def record(w, **overrides):
    values = {
        "actor": w.users.fund_officer,
        "source": DonationSource.UNIT,
        "unit": w.unit,
        "amount": Decimal("5000.00"),
        "received_on": D(2026, 5, 11),
    }
    values.update(overrides)
    return services.donation_record(**values)


def test_a_units_gift_posts_bank_against_the_units_donations_and_gets_a_receipt(fund_world):
    w = fund_world
    before = AuditEvent.objects.count()
    donation = record(w)
    assert donation.receipt_number == "HA2026-000001"
    assert donation.donor_name == w.unit.name
    assert donation.member is None
    assert donation.recorded_by == w.users.fund_officer
    tx = donation.transaction
    assert tx.kind == TransactionKind.DONATION
    assert tx.posted_on == D(2026, 5, 11)
    lines = {(e.account_id, e.debit, e.credit) for e in tx.entries.all()}
    assert lines == {
        (w.accounts.bank.pk, Decimal("5000.00"), Decimal(0)),
        (w.accounts.donations.pk, Decimal(0), Decimal("5000.00")),
    }
    w.accounts.bank.refresh_from_db()
    w.accounts.donations.refresh_from_db()
    assert w.accounts.bank.balance == Decimal("5000.00")
    assert w.accounts.donations.balance == Decimal("5000.00")
    assert ledger.entries_balance(w.accounts.donations) == Decimal("5000.00")
    # the voucher and the donation are both in the audit log
    events = AuditEvent.objects.order_by("pk")[before:]
    assert {e.object_type for e in events} == {"fund.transaction", "fund.donation"}


def test_a_members_gift_names_the_donor_and_may_link_the_member_of_its_unit(fund_world):
    w = fund_world
    named = record(w, source=DonationSource.MEMBER, donor_name="王工会", amount=Decimal("200"))
    assert (named.donor_name, named.member) == ("王工会", None)
    linked = record(w, source=DonationSource.MEMBER, member=w.member, amount=Decimal("100.5"))
    assert linked.donor_name == w.member.name
    assert linked.member == w.member
    assert linked.amount == Decimal("100.50")
    assert linked.receipt_number == "HA2026-000002"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("-5")}, "amount"),
        ({"amount": Decimal("10.005")}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": None}, "amount"),
        ({"amount": Decimal("1000000000000")}, "amount"),
        ({"received_on": D(2026, 5, 14)}, "received_on"),
        ({"received_on": None}, "received_on"),
        ({"source": "gift"}, "source"),
        ({"unit": None}, "unit"),
        ({"source": DonationSource.MEMBER}, "donor_name"),
        ({"source": DonationSource.MEMBER, "donor_name": "   "}, "donor_name"),
        ({"donor_name": "x" * 101}, "donor_name"),
        ({"note": "x" * 201}, "note"),
    ],
)
def test_each_rule_refuses_naming_its_field_and_writes_nothing(fund_world, overrides, field):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        record(fund_world, **overrides)
    assert field in exc.value.message_dict
    assert counts() == before


def test_a_member_of_another_unit_is_refused(fund_world):
    w = fund_world
    before = counts()
    with pytest.raises(ValidationError) as exc:
        record(w, source=DonationSource.MEMBER, member=w.other_member)
    assert list(exc.value.message_dict) == ["member"]
    assert w.other_member.name in exc.value.message_dict["member"][0]
    assert counts() == before


def test_a_units_gift_names_no_member(fund_world):
    with pytest.raises(ValidationError) as exc:
        record(fund_world, member=fund_world.member)
    assert list(exc.value.message_dict) == ["member"]


def test_an_inactive_unit_is_refused(fund_world):
    unit = f.UnitFactory(name="已撤销单位", is_active=False)
    with pytest.raises(ValidationError) as exc:
        record(fund_world, unit=unit)
    assert list(exc.value.message_dict) == ["unit"]


def test_errors_are_collected_at_once(fund_world):
    with pytest.raises(ValidationError) as exc:
        record(fund_world, amount=Decimal("0"), received_on=D(2030, 1, 1), source="x")
    assert set(exc.value.message_dict) == {"amount", "received_on", "source"}


@pytest.mark.parametrize(
    "role",
    [
        "committee",
        "unit_admin",
        "member",
        "community_worker",
        "window_clerk",
        "system_admin",
        "security_admin",
        "audit_admin",
    ],
)
def test_only_the_fund_officer_records(fund_world, role):
    before = counts()
    with pytest.raises(PermissionDenied):
        record(fund_world, actor=getattr(fund_world.users, role))
    assert counts() == before


def test_a_gift_into_a_closed_month_is_a_conflict_and_writes_nothing(fund_world):
    Period.objects.create(month=D(2026, 4, 1), closed_at=timezone.now())
    before = counts()
    with pytest.raises(Conflict):
        record(fund_world, received_on=D(2026, 4, 20))
    assert counts() == before


def test_receipt_numbers_run_within_the_year_and_restart_each_year(fund_world):
    w = fund_world
    numbers = [
        record(w, received_on=D(2026, 3, 2)).receipt_number,
        record(w, received_on=D(2025, 12, 30)).receipt_number,
        record(w, received_on=D(2026, 5, 12)).receipt_number,
        record(w, received_on=D(2025, 1, 5)).receipt_number,
        record(w, received_on=D(2026, 1, 2)).receipt_number,
    ]
    assert numbers == [
        "HA2026-000001",
        "HA2025-000001",
        "HA2026-000002",
        "HA2025-000002",
        "HA2026-000003",
    ]


def test_the_next_number_follows_the_highest_of_the_year(fund_world):
    w = fund_world
    for _ in range(3):
        record(w)
    assert services.next_receipt_sequence(2026) == 4
    assert services.next_receipt_sequence(2027) == 1
    assert services.receipt_number(2026, 123) == "HA2026-000123"


def test_soft_credit_totals_by_unit_and_year(fund_world):
    w = fund_world
    record(w, amount=Decimal("5000"))
    record(w, source=DonationSource.MEMBER, member=w.member, amount=Decimal("100"))
    record(w, source=DonationSource.MEMBER, member=w.member, amount=Decimal("50"))
    record(w, source=DonationSource.MEMBER, donor_name="王工会", amount=Decimal("20.5"))
    record(w, unit=w.other_unit, amount=Decimal("3000"))
    record(w, unit=w.other_unit, amount=Decimal("999"), received_on=D(2025, 6, 1))
    totals = services.donation_totals(year=2026)
    rows = {row["unit"]: row for row in totals["rows"]}
    assert rows[w.unit]["own"] == Decimal("5000")
    assert rows[w.unit]["staff"] == Decimal("170.50")
    assert rows[w.unit]["total"] == Decimal("5170.50")
    assert rows[w.unit]["donors"] == 2  # 张三 twice counts once, and 王工会
    assert rows[w.other_unit]["total"] == Decimal("3000")
    assert rows[w.other_unit]["donors"] == 0
    assert [row["unit"] for row in totals["rows"]] == [w.unit, w.other_unit]
    assert totals["city"]["total"] == Decimal("8170.50")
    assert totals["city"]["units"] == 2
    assert totals["article"] == {"units": 106, "total": Decimal("564769.00")}
    assert services.donation_totals(year=2025)["city"]["total"] == Decimal("999")
    # a unit's administrator: its unit only
    mine = services.donation_totals(year=2026, user=w.users.unit_admin)
    assert [row["unit"] for row in mine["rows"]] == [w.unit]


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0.01", "壹分"),
        ("0.10", "壹角整"),
        ("0", "零元整"),
        ("10", "壹拾元整"),
        ("500", "伍佰元整"),
        ("1005.30", "壹仟零伍元叁角整"),
        ("10.01", "壹拾元零壹分"),
        ("100010", "壹拾万零壹拾元整"),
        ("101000", "壹拾万壹仟元整"),
        ("564769", "伍拾陆万肆仟柒佰陆拾玖元整"),
        ("1000000.50", "壹佰万元伍角整"),
        ("1000000.05", "壹佰万元零伍分"),
        ("100000000", "壹亿元整"),
        ("100010000", "壹亿零壹万元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_amount_in_words(amount, words):
    assert services.amount_in_words(Decimal(amount)) == words


def test_amount_in_words_refuses_a_negative_amount():
    with pytest.raises(ValueError):
        services.amount_in_words(Decimal("-1"))


def test_money_in_yuan_and_wan_yuan():
    assert services.yuan(Decimal("564769")) == "564,769.00"
    assert services.wan_yuan(Decimal("564769")) == "56.48"
