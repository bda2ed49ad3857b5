"""The ledger's invariants on random sequences of operations: donations (Dr bank / Cr the unit's
donations), aid payments (Dr aid paid / Cr bank), bank fees, interest, unbalanced posts, reversals
of random earlier vouchers (reversals among them), month closes and posts into closed months.

After every operation: every voucher balances with at least two lines, each account's kept balance
equals the sum of its entries, and the bank is never below zero. Each operation is accepted
exactly when a plain model of the rules says so (the bank holds the amount, the month and every
later one is open, a voucher is reversed at most once and a reversal never), and a refused one
changes no row at all. At the end every reversal nets its original to zero, account by account.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from guanqing.core.errors import Conflict
from guanqing.core.models import AuditEvent
from guanqing.fund import ledger
from guanqing.fund.choices import TransactionKind
from guanqing.fund.models import Account, Entry, Period, Transaction

YEAR = 2026
MONTHS = range(1, 6)  # January to May 2026 (the pinned day is in May)

month = st.integers(min(MONTHS), max(MONTHS))
day = st.integers(1, 28)
cents = st.integers(1, 300_000)  # 0.01 … 3,000.00 元
operation = st.one_of(
    st.tuples(st.just("donate"), month, day, cents, st.integers(0, 1)),
    st.tuples(st.just("pay"), month, day, cents),
    st.tuples(st.just("fee"), month, day, st.integers(1, 5_000)),
    st.tuples(st.just("interest"), month, day, st.integers(1, 20_000)),
    st.tuples(st.just("unbalanced"), month, day, cents),
    st.tuples(st.just("reverse"), month, day, st.integers(0, 1_000)),
    st.tuples(st.just("close"), month),
)


def _yuan(value: int) -> Decimal:
    return Decimal(value) / 100


def _counts() -> tuple:
    return (
        Transaction.objects.count(),
        Entry.objects.count(),
        Period.objects.count(),
        Period.objects.filter(closed_at__isnull=False).count(),
        AuditEvent.objects.count(),
        tuple(Account.objects.order_by("pk").values_list("balance", flat=True)),
    )


def _assert_invariants():
    per_voucher = Entry.objects.values("transaction_id").annotate(
        n=Count("id"), d=Sum("debit"), c=Sum("credit")
    )
    assert len(per_voucher) == Transaction.objects.count()
    for row in per_voucher:
        assert row["n"] >= 2 and row["d"] == row["c"], row
    for account in Account.objects.all():
        assert account.balance == ledger.entries_balance(account), account
    assert ledger.bank_balance() >= 0


class Books:
    """What the rules say should happen, kept beside the database."""

    def __init__(self):
        self.bank = Decimal(0)
        self.closed: set[int] = set()
        self.vouchers_in: Counter[int] = Counter()
        self.posted: list[Transaction] = []
        self.reversed: set[int] = set()

    def open_for_posts(self, month: int) -> bool:
        return not any(closed >= month for closed in self.closed)

    def may_close(self, month: int) -> bool:
        return month not in self.closed and not any(
            self.vouchers_in[earlier] and earlier not in self.closed for earlier in range(1, month)
        )


@pytest.fixture
def actor(fund_world):
    return fund_world.users.fund_officer


def _lines(kind: str, amount: Decimal, unit_index: int, units) -> list[ledger.Line]:
    bank = ledger.standard_account(ledger.BANK)
    if kind == "donate":
        return [
            ledger.debit(bank, amount),
            ledger.credit(ledger.donations_account(units[unit_index]), amount),
        ]
    if kind == "pay":
        return [
            ledger.debit(ledger.standard_account(ledger.AID_PAID), amount),
            ledger.credit(bank, amount),
        ]
    if kind == "fee":
        return [
            ledger.debit(ledger.standard_account(ledger.FEES), amount),
            ledger.credit(bank, amount),
        ]
    if kind == "interest":
        return [
            ledger.debit(bank, amount),
            ledger.credit(ledger.standard_account(ledger.INTEREST), amount),
        ]
    # unbalanced: a fen more on the credit side
    return [
        ledger.debit(bank, amount),
        ledger.credit(ledger.standard_account(ledger.INTEREST), amount + Decimal("0.01")),
    ]


KINDS = {
    "donate": TransactionKind.DONATION,
    "pay": TransactionKind.AID,
    "fee": TransactionKind.FEE,
    "interest": TransactionKind.INTEREST,
    "unbalanced": TransactionKind.INTEREST,
}
BANK_SIGN = {"donate": 1, "pay": -1, "fee": -1, "interest": 1, "unbalanced": 1}


def _bank_move(tx: Transaction) -> Decimal:
    bank = ledger.standard_account(ledger.BANK)
    sums = tx.entries.filter(account=bank).aggregate(d=Sum("debit"), c=Sum("credit"))
    return (sums["d"] or 0) - (sums["c"] or 0)


def _run(op, books: Books, actor, units):
    kind = op[0]
    before = _counts()
    accepted = False
    if kind == "close":
        expected = books.may_close(op[1])
        try:
            ledger.period_close(actor=actor, month=datetime.date(YEAR, op[1], 1))
            accepted = True
        except Conflict:
            pass
        assert accepted == expected, (op, books.closed, dict(books.vouchers_in))
        if accepted:
            books.closed.add(op[1])
        return before, accepted
    posted_on = datetime.date(YEAR, op[1], op[2])
    if kind == "reverse":
        if not books.posted:
            return before, False
        original = books.posted[op[3] % len(books.posted)]
        move = -_bank_move(original)
        expected = (
            original.kind != TransactionKind.REVERSAL
            and original.pk not in books.reversed
            and books.open_for_posts(op[1])
            and books.bank + move >= 0
        )
        try:
            tx = ledger.reverse(actor=actor, transaction=original, posted_on=posted_on)
            accepted = True
        except Conflict:
            pass
        assert accepted == expected, (op, original.kind, original.pk in books.reversed)
        if accepted:
            books.reversed.add(original.pk)
            books.bank += move
            assert tx.reverses_id == original.pk and _bank_move(tx) == move
    else:
        amount = _yuan(op[3])
        move = BANK_SIGN[kind] * amount
        expected = kind != "unbalanced" and books.open_for_posts(op[1]) and books.bank + move >= 0
        try:
            tx = ledger.post(
                actor=actor,
                posted_on=posted_on,
                kind=KINDS[kind],
                memo=f"{kind} {amount}",
                lines=_lines(kind, amount, op[4] if kind == "donate" else 0, units),
            )
            accepted = True
        except ValidationError as error:
            assert kind == "unbalanced" and set(error.message_dict) == {"lines"}, error
        except Conflict:
            pass
        assert accepted == expected, (op, books.bank, books.closed)
        if accepted:
            books.bank += move
    if accepted:
        books.posted.append(tx)
        books.vouchers_in[op[1]] += 1
    return before, accepted


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, max_size=14))
# a payment the bank cannot cover, then one it can; a fee that empties the bank exactly
@example(
    ops=[
        ("donate", 1, 5, 10_000, 0),
        ("pay", 1, 6, 10_001),
        ("pay", 1, 7, 6_000),
        ("fee", 1, 8, 4_000),
    ]
)
# reverse a donation whose money is spent (refused), then the payment, then the donation
@example(
    ops=[
        ("donate", 1, 5, 10_000, 1),
        ("pay", 2, 1, 10_000),
        ("reverse", 2, 2, 0),
        ("reverse", 2, 2, 1),
        ("reverse", 2, 3, 0),
        ("reverse", 2, 4, 0),  # the donation again: refused
        ("reverse", 2, 4, 2),  # the first reversal: a reversal is never reversed
    ]
)
# February closes (January has no voucher) and January with it; April waits for March
@example(
    ops=[
        ("donate", 3, 1, 500, 0),
        ("close", 2),
        ("donate", 1, 9, 500, 0),
        ("close", 4),
        ("close", 3),
        ("close", 4),
        ("close", 4),
        ("interest", 4, 28, 100),
        ("interest", 5, 1, 100),
    ]
)
def test_any_sequence_of_operations_keeps_the_books_balanced(fund_world, actor, ops):
    units = [fund_world.unit, fund_world.other_unit]
    with transaction.atomic():
        books = Books()
        for op in ops:
            before, accepted = _run(op, books, actor, units)
            if not accepted:
                assert _counts() == before, op  # a refused operation leaves no trace
            _assert_invariants()
            assert ledger.bank_balance() == books.bank
        for reversal in Transaction.objects.filter(kind=TransactionKind.REVERSAL):
            net = (
                Entry.objects.filter(transaction__in=[reversal.pk, reversal.reverses_id])
                .values("account_id")
                .annotate(d=Sum("debit"), c=Sum("credit"))
            )
            assert all(row["d"] == row["c"] for row in net), list(net)
        assert len(books.reversed) == Transaction.objects.filter(kind="reversal").count()
        transaction.set_rollback(True)
