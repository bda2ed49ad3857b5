"""The fund's double-entry ledger: the one place that posts, reverses and closes periods.

`post` is the balance rule: every transaction has at least two lines, each line a debit or a credit
of a positive amount in 元 (two decimals), the debits equal the credits, its date falls in an open
month, and no asset account (the bank) goes below zero. Under one database transaction it locks the
month and the accounts it touches (in a fixed order, so two posts never wait on each other in a
cycle), numbers the voucher within its month, writes the lines and moves each account's kept
balance. Two payments at the same moment therefore see each other: the second waits for the first
and is refused when the bank no longer holds its amount.

Nothing posted is ever changed: `reverse` posts the same lines the other way round, dated in an
open month, pointing at the transaction it corrects (once).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db import transaction as db_transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guanqing.core import audit
from guanqing.core.errors import Conflict
from guanqing.core.services import merge_errors
from guanqing.fund.choices import AccountKind, TransactionKind
from guanqing.fund.models import Account, Entry, Period, Transaction

CENT = Decimal("0.01")
AMOUNT_MAX = Decimal("999999999999.99")

BANK = "1001"
AID_PAID = "5001"
FEES = "5002"
INTEREST = "4002"
DONATIONS_PREFIX = "4001-"  # + the donating unit's code

STANDARD_ACCOUNTS = (
    (BANK, "银行存款", AccountKind.ASSET),
    (INTEREST, "利息收入", AccountKind.INCOME),
    (AID_PAID, "帮扶金支出", AccountKind.EXPENSE),
    (FEES, "银行手续费", AccountKind.EXPENSE),
)


@dataclass(frozen=True)
class Line:
    account: Account
    debit: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)


def debit(account: Account, amount) -> Line:
    return Line(account, debit=Decimal(amount))


def credit(account: Account, amount) -> Line:
    return Line(account, credit=Decimal(amount))


# --- accounts --------------------------------------------------------------------------------


def standard_account(code: str) -> Account:
    """One of the standard accounts, created on first use."""
    for known, name, kind in STANDARD_ACCOUNTS:
        if known == code:
            return Account.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})[
                0
            ]
    raise LookupError(code)


def donations_account(unit) -> Account:
    """The income account of donations received from `unit` (created on its first gift)."""
    account = Account.objects.filter(unit=unit).first()
    if account is None:
        account = Account.objects.get_or_create(
            code=f"{DONATIONS_PREFIX}{unit.pk:05d}",
            defaults={
                "name": _("捐款收入—%(unit)s") % {"unit": unit.name},
                "kind": AccountKind.INCOME,
                "unit": unit,
            },
        )[0]
    return account


def bank_balance(as_of: datetime.date | None = None) -> Decimal:
    """The bank account's balance: the kept one, or the sum of its entries up to `as_of`."""
    bank = standard_account(BANK)
    if as_of is None:
        return bank.balance
    return entries_balance(bank, as_of)


def entries_balance(account: Account, as_of: datetime.date | None = None) -> Decimal:
    """The balance from the entries (up to and including `as_of`), in the account's direction."""
    entries = Entry.objects.filter(account=account)
    if as_of is not None:
        entries = entries.filter(transaction__posted_on__lte=as_of)
    sums = entries.aggregate(d=Sum("debit"), c=Sum("credit"))
    debits, credits = sums["d"] or Decimal(0), sums["c"] or Decimal(0)
    return (debits - credits) if account.debit_normal else (credits - debits)


# --- periods ---------------------------------------------------------------------------------


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _period_locked(day: datetime.date) -> Period:
    period, _created = Period.objects.get_or_create(month=month_of(day))
    return Period.objects.select_for_update().get(pk=period.pk)


def lock_year(year: int) -> Period:
    """The lock of numbering within `year` (receipts, applications): the row of the year's first
    month, created if need be, SELECT … FOR UPDATE. Taken before `post` locks a month and the
    accounts (see `post` for the order). SQLite serialises writes anyway."""
    period, _created = Period.objects.get_or_create(month=datetime.date(year, 1, 1))
    return Period.objects.select_for_update().get(pk=period.pk)


def period_close(*, actor, month: datetime.date) -> Period:
    """Close a month: nothing may be posted into it afterwards. Months close in order."""
    from guanqing.fund.access import access

    access.check(actor, "post")
    with db_transaction.atomic():
        period = _period_locked(month)
        if period.is_closed:
            raise Conflict(_("%(month)s 已结账") % {"month": f"{period.month:%Y-%m}"})
        if (
            Period.objects.filter(month__lt=period.month, closed_at__isnull=True)
            .filter(transactions__isnull=False)
            .exists()
        ):
            raise Conflict(_("请先结清之前有凭证的月份"))
        period.closed_at = timezone.now()
        period.closed_by = actor
        period.save(update_fields=["closed_at", "closed_by"])
        audit.record(
            actor=actor,
            action="update",
            obj=period,
            changes={"closed_at": [None, period.closed_at.isoformat()]},
            message=_("结账"),
        )
    return period


# --- posting ---------------------------------------------------------------------------------


def _check_lines(lines: list[Line]) -> dict:
    errors: dict[str, list[str]] = {}
    if len(lines) < 2:
        errors["lines"] = [_("一笔凭证至少有一借一贷两条分录")]
        return errors
    for index, line in enumerate(lines):
        amounts = (line.debit, line.credit)
        if any(not isinstance(a, Decimal) or not a.is_finite() for a in amounts):
            errors[f"lines[{index}]"] = [_("应为金额（元）")]
        elif (line.debit > 0) == (line.credit > 0) or line.debit < 0 or line.credit < 0:
            errors[f"lines[{index}]"] = [_("每条分录只记借方或贷方的一个正数金额")]
        elif any(a != a.quantize(CENT) for a in amounts):
            errors[f"lines[{index}]"] = [_("金额最多保留两位小数")]
        elif max(amounts) > AMOUNT_MAX:
            errors[f"lines[{index}]"] = [_("金额过大")]
    if not errors:
        debits = sum((line.debit for line in lines), Decimal(0))
        credits = sum((line.credit for line in lines), Decimal(0))
        if debits != credits:
            errors["lines"] = [
                _("借方合计 %(debits)s 元与贷方合计 %(credits)s 元不等")
                % {"debits": debits, "credits": credits}
            ]
    return errors


def _move_balances(moves: dict[int, Decimal]) -> dict[int, tuple[str, str, Decimal]]:
    """Move the kept balances of the accounts in `moves` (pk → change in the account's direction)
    and take their row locks; {pk: (name, kind, new balance)}.

    PostgreSQL: one UPDATE … RETURNING, the rows locked in id order first (two posts never wait on
    each other in a cycle), the sums exact in `numeric`. SQLite (one writer at a time) keeps
    decimals as floating point, so the new balances are computed here in Decimal and written."""
    table = Account._meta.db_table
    ids = list(moves)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cases = " ".join("WHEN %s THEN %s::numeric" for _pk in ids)
            cursor.execute(
                f"UPDATE {table} SET balance = balance + CASE id {cases} END WHERE id IN ("  # noqa: S608
                f"SELECT id FROM {table} WHERE id IN ({marks}) ORDER BY id FOR UPDATE"
                ") RETURNING id, name, kind, balance",
                [*[v for pk in ids for v in (pk, moves[pk])], *ids],
            )
            return {pk: (name, kind, Decimal(balance)) for pk, name, kind, balance in cursor}
        cursor.execute(
            f"SELECT id, name, kind, balance FROM {table} WHERE id IN ({marks})",  # noqa: S608
            ids,
        )
        moved = {
            pk: (name, kind, (Decimal(str(balance)) + moves[pk]).quantize(CENT))
            for pk, name, kind, balance in cursor.fetchall()
        }
        cases = " ".join("WHEN %s THEN %s" for _pk in ids)
        cursor.execute(
            f"UPDATE {table} SET balance = CASE id {cases} END WHERE id IN ({marks})",  # noqa: S608
            [*[v for pk in ids for v in (pk, str(moved[pk][2]))], *ids],
        )
        return moved


def _take_number(month: datetime.date) -> tuple[int, int] | None:
    """Lock the open month `month` and take its next voucher number, in one statement: (period
    id, number); None when the month has no row yet, or it or a later month is closed (a post
    into a month before a closed one would change that one's closing balance)."""
    table = Period._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + 1 "  # noqa: S608 - no user text
            "WHERE month = %s AND closed_at IS NULL AND NOT EXISTS ("
            f"SELECT 1 FROM {table} later WHERE later.month > %s AND later.closed_at IS NOT NULL"
            ") RETURNING id, last_number",
            [month, month],
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def post(
    *,
    actor,
    posted_on: datetime.date,
    kind: str,
    memo: str,
    lines: Iterable[Line],
    reverses: Transaction | None = None,
) -> Transaction:
    """Post one balanced transaction (see the module), inside the caller's atomic block when the
    caller writes more (a donation, a payment). An asset that would go below zero is a Conflict
    naming its balance.

    Few statements while the locks are held, because every post of the fund waits on the bank:
    one UPDATE takes the month's next number (and its lock), one moves the balances (taking the
    accounts' locks in id order), then the voucher, its lines and the audit record are inserted.
    Locks are always taken in the order: the year's lock (`lock_year`, numbering within a year),
    the month, the accounts — so no two writers wait on each other in a cycle."""
    lines = list(lines)
    errors = _check_lines(lines)
    if not memo or not memo.strip():
        errors["memo"] = [_("请填写摘要")]
    merge_errors(errors)
    month = month_of(posted_on)
    moves: dict[int, Decimal] = {}
    for line in sorted(lines, key=lambda line: line.account.pk):
        delta = line.debit - line.credit
        change = delta if line.account.debit_normal else -delta
        moves[line.account.pk] = moves.get(line.account.pk, Decimal(0)) + change
    # everything that needs no lock is made before the first one is taken
    memo = memo.strip()[:200]
    user_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    created_at = timezone.now()
    changes = {"lines": [[str(line.account), str(line.debit), str(line.credit)] for line in lines]}
    with db_transaction.atomic():
        taken = _take_number(month)
        if taken is None:
            Period.objects.get_or_create(month=month)
            taken = _take_number(month)
        if taken is None:
            raise Conflict(_("%(month)s 已结账，不能再记入该月") % {"month": f"{month:%Y-%m}"})
        period_id, number = taken
        moved = _move_balances(moves)
        for pk, (name, account_kind, balance) in moved.items():
            if account_kind == AccountKind.ASSET and balance < 0:
                raise Conflict(
                    _("%(account)s 余额 %(balance)s 元，不足以支付")
                    % {"account": name, "balance": balance - moves[pk]}
                )
        tx = Transaction(
            number=f"JZ{month:%Y%m}-{number:05d}",
            kind=kind,
            posted_on=posted_on,
            period_id=period_id,
            memo=memo,
            reverses=reverses,
            created_by_id=user_id,
            created_at=created_at,
        )
        tx.pk = _insert(tx, lines)
        tx._state.adding, tx._state.db = False, connection.alias
        audit.record(
            actor=actor,
            action="create",
            object_type="fund.transaction",
            object_id=tx.pk,
            object_repr=tx.number,
            changes=changes,
            message=memo,
        )
    for line in lines:  # the callers' Account objects show the new balances
        if line.account.pk in moved:
            line.account.balance = moved[line.account.pk][2]
    return tx


def _insert(tx: Transaction, lines: list[Line]) -> int:
    """Insert the voucher and its lines; its id. One statement on PostgreSQL (the locks are held
    meanwhile), two on SQLite."""
    ops = connection.ops
    head = [
        tx.number,
        tx.kind,
        ops.adapt_datefield_value(tx.posted_on),
        tx.period_id,
        tx.memo,
        tx.reverses_id,
        tx.created_by_id,
        ops.adapt_datetimefield_value(tx.created_at),
    ]
    rows: list = []
    for line in lines:
        rows += [
            line.account.pk,
            ops.adapt_decimalfield_value(line.debit, 14, 2),
            ops.adapt_decimalfield_value(line.credit, 14, 2),
        ]
    insert_tx = (
        f"INSERT INTO {Transaction._meta.db_table} "  # noqa: S608 - no user text
        "(number, kind, posted_on, period_id, memo, reverses_id, created_by_id, created_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
    )
    entries = Entry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            values = ", ".join(["(%s::bigint, %s::numeric, %s::numeric)"] * len(lines))
            cursor.execute(
                f"WITH tx AS ({insert_tx}), lines AS ("  # noqa: S608 - no user text
                f"INSERT INTO {entries} (transaction_id, account_id, debit, credit) "
                f"SELECT tx.id, v.account, v.debit, v.credit FROM tx, (VALUES {values}) "
                "AS v (account, debit, credit)) SELECT id FROM tx",
                [*head, *rows],
            )
            return cursor.fetchone()[0]
        cursor.execute(insert_tx, head)
        pk = cursor.fetchone()[0]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(lines))
        cursor.execute(
            f"INSERT INTO {entries} (transaction_id, account_id, debit, credit) "  # noqa: S608
            f"VALUES {values}",
            [v for i in range(len(lines)) for v in (pk, *rows[3 * i : 3 * i + 3])],
        )
        return pk


def reverse(
    *, actor, transaction: Transaction, posted_on: datetime.date, memo: str = ""
) -> Transaction:
    """Correct `transaction` by posting its lines the other way round (once)."""
    from guanqing.fund.access import access

    access.check(actor, "post")
    with db_transaction.atomic():
        original = Transaction.objects.select_for_update().get(pk=transaction.pk)
        if original.kind == TransactionKind.REVERSAL:
            raise Conflict(_("冲正凭证不能再冲正"))
        if Transaction.objects.filter(reverses=original).exists():
            raise Conflict(_("该凭证已经冲正"))
        lines = [
            Line(entry.account, debit=entry.credit, credit=entry.debit)
            for entry in original.entries.select_related("account")
        ]
        return post(
            actor=actor,
            posted_on=posted_on,
            kind=TransactionKind.REVERSAL,
            memo=memo
            or _("冲正 %(number)s：%(memo)s") % {"number": original.number, "memo": original.memo},
            lines=lines,
            reverses=original,
        )
