"""The payment race on PostgreSQL: 32 approved applications paid at the same moment, each from
its own thread and database connection, through the payment service (`aid_services.application_pay`,
which posts Dr aid paid / Cr bank through `ledger.post`), against a bank that holds enough for
only N of them. Exactly N succeed — counted from the calls, not read back from a counter — the
others are refused with a Conflict, and the bank's kept balance equals its entries and is never
below zero.

On SQLite every writer waits for the one before it (one database file, IMMEDIATE transactions), so
there is no race to run; the test needs PostgreSQL's row locks under real transactions.
"""

from __future__ import annotations

import datetime
import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection, connections

from guanqing.core.errors import Conflict
from guanqing.fund import aid_services, ledger
from guanqing.fund.choices import ApplicationState, Diagnosis, TransactionKind
from guanqing.fund.models import AidApplication, Entry, Payment, Transaction
from guanqing.testing import factories as f

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the concurrent payment race runs on PostgreSQL (SQLite serialises every writer)",
    ),
    pytest.mark.django_db(transaction=True),
]

CLIENTS = 32
AMOUNT = Decimal("1000.00")


def _approved_applications(world, today, n: int, officer) -> list[AidApplication]:
    decided = today - datetime.timedelta(days=3)
    applications = []
    for i in range(n):
        member = f.MemberFactory(unit=world.unit, name=f"职工{i:02d}")
        applications.append(
            AidApplication.objects.create(
                number=f"BF{today:%Y}-R{i:03d}",
                year=today.year,
                member=member,
                unit=world.unit,
                diagnosis=Diagnosis.CANCER,
                total_cost=Decimal("50000.00"),
                reimbursed=Decimal("30000.00"),
                self_paid=Decimal("20000.00"),
                amount=AMOUNT,
                state=ApplicationState.APPROVED,
                chain=["fund_officer"],
                submitted_on=decided,
                decided_on=decided,
                created_by=officer,
            )
        )
    return applications


def _pay_all_at_once(officer, applications, paid_on) -> list[str]:
    barrier = threading.Barrier(len(applications))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(index, application):
        try:
            # connect first, so that the payments start together rather than one per connect
            connections["default"].ensure_connection()
            barrier.wait(timeout=60)
            aid_services.application_pay(
                actor=officer,
                application=application,
                paid_on=paid_on,
                transfer_reference=f"RACE-{index:03d}",
            )
            outcome = "paid"
        except Conflict:
            outcome = "refused"
        except Exception as exc:  # recorded, so the test shows it instead of hanging
            outcome = repr(exc)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(applications)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return outcomes


@pytest.mark.parametrize("room_for", [1, 7, 31])
def test_32_simultaneous_payments_never_overdraw_the_bank(fund_world, room_for):
    officer = fund_world.users.fund_officer
    a = fund_world.accounts
    held = AMOUNT * room_for + Decimal("999.99")  # room for N payments, not N + 1
    ledger.post(
        actor=officer,
        posted_on=fund_world.today - datetime.timedelta(days=5),
        kind=TransactionKind.DONATION,
        memo="市纪委捐款",
        lines=[ledger.debit(a.bank, held), ledger.credit(a.donations, held)],
    )
    applications = _approved_applications(fund_world, fund_world.today, CLIENTS, officer)

    outcomes = _pay_all_at_once(officer, applications, fund_world.today)

    assert len(outcomes) == CLIENTS
    assert Counter(outcomes) == {"paid": room_for, "refused": CLIENTS - room_for}, outcomes
    bank = ledger.standard_account(ledger.BANK)
    assert bank.balance == held - AMOUNT * room_for == Decimal("999.99")
    assert bank.balance == ledger.entries_balance(bank) >= 0
    assert Payment.objects.count() == room_for
    assert Transaction.objects.filter(kind=TransactionKind.AID).count() == room_for
    paid = AidApplication.objects.filter(state=ApplicationState.PAID)
    assert set(paid.values_list("pk", flat=True)) == set(
        Payment.objects.values_list("application_id", flat=True)
    )
    numbers = list(Transaction.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == room_for + 1
    assert Entry.objects.count() == 2 * (room_for + 1)
