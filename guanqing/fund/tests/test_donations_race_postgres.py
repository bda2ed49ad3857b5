"""Receipt numbers under concurrency on PostgreSQL: 24 gifts recorded at the same moment, each from
its own thread and database connection, dated in different months of one year (so that they lock
different months of the books). Every one succeeds, and they hold the year's numbers 1…24 once
each: the number is drawn under the year's lock (`donation_services.lock_receipt_year`).

On SQLite every writer waits for the one before it, so there is no race to run."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from guanqing.fund import donation_services as services
from guanqing.fund import ledger
from guanqing.fund.choices import DonationSource
from guanqing.fund.models import Donation

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the concurrent receipt numbers run on PostgreSQL (SQLite serialises every writer)",
    ),
    pytest.mark.django_db(transaction=True),
]

CLIENTS = 24


def test_concurrent_gifts_draw_distinct_running_numbers(fund_world):
    w = fund_world
    barrier = threading.Barrier(CLIENTS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(index):
        try:
            connections["default"].ensure_connection()
            barrier.wait(timeout=60)
            donation = services.donation_record(
                actor=w.users.fund_officer,
                source=DonationSource.MEMBER,
                unit=w.unit,
                donor_name=f"职工{index:02d}",
                amount=Decimal("10.00"),
                received_on=datetime.date(2026, index % 5 + 1, 2),
            )
            outcome = donation.receipt_number
        except Exception as exc:  # noqa: BLE001 - counted as a failure below
            outcome = f"error: {exc!r}"
        finally:
            connections["default"].close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == [services.receipt_number(2026, n) for n in range(1, CLIENTS + 1)]
    assert Donation.objects.count() == CLIENTS
    bank = ledger.standard_account(ledger.BANK)
    assert bank.balance == Decimal("10.00") * CLIENTS == ledger.entries_balance(bank)
