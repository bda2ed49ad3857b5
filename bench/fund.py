"""Posting 汇爱 aid payments under 32 concurrent clients on PostgreSQL, against a minimal locked
balance update, side by side in one run.

Each of `--clients` threads (32) holds its own database connection; together they make
`--payments` payment attempts (3,200; `--quick` 640) of 100.00 元 each, as fast as they can, in
two kinds of round, alternately (`--rounds`, 3; `--quick` 1 of each):

- the baseline, the least a locked balance can cost: BEGIN; SELECT balance FROM a one-row table
  FOR UPDATE; if it holds the amount, UPDATE balance = balance - amount; COMMIT;
- the ledger: `guanqing.fund.ledger.post` of the payment (Dr aid paid / Cr bank), as the payment
  service posts it: the month and the accounts locked, the bank checked, the voucher numbered,
  two lines written, the balances moved and the audit record appended, in one transaction.

Before each round the balance is set to hold only nine tenths of the attempts (plus 50.00 元), so
the last tenth of every round must be refused: exactly that many succeed. After each round the
database is checked: successes counted from the calls against what the balance allowed, the bank
(kept balance and sum of its entries, which must agree) and the baseline row never below zero.
Prints payments per second of both (attempts answered, successes and refusals), the overdrafts
(`overdrafts=<n>`, must be 0; any exits non-zero after printing), and the last line
`ratio=<ledger payments per second / baseline payments per second>` (medians over the rounds).
Target (printed, not asserted): ratio ≥ 0.5 with 0 overdrafts.

PostgreSQL: `--database-url postgres://…` names an empty, throwaway database (it is migrated and
written to). Without it, when run as root on a machine with PostgreSQL 15
(/usr/lib/postgresql/15/bin), a throwaway server is started in a temporary folder as `.ci/run`
does (`fsync=off`; `--durable` keeps PostgreSQL's defaults) and deleted at the end.

Usage: python bench/fund.py [--quick] [--payments N] [--clients N] [--rounds N]
       [--database-url postgres://… | --durable] [--keep]
"""

from __future__ import annotations

import argparse
import datetime
import signal
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from claims import PGBIN, start_postgres  # noqa: E402 - the bench's own helpers
from common import start_django  # noqa: E402

CLIENTS = 32
AMOUNT = Decimal("100.00")
SPARE = Decimal("50.00")  # less than one payment: the balance allows exactly `allowed`
BASELINE_TABLE = "bench_fund_balance"


def _run_clients(n_clients: int, attempts: int, pay) -> tuple[float, int, int, list[str]]:
    """`attempts` calls of `pay()` shared by `n_clients` threads, each on its own connection,
    started together. Returns (seconds, successes, refusals, errors)."""
    from django.db import connections

    lock = threading.Lock()
    left = [attempts]
    counts = {"paid": 0, "refused": 0}
    errors: list[str] = []
    barrier = threading.Barrier(n_clients + 1)

    def work():
        try:
            connections["default"].ensure_connection()
            barrier.wait(timeout=60)
            while True:
                with lock:
                    if left[0] == 0:
                        return
                    left[0] -= 1
                outcome = pay()
                with lock:
                    counts[outcome] += 1
        except Exception as exc:  # noqa: BLE001 - reported, and the run fails
            with lock:
                errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(n_clients)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, counts["paid"], counts["refused"], errors


# --- the baseline: one locked row ------------------------------------------------------------


def baseline_prepare(balance: Decimal) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {BASELINE_TABLE} "
            "(id integer PRIMARY KEY, balance numeric(14, 2) NOT NULL)"
        )
        cursor.execute(f"DELETE FROM {BASELINE_TABLE}")
        cursor.execute(f"INSERT INTO {BASELINE_TABLE} (id, balance) VALUES (1, %s)", [balance])


def baseline_pay() -> str:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT balance FROM {BASELINE_TABLE} WHERE id = 1 FOR UPDATE")
        (balance,) = cursor.fetchone()
        if balance < AMOUNT:
            return "refused"
        cursor.execute(f"UPDATE {BASELINE_TABLE} SET balance = balance - %s WHERE id = 1", [AMOUNT])
    return "paid"


def baseline_balance() -> Decimal:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT balance FROM {BASELINE_TABLE} WHERE id = 1")
        return cursor.fetchone()[0]


# --- the ledger ------------------------------------------------------------------------------


def ledger_prepare(officer, balance: Decimal, today: datetime.date) -> None:
    """Move the bank to `balance`: interest in, or a fee out."""
    from guanqing.fund import ledger
    from guanqing.fund.choices import TransactionKind

    bank = ledger.standard_account(ledger.BANK)
    bank.refresh_from_db()
    gap = balance - bank.balance
    if gap > 0:
        lines = [
            ledger.debit(bank, gap),
            ledger.credit(ledger.standard_account(ledger.INTEREST), gap),
        ]
        kind = TransactionKind.INTEREST
    elif gap < 0:
        lines = [
            ledger.debit(ledger.standard_account(ledger.FEES), -gap),
            ledger.credit(bank, -gap),
        ]
        kind, gap = TransactionKind.FEE, -gap
    else:
        return
    ledger.post(actor=officer, posted_on=today, kind=kind, memo="bench: balance", lines=lines)


def ledger_payer(officer, today: datetime.date):
    from guanqing.core.errors import Conflict
    from guanqing.fund import ledger
    from guanqing.fund.choices import TransactionKind

    bank = ledger.standard_account(ledger.BANK)
    aid_paid = ledger.standard_account(ledger.AID_PAID)
    lines = [ledger.debit(aid_paid, AMOUNT), ledger.credit(bank, AMOUNT)]

    def pay() -> str:
        try:
            ledger.post(
                actor=officer,
                posted_on=today,
                kind=TransactionKind.AID,
                memo="bench: 帮扶金",
                lines=lines,
            )
        except Conflict:
            return "refused"
        return "paid"

    return pay


def ledger_check() -> tuple[Decimal, Decimal]:
    from guanqing.fund import ledger

    bank = ledger.standard_account(ledger.BANK)
    return bank.balance, ledger.entries_balance(bank)


# --- the run ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="640 payments, one round of each")
    parser.add_argument("--payments", type=int, default=None, help="attempts a round (3,200)")
    parser.add_argument("--clients", type=int, default=CLIENTS, help="concurrent clients (32)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds of each kind (3)")
    parser.add_argument("--database-url", default=None, help="an empty, throwaway PostgreSQL")
    parser.add_argument(
        "--durable",
        action="store_true",
        help="throwaway server with PostgreSQL's default fsync and synchronous_commit",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary PostgreSQL folder")
    args = parser.parse_args()
    attempts = args.payments or (640 if args.quick else 3200)
    rounds = args.rounds or (1 if args.quick else 3)
    allowed = attempts * 9 // 10
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    database_url = args.database_url
    if not database_url:
        if not (PGBIN / "initdb").exists():
            sys.exit("bench/fund.py needs PostgreSQL: give --database-url or install PostgreSQL 15")
        database_url, _pid = start_postgres(args.keep, args.durable)
    start_django(keep=None, database_url=database_url)
    from django.core.management import call_command
    from django.db import connection

    from guanqing.accounts.models import User
    from guanqing.core.calendar.workdays import business_date

    if connection.vendor != "postgresql":
        sys.exit("bench/fund.py measures PostgreSQL: --database-url postgres://…")
    call_command("migrate", verbosity=0)
    officer, _created = User.objects.get_or_create(
        username="bench_fund_officer", defaults={"role": "fund_officer"}
    )
    today = business_date()
    start_balance = AMOUNT * allowed + SPARE
    print(
        f"PostgreSQL {connection.pg_version // 10000}; {args.clients} clients, {attempts:,} "
        f"payments of {AMOUNT} 元 a round, the balance allowing {allowed:,} "
        f"({start_balance} 元); {rounds} round(s) of each",
        flush=True,
    )
    speeds: dict[str, list[float]] = {"baseline": [], "ledger": []}
    overdrafts = 0
    problems: list[str] = []
    print(f"\n{'round':18} {'seconds':>8} {'paid':>6} {'refused':>8} {'payments/s':>11}")
    for number in range(1, rounds + 1):
        for kind in ("baseline", "ledger"):
            if kind == "baseline":
                baseline_prepare(start_balance)
                pay = baseline_pay
            else:
                ledger_prepare(officer, start_balance, today)
                pay = ledger_payer(officer, today)
            connection.close()
            seconds, paid, refused, errors = _run_clients(args.clients, attempts, pay)
            speeds[kind].append(attempts / seconds)
            print(
                f"{kind + ' ' + str(number):18} {seconds:8.2f} {paid:6,} {refused:8,} "
                f"{attempts / seconds:11.0f}",
                flush=True,
            )
            problems += errors[:3]
            if paid > allowed:
                overdrafts += paid - allowed
            if paid + refused != attempts:
                problems.append(f"{kind}: {attempts - paid - refused} attempts unanswered")
            if kind == "baseline":
                left = baseline_balance()
                if left < 0:
                    overdrafts += 1
            else:
                kept, entries = ledger_check()
                if kept < 0 or entries < 0:
                    overdrafts += 1
                if kept != entries:
                    problems.append(f"ledger: kept balance {kept} ≠ entries {entries}")
                left = kept
            if left != start_balance - AMOUNT * paid:
                problems.append(f"{kind}: balance {left} after {paid} payments")
            if paid != allowed:
                problems.append(f"{kind}: {paid} paid, the balance allowed {allowed}")
    base, posted = statistics.median(speeds["baseline"]), statistics.median(speeds["ledger"])
    ratio = posted / base
    print(
        f"\nmedian payments/s: baseline {base:.0f}, ledger.post {posted:.0f}; "
        "target ratio ≥ 0.5 with 0 overdrafts"
    )
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print(f"overdrafts={overdrafts}")
    print(f"ratio={ratio:.2f}")
    if overdrafts or problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
