"""The ledger's guards: the database refuses to edit a voucher or a line (both databases) and, on
PostgreSQL, to delete one or to commit a voucher whose debits and credits differ; the posting
service refuses what the rules refuse, naming the field, and only the fund officer reverses and
closes months."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from guanqing.core.errors import Conflict
from guanqing.fund import ledger
from guanqing.fund.choices import TransactionKind
from guanqing.fund.models import Entry, Transaction

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the delete guard and the deferred balance trigger exist on PostgreSQL only",
)


@pytest.fixture
def donation(fund_world):
    a = fund_world.accounts
    return ledger.post(
        actor=fund_world.users.fund_officer,
        posted_on=fund_world.today,
        kind=TransactionKind.DONATION,
        memo="市纪委捐款",
        lines=[ledger.debit(a.bank, "1000.00"), ledger.credit(a.donations, "1000.00")],
    )


def _refused(sql: str, params=()) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, params)
    return str(caught.value)


def test_a_line_is_never_updated(donation):
    entry = donation.entries.first()
    message = _refused("UPDATE fund_entry SET debit = debit + 1 WHERE id = %s", [entry.pk])
    assert "append-only" in message
    entry.refresh_from_db()
    assert entry.debit in (Decimal("1000.00"), Decimal(0))
    assert ledger.entries_balance(ledger.standard_account(ledger.BANK)) == Decimal("1000.00")


def test_a_voucher_is_never_updated_not_even_through_the_orm(donation):
    assert "append-only" in _refused(
        "UPDATE fund_transaction SET memo = %s WHERE id = %s", ["改过", donation.pk]
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        Transaction.objects.filter(pk=donation.pk).update(posted_on=datetime.date(2026, 1, 1))
    donation.refresh_from_db()
    assert donation.memo == "市纪委捐款"


@postgresql_only
def test_on_postgresql_nothing_is_deleted(donation):
    entry = donation.entries.first()
    assert "append-only" in _refused("DELETE FROM fund_entry WHERE id = %s", [entry.pk])
    assert "append-only" in _refused("DELETE FROM fund_transaction WHERE id = %s", [donation.pk])
    assert Entry.objects.filter(transaction=donation).count() == 2
    assert Transaction.objects.filter(pk=donation.pk).exists()


@postgresql_only
def test_on_postgresql_an_unbalanced_voucher_is_refused_at_commit(fund_world, donation):
    """A line added by hand to a balanced voucher makes it unbalanced: the deferred trigger
    refuses it (checked now instead of at commit)."""
    with (
        pytest.raises(DatabaseError, match="not balanced"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "INSERT INTO fund_entry (transaction_id, account_id, debit, credit) "
            "VALUES (%s, %s, 5.00, 0)",
            [donation.pk, fund_world.accounts.fees.pk],
        )
    assert Entry.objects.filter(transaction=donation).count() == 2


@postgresql_only
def test_on_postgresql_a_voucher_of_one_line_is_refused(fund_world, donation):
    with (
        pytest.raises(DatabaseError, match="not balanced"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "INSERT INTO fund_transaction (number, kind, posted_on, period_id, memo, "
            "created_at) VALUES ('JZ-TEST', 'fee', %s, %s, 'x', now()) RETURNING id",
            [donation.posted_on, donation.period_id],
        )
        (pk,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO fund_entry (transaction_id, account_id, debit, credit) "
            "VALUES (%s, %s, 5.00, 0)",
            [pk, fund_world.accounts.fees.pk],
        )
    assert not Transaction.objects.filter(number="JZ-TEST").exists()


@pytest.mark.parametrize(
    "lines, field",
    [
        ([("bank", "10.00", "0")], "lines"),
        ([("bank", "10.00", "0"), ("interest", "0", "10.01")], "lines"),
        ([("bank", "10.001", "0"), ("interest", "0", "10.001")], "lines[0]"),
        ([("bank", "10.00", "10.00"), ("interest", "0", "10.00")], "lines[0]"),
        ([("bank", "-10.00", "0"), ("interest", "0", "-10.00")], "lines[0]"),
        ([("bank", "NaN", "0"), ("interest", "0", "10.00")], "lines[0]"),
    ],
)
def test_posts_the_rules_refuse_name_the_field_and_write_nothing(fund_world, lines, field):
    a = fund_world.accounts
    built = [
        ledger.Line(getattr(a, name), debit=Decimal(d), credit=Decimal(c)) for name, d, c in lines
    ]
    with pytest.raises(ValidationError) as caught:
        ledger.post(
            actor=fund_world.users.fund_officer,
            posted_on=fund_world.today,
            kind=TransactionKind.INTEREST,
            memo="利息",
            lines=built,
        )
    assert field in caught.value.message_dict
    assert not Transaction.objects.exists() and not Entry.objects.exists()


def test_a_payment_the_bank_cannot_cover_is_refused_and_leaves_it_as_it_was(fund_world, donation):
    a = fund_world.accounts
    with pytest.raises(Conflict, match="1000.00"):
        ledger.post(
            actor=fund_world.users.fund_officer,
            posted_on=fund_world.today,
            kind=TransactionKind.AID,
            memo="帮扶金",
            lines=[ledger.debit(a.aid_paid, "1000.01"), ledger.credit(a.bank, "1000.01")],
        )
    assert ledger.bank_balance() == Decimal("1000.00")
    assert Transaction.objects.count() == 1


def test_vouchers_are_numbered_within_their_month(fund_world, donation):
    a = fund_world.accounts
    officer = fund_world.users.fund_officer
    second = ledger.post(
        actor=officer,
        posted_on=fund_world.today,
        kind=TransactionKind.FEE,
        memo="手续费",
        lines=[ledger.debit(a.fees, "1.00"), ledger.credit(a.bank, "1.00")],
    )
    april = ledger.post(
        actor=officer,
        posted_on=datetime.date(2026, 4, 30),
        kind=TransactionKind.INTEREST,
        memo="利息",
        lines=[ledger.debit(a.bank, "2.00"), ledger.credit(a.interest, "2.00")],
    )
    assert donation.number == "JZ202605-00001"
    assert second.number == "JZ202605-00002"
    assert april.number == "JZ202604-00001"


def test_only_the_fund_officer_reverses_and_closes_months(fund_world, donation):
    committee = fund_world.users.committee
    with pytest.raises(PermissionDenied):
        ledger.reverse(actor=committee, transaction=donation, posted_on=fund_world.today)
    with pytest.raises(PermissionDenied):
        ledger.period_close(actor=committee, month=datetime.date(2026, 4, 1))
    assert not Transaction.objects.filter(kind=TransactionKind.REVERSAL).exists()


def test_a_month_before_a_closed_month_takes_no_posts(fund_world):
    """April closes while March has no voucher: a post dated in March would change April's
    closing balance, so it is refused."""
    a = fund_world.accounts
    officer = fund_world.users.fund_officer
    ledger.period_close(actor=officer, month=datetime.date(2026, 4, 1))
    with pytest.raises(Conflict):
        ledger.post(
            actor=officer,
            posted_on=datetime.date(2026, 3, 31),
            kind=TransactionKind.INTEREST,
            memo="利息",
            lines=[ledger.debit(a.bank, "2.00"), ledger.credit(a.interest, "2.00")],
        )
    assert ledger.bank_balance() == 0 and not Transaction.objects.exists()
