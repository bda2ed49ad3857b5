"""汇爱帮扶金 demo data: the fund's two years as the article tells them, and work waiting today.

The demo builder of order 75 (`build`, registered in `FundConfig.ready`): it runs after the care
demo, in the same transaction and from the same seed, and reads the units, their active members
and the demo accounts from the database.

- Donations (the article: 106 units and over 10,000 union members gave 564,769.00 元): every donor
  unit gives twice (a drive each year), its staff through the unit's payroll list (代扣名单,
  a `DonationBatch`) or one by one. Ten thousand gifts through `donation_record` would take
  minutes, so they are inserted in bulk — but exactly as the services write them: a receipt
  number per gift, running within the year in the order received; one balanced voucher per gift
  (Dr bank / Cr the unit's donations account), numbered within its month, the month's
  `last_number` its count; the accounts' kept balances moved by the amounts. The registry demo has
  fewer units than the article's 106: every one of them gives (at scale 1).
- Aid (21 seriously ill staff received 225,000.00 元): through the services, each step on its own
  day over the last two years — the committee's rule table and thresholds first
  (`tiers_replace`, `settings_save`), then per application `application_create` (with a
  diagnosis PDF and an invoice image) by the unit's administrator, `application_submit`,
  `application_decide` by the fund officer and, from the committee's threshold, the committee,
  and `application_pay` by the fund officer. The services run with the clock set to the day, so
  every row, audit record and notification carries it; the notifications of what is long done
  are read.
- The bank earns interest each quarter and pays its fees; the months up to the one before last
  are closed (`period_close`).
- Today: applications in every other state — drafts, waiting for the fund officer, waiting for
  the committee, approved and not yet paid, rejected, withdrawn.

At the end the books are checked (every voucher balanced, every kept balance equal to its
entries, every month's last number its count, the bank equal to income less payments): a demo
whose books do not reconcile is not loaded.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, F, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext

from guanqing.accounts.models import User
from guanqing.core.daterange import start_of
from guanqing.core.demo import DemoContext, DemoDatabaseNotEmpty
from guanqing.core.demo.province import Volume
from guanqing.core.demo.shared import historic_timestamps, insert_rows, surname, weighted_counts
from guanqing.core.models import Notification
from guanqing.core.roles import Role
from guanqing.fund import aid_services, ledger
from guanqing.fund.choices import (
    AccountKind,
    ApplicationState,
    Decision,
    Diagnosis,
    DocumentKind,
    DonationSource,
    Relation,
    TransactionKind,
)
from guanqing.fund.donation_services import ARTICLE_TOTAL, ARTICLE_UNITS, receipt_number
from guanqing.fund.models import (
    Account,
    AidApplication,
    Donation,
    DonationBatch,
    Entry,
    Period,
    Transaction,
)
from guanqing.registry.choices import MemberStatus
from guanqing.registry.models import Member, Unit

# At a province's scale the fund is not copied: every donation and payment is a ledger
# transaction, each unit's account holds its entries, and the ledger must balance
# (`guanqing.core.demo.province`).
PROVINCE = Volume(
    keep=(
        "Account",
        "Entry",
        "DonationBatch",
        "Donation",
        "AidApplication",
        "AidDocument",
        "Approval",
        "Payment",
    )
)
CENT = Decimal("0.01")
D = Decimal

# The article's figures, at scale 1.
DONORS = 10_286  # "over 10,000 union members"
AID_PAID = Decimal("225000.00")
AID_PEOPLE = 21

# The committee's rule table and thresholds: [from, below) of the self-paid amount → the aid.
TIERS = [
    (D("5000"), D("20000"), D("5000")),
    (D("20000"), D("50000"), D("10000")),
    (D("50000"), D("100000"), D("15000")),
    (D("100000"), None, D("20000")),
]
OFFICER_ALONE_BELOW = D("10000")
SECOND_COMMITTEE_FROM = D("30000")
YEARLY_CAP = D("30000")
# the 21 payments: 7 × 5,000 + 6 × 10,000 + 6 × 15,000 + 2 × 20,000 = 225,000 元
PAID_AMOUNTS = [D("5000")] * 7 + [D("10000")] * 6 + [D("15000")] * 6 + [D("20000")] * 2
# the self-paid amounts (元) that fall in each tier
SELF_PAID = {
    D("5000"): (6_000, 19_500),
    D("10000"): (21_000, 48_000),
    D("15000"): (52_000, 98_000),
    D("20000"): (105_000, 240_000),
}
# today's work, at scale 1 (at least one of each at any scale; two waiting for the fund officer)
WAITING = {
    "draft": 2,
    "officer": 3,
    "committee": 2,
    "approved": 2,
    "rejected": 2,
    "withdrawn": 2,
}

# staff gifts (元) and how often each is given; the units give the rest of the total
STAFF_GIFTS = [(10, 10), (20, 25), (30, 22), (50, 30), (100, 11), (200, 2)]
LINKED_SHARE = 0.85  # of a unit's staff donors, the registry members (the others: union members)
FIRST_DRIVE_SHARE = 0.6
ONE_BY_ONE_SHARE = 0.04  # staff gifts recorded one by one rather than on the payroll list
UNIT_GIFT_MIN = 200
INTEREST_RATE = D("0.0035")  # a year, on the demand deposit; paid each quarter (on the 21st)
FEE_BASE, FEE_PER_TRANSFER = D("10.00"), D("2.00")

GIVEN_NAMES = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华燕红波斌宇浩凯婷雪琳晨阳峰鑫立海俊文辉丹萍玲鹏飞龙云"
)
DIAGNOSES = [
    (Diagnosis.CANCER, "确诊后手术，术后化疗六个疗程"),
    (Diagnosis.UREMIA, "规律血液透析，每周三次"),
    (Diagnosis.TRANSPLANT, "肾移植术后，长期服用抗排异药物"),
    (Diagnosis.CARDIO, "急性心肌梗死，行冠脉支架植入术"),
    (Diagnosis.LEUKEMIA, "急性白血病，住院化疗"),
    (Diagnosis.NERVE, "脑出血术后康复治疗"),
    (Diagnosis.INJURY, "交通事故多发骨折，多次手术"),
]
REASONS = [
    "家庭收入低，医疗费用负担重",
    "配偶无固定收入，子女在读",
    "长期治疗，自付费用较高",
    "单位工会走访了解，家庭经济困难",
]
REJECT_NOTES = [
    "所患疾病不在帮扶范围内，建议申请单位工会困难补助",
    "医疗费用票据不全，请补齐后重新申请",
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@dataclass
class FundDemoSummary:
    units: int = 0
    donors: int = 0
    gifts: int = 0
    batches: int = 0
    donated: Decimal = Decimal(0)
    paid_people: int = 0
    paid: Decimal = Decimal(0)
    interest: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    bank: Decimal = Decimal(0)
    closed_months: int = 0
    states: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def as_changes(self) -> dict:
        return {
            "fund_donations": [None, self.gifts],
            "fund_donated": [None, str(self.donated)],
            "fund_aid_paid": [None, str(self.paid)],
            "fund_applications": [None, sum(self.states.values())],
            "fund_bank": [None, str(self.bank)],
        }

    def describe(self) -> str:
        return gettext(
            "汇爱帮扶金：%(units)s 个单位、%(donors)s 人捐款 %(donated)s 元（%(gifts)s 笔，"
            "%(batches)s 份代扣名单）；帮扶 %(people)s 人 %(paid)s 元；利息 %(interest)s 元、"
            "手续费 %(fees)s 元；银行存款余额 %(bank)s 元；已结账 %(closed)s 个月"
        ) % {
            "units": self.units,
            "donors": self.donors,
            "donated": f"{self.donated:,.2f}",
            "gifts": self.gifts,
            "batches": self.batches,
            "people": self.paid_people,
            "paid": f"{self.paid:,.2f}",
            "interest": f"{self.interest:,.2f}",
            "fees": f"{self.fees:,.2f}",
            "bank": f"{self.bank:,.2f}",
            "closed": self.closed_months,
        }

    def note(self) -> str:
        return f"汇爱帮扶金捐款 {self.donated} 元、帮扶 {self.paid} 元"


class BooksDoNotReconcile(RuntimeError):
    """The demo's books failed their own check: a bug in the builder, never loaded."""


# --- dates -----------------------------------------------------------------------------------


def _add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def _weekday(day: datetime.date) -> datetime.date:
    """The day, or the Friday before it when it falls on a weekend."""
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


def _after(day: datetime.date, days: int) -> datetime.date:
    """A working day (Monday–Friday) `days` days after `day` (or the next one)."""
    day += datetime.timedelta(days=days)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


@contextmanager
def _clock(moment: datetime.datetime) -> Iterator[None]:
    """Run the services as on `moment`: `timezone.now()` (and so `business_date()`, the rows'
    times and the audit log's) answers `moment`. Only the demo's builder, before anything serves."""
    real = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --- the builder -----------------------------------------------------------------------------


@dataclass
class _Plan:
    """One application's story: who, how much, what happens on which day."""

    member: Member
    preparer: User
    fate: str
    self_paid: Decimal
    reimbursed: Decimal
    diagnosis: str
    note: str
    relation: str = Relation.SELF
    patient_name: str = ""
    application: AidApplication | None = None


class _Builder:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.fork()
        self.today = ctx.today
        self.summary = FundDemoSummary()
        users = {
            u.username: u for u in User.objects.filter(username__in=["fund_officer", "committee"])
        }
        self.officer = users.get("fund_officer")
        self.committee = users.get("committee")
        self.first_month = _add_months(self.today.replace(day=1), -22)
        self.events: list[tuple[datetime.datetime, int, Callable[[], None]]] = []
        self.first_drive = Decimal(0)
        self.both_drives = Decimal(0)

    # --- donations (bulk, as the services write them) -----------------------------------------

    def _drive_day(self, drive: int) -> datetime.date:
        start = _add_months(self.first_month, 12 * drive)
        end = min(_add_months(start, 3) - datetime.timedelta(days=1), self.today)
        day = _after(start, self.rng.randint(0, (end - start).days))
        return day if day <= end else _weekday(end)

    def _donor_units(self) -> list[Unit]:
        units = list(Unit.objects.filter(is_active=True).order_by("sort_order", "pk"))
        wanted = min(len(units), max(3, round(ARTICLE_UNITS * self.ctx.scale)))
        admins = set(
            User.objects.filter(role=Role.UNIT_ADMIN, is_active=True).values_list(
                "unit_id", flat=True
            )
        )
        first = [u for u in units if u.pk in admins]
        others = [u for u in units if u.pk not in admins]
        self.rng.shuffle(others)
        chosen = (first + others)[:wanted]
        return sorted(chosen, key=lambda u: (u.sort_order, u.pk))

    def _names(self, count: int, taken: set[str]) -> list[str]:
        names = []
        while len(names) < count:
            given = "".join(self.rng.choice(GIVEN_NAMES) for _ in range(self.rng.choice((1, 2, 2))))
            name = surname(self.rng) + given
            if name not in taken:
                taken.add(name)
                names.append(name)
        return names

    def donations(self) -> None:
        units = self._donor_units()
        if not units:
            return
        total = _money(ARTICLE_TOTAL * Decimal(str(self.ctx.scale)))
        donors = max(len(units) * 2, round(DONORS * self.ctx.scale))
        members: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for pk, unit_id, name in (
            Member.objects.filter(unit__in=units, status=MemberStatus.ACTIVE)
            .order_by("pk")
            .values_list("pk", "unit_id", "name")
        ):
            members[unit_id].append((pk, name))
        weights = [len(members[u.pk]) + 5 for u in units]
        per_unit = weighted_counts(donors, weights, minimum=2)
        amounts, often = zip(*STAFF_GIFTS, strict=True)
        # gifts: (day, group, unit, source, donor, member id, amount, batch key)
        gifts: list[tuple] = []
        staff_total = Decimal(0)
        for unit, count in zip(units, per_unit, strict=True):
            pool = list(members[unit.pk])
            self.rng.shuffle(pool)
            linked = pool[: min(len(pool), round(count * LINKED_SHARE))]
            named = self._names(count - len(linked), {name for _pk, name in pool})
            people = [(name, pk) for pk, name in linked] + [(name, None) for name in named]
            days = {drive: self._drive_day(drive) for drive in (0, 1)}
            for name, member_id in people:
                drive = 0 if self.rng.random() < FIRST_DRIVE_SHARE else 1
                amount = Decimal(self.rng.choices(amounts, weights=often)[0])
                staff_total += amount
                if self.rng.random() < ONE_BY_ONE_SHARE:
                    day, group = self._drive_day(drive), 2
                    batch = None
                else:
                    day, group, batch = days[drive], 1, (unit.pk, drive)
                gifts.append(
                    (day, group, unit, DonationSource.MEMBER, name, member_id, amount, batch)
                )
        rest = total - staff_total
        if rest < UNIT_GIFT_MIN * 2 * len(units):
            raise BooksDoNotReconcile(f"staff gifts {staff_total} leave too little of {total}")
        whole = int(rest)
        shares = weighted_counts(whole - UNIT_GIFT_MIN * 2 * len(units), weights, minimum=0)
        cents = rest - whole
        for index, (unit, share) in enumerate(zip(units, shares, strict=True)):
            own = Decimal(share + UNIT_GIFT_MIN * 2) + (cents if index == 0 else 0)
            first = _money(own * Decimal("0.6"))
            for drive, amount in ((0, first), (1, own - first)):
                day = self._drive_day(drive)
                gifts.append((day, 0, unit, DonationSource.UNIT, unit.name, None, amount, None))
        self._insert(gifts)
        drive_end = _add_months(self.first_month, 3)
        self.first_drive = sum((g[6] for g in gifts if g[0] < drive_end), Decimal(0))
        self.both_drives = sum((g[6] for g in gifts), Decimal(0))
        self.summary.units = len(units)
        # each member of staff gives once
        self.summary.donors = sum(1 for g in gifts if g[3] == DonationSource.MEMBER)
        self.summary.gifts = len(gifts)
        self.summary.donated = sum((g[6] for g in gifts), Decimal(0))

    def _insert(self, gifts: list[tuple]) -> None:
        gifts.sort(key=lambda g: (g[0], g[1], g[2].sort_order, g[2].pk, g[3], g[4]))
        bank = ledger.standard_account(ledger.BANK)
        accounts = {}
        with translation.override(settings.LANGUAGE_CODE):
            for unit in sorted({g[2] for g in gifts}, key=lambda u: u.pk):
                accounts[unit.pk] = ledger.donations_account(unit)
            memo_text = gettext("收到捐款 %(number)s：%(donor)s（%(unit)s）")
        # the payroll lists
        batch_rows: dict[tuple, list] = defaultdict(list)
        for gift in gifts:
            if gift[7] is not None:
                batch_rows[gift[7]].append(gift)
        batches = {}
        for key, rows in batch_rows.items():
            unit, day = rows[0][2], rows[0][0]
            batches[key] = DonationBatch(
                unit=unit,
                received_on=day,
                file_name=f"{unit.short_name or unit.name}职工捐款名单{day:%Y%m}.xlsx",
                rows=len(rows),
                total=sum((r[6] for r in rows), Decimal(0)),
                imported_by=self.officer,
                imported_at=start_of(day) + datetime.timedelta(hours=10),
            )
        with historic_timestamps(DonationBatch):
            DonationBatch.objects.bulk_create(list(batches.values()))
        # receipts by year, vouchers by month, in the order received
        periods = {}
        receipts: Counter = Counter()
        vouchers: Counter = Counter()
        tx_rows, donation_rows = [], []
        for index, (day, _group, unit, source, donor, member_id, amount, key) in enumerate(gifts):
            month = ledger.month_of(day)
            if month not in periods:
                periods[month] = Period.objects.get_or_create(month=month)[0]
            receipts[day.year] += 1
            vouchers[month] += 1
            number = receipt_number(day.year, receipts[day.year])
            at = start_of(day) + datetime.timedelta(hours=10, seconds=index % 20000)
            tx_number = f"JZ{month:%Y%m}-{vouchers[month]:05d}"
            tx_rows.append(
                {
                    "number": tx_number,
                    "kind": TransactionKind.DONATION,
                    "posted_on": day,
                    "period_id": periods[month].pk,
                    "memo": (memo_text % {"number": number, "donor": donor, "unit": unit.name})[
                        :200
                    ],
                    "reverses_id": None,
                    "created_by_id": self.officer.pk,
                    "created_at": at,
                }
            )
            donation_rows.append(
                {
                    "receipt_number": number,
                    "source": source,
                    "unit_id": unit.pk,
                    "donor_name": donor,
                    "member_id": member_id,
                    "amount": amount,
                    "received_on": day,
                    "note": "",
                    "batch_id": batches[key].pk if key is not None else None,
                    "transaction_id": tx_number,  # replaced by the voucher's id below
                    "recorded_by_id": self.officer.pk,
                    "recorded_at": at,
                }
            )
        insert_rows(Transaction, tx_rows)
        ids = dict(
            Transaction.objects.filter(kind=TransactionKind.DONATION).values_list("number", "pk")
        )
        entry_rows = []
        moves: Counter = Counter()
        for row in donation_rows:
            tx = ids[row["transaction_id"]]
            row["transaction_id"] = tx
            account = accounts[row["unit_id"]]
            entry_rows.append(
                {"transaction_id": tx, "account_id": bank.pk, "debit": row["amount"], "credit": 0}
            )
            entry_rows.append(
                {
                    "transaction_id": tx,
                    "account_id": account.pk,
                    "debit": 0,
                    "credit": row["amount"],
                }
            )
            moves[bank.pk] += row["amount"]
            moves[account.pk] += row["amount"]
        insert_rows(Entry, entry_rows)
        insert_rows(Donation, donation_rows)
        for pk, amount in moves.items():
            account = Account.objects.get(pk=pk)
            Account.objects.filter(pk=pk).update(balance=_money(account.balance + amount))
        for month, count in vouchers.items():
            Period.objects.filter(pk=periods[month].pk).update(last_number=F("last_number") + count)
        self.summary.batches = len(batches)

    # --- aid through the services ------------------------------------------------------------

    def _at(self, day: datetime.date, hour: int, call: Callable[[], None]) -> None:
        moment = start_of(day) + datetime.timedelta(hours=hour, minutes=self.rng.randint(0, 50))
        self.events.append((moment, len(self.events), call))

    def _run(self) -> None:
        for moment, _seq, call in sorted(self.events, key=lambda e: (e[0], e[1])):
            with _clock(moment):
                call()
        self.events = []

    def _documents(self) -> list:
        return [
            (
                DocumentKind.DIAGNOSIS,
                SimpleUploadedFile("诊断证明.pdf", PDF, content_type="application/pdf"),
            ),
            (
                DocumentKind.INVOICE,
                SimpleUploadedFile("医疗费用票据.png", PNG, content_type="image/png"),
            ),
        ]

    def _plan(self, member, preparer, fate: str, aid: Decimal) -> _Plan:
        low, high = SELF_PAID[aid]
        # whole 元: SQLite compares the costs' constraint (self-paid = total − reimbursed) in
        # floating point, where amounts with fen may not add up exactly
        self_paid = Decimal(self.rng.randint(low, high))
        share = Decimal(str(self.rng.uniform(0.45, 0.75)))
        reimbursed = (self_paid * share / (1 - share)).quantize(Decimal(1))
        diagnosis, note = self.rng.choice(DIAGNOSES)
        plan = _Plan(
            member=member,
            preparer=preparer,
            fate=fate,
            self_paid=self_paid,
            reimbursed=reimbursed,
            diagnosis=diagnosis,
            note=note,
        )
        if self.rng.random() < 0.25:
            plan.relation = self.rng.choice([Relation.SPOUSE, Relation.CHILD, Relation.PARENT])
            plan.patient_name = self._names(1, {member.name})[0]
        return plan

    def _create(self, plan: _Plan) -> None:
        plan.application = aid_services.application_create(
            actor=plan.preparer,
            member=plan.member,
            relation=plan.relation,
            patient_name=plan.patient_name,
            diagnosis=plan.diagnosis,
            diagnosis_note=plan.note,
            total_cost=plan.self_paid + plan.reimbursed,
            reimbursed=plan.reimbursed,
            reason=self.rng.choice(REASONS),
            documents=self._documents(),
        )

    def _submit(self, plan: _Plan) -> None:
        aid_services.application_submit(actor=plan.preparer, application=plan.application)

    def _decide(self, plan: _Plan, actor, decision=Decision.APPROVE, note="") -> None:
        application = AidApplication.objects.get(pk=plan.application.pk)
        if application.state != ApplicationState.SUBMITTED:
            return
        if decision == Decision.APPROVE and aid_services.next_step(application) is None:
            return
        aid_services.application_decide(
            actor=actor, application=application, decision=decision, note=note
        )

    def _pay(self, plan: _Plan) -> None:
        application = AidApplication.objects.get(pk=plan.application.pk)
        aid_services.application_pay(
            actor=self.officer,
            application=application,
            paid_on=aid_services.business_date(),
            transfer_reference=f"NB{aid_services.business_date():%Y%m%d}{application.pk:06d}",
        )

    def _withdraw(self, plan: _Plan) -> None:
        aid_services.application_withdraw(actor=plan.preparer, application=plan.application)

    def _story(self, plan: _Plan, created: datetime.date, *, last: datetime.date) -> None:
        """Schedule the plan's steps from `created` on, none after `last`."""
        self._at(created, 9, lambda: self._create(plan))
        if plan.fate == "draft":
            return
        submitted = min(_after(created, self.rng.randint(0, 2)), last)
        officer = min(_after(submitted, self.rng.randint(1, 3)), last)
        committee = min(_after(officer, self.rng.randint(1, 5)), last)
        paid = min(_after(committee, self.rng.randint(2, 8)), last)
        if plan.fate == "withdrawn" and self.rng.random() < 0.5:
            self._at(submitted, 15, lambda: self._withdraw(plan))
            return
        self._at(submitted, 11, lambda: self._submit(plan))
        if plan.fate == "withdrawn":
            self._at(officer, 10, lambda: self._withdraw(plan))
        elif plan.fate == "officer":
            return
        elif plan.fate == "rejected":
            by_committee = plan.self_paid >= SELF_PAID[D("10000")][0] and self.rng.random() < 0.5
            reason = self.rng.choice(REJECT_NOTES)
            if by_committee:
                self._at(officer, 10, lambda: self._decide(plan, self.officer))
                self._at(
                    committee, 14, lambda: self._decide(plan, self.committee, "reject", reason)
                )
            else:
                self._at(officer, 10, lambda: self._decide(plan, self.officer, "reject", reason))
        else:
            self._at(officer, 10, lambda: self._decide(plan, self.officer))
            if plan.fate != "committee":
                self._at(committee, 14, lambda: self._decide(plan, self.committee))
            if plan.fate == "paid":
                self._at(paid, 15, lambda: self._pay(plan))

    def aid(self) -> None:
        admins = {
            u.unit_id: u
            for u in User.objects.filter(role=Role.UNIT_ADMIN, is_active=True).order_by("pk")
        }
        users_members = set(
            User.objects.filter(member__isnull=False).values_list("member_id", flat=True)
        )
        candidates = [
            m
            for m in Member.objects.filter(unit_id__in=admins, status=MemberStatus.ACTIVE)
            .select_related("unit")
            .order_by("pk")
            if m.pk not in users_members
        ]
        self.rng.shuffle(candidates)
        start = _after(self.first_month + datetime.timedelta(days=9), 0)
        self._at(start, 9, self._rules)
        if not candidates:
            return
        scale = self.ctx.scale
        paid = self._paid_amounts(max(3, round(AID_PEOPLE * scale)))
        waiting = {
            fate: max(2 if fate == "officer" else 1, round(n * min(scale, 1)))
            for fate, n in WAITING.items()
        }
        plans: list[_Plan] = []
        members = iter(candidates)
        try:
            for aid in paid:
                member = next(members)
                plans.append(self._plan(member, admins[member.unit_id], "paid", aid))
            for fate, n in waiting.items():
                for i in range(n):
                    member = next(members)
                    # waiting for the committee: over the fund officer's limit
                    aid = D("10000") if fate == "committee" or i % 2 else D("5000")
                    if fate == "approved" and i % 2:
                        aid = D("15000")
                    plans.append(self._plan(member, admins[member.unit_id], fate, aid))
        except StopIteration:
            pass
        # the paid ones over the two years, about one a month; the others in the last three weeks
        # (after the first drive: the bank never goes below zero on any day)
        first = _add_months(self.first_month, 3) + datetime.timedelta(days=5)
        if self._small:
            # a small demo's first drive cannot pay three of the article's amounts: pay after both
            first = _add_months(self.first_month, 15) + datetime.timedelta(days=5)
        last = self.today - datetime.timedelta(days=45)
        span = max(1, (last - first).days)
        paid_plans = [p for p in plans if p.fate == "paid"]
        for index, plan in enumerate(paid_plans):
            day = first + datetime.timedelta(days=span * index // max(1, len(paid_plans) - 1))
            day = _weekday(day + datetime.timedelta(days=self.rng.randint(0, 10)))
            self._story(plan, day, last=last + datetime.timedelta(days=20))
        yesterday = self.today - datetime.timedelta(days=1)
        for plan in plans:
            if plan.fate != "paid":
                created = _weekday(self.today - datetime.timedelta(days=self.rng.randint(8, 21)))
                self._story(plan, created, last=yesterday)
        self._books_events()
        self._run()
        self._read_old_notifications(plans)
        for plan in plans:
            if plan.application is not None:
                plan.application.refresh_from_db()
                state = plan.application.state
                if state == ApplicationState.SUBMITTED:
                    step = aid_services.next_step(plan.application)
                    state = plan.application.chain[step] if step is not None else state
                self.summary.states[state] += 1

    @property
    def _small(self) -> bool:
        return self.ctx.scale < 1

    def _paid_amounts(self, n: int) -> list[Decimal]:
        """`n` of the article's payments (all 21 at scale 1), no more than the first drive
        brought in (at a small scale the money is short)."""
        budget = (self.both_drives if self._small else self.first_drive) * Decimal("0.9")
        plan = list(PAID_AMOUNTS)
        self.rng.shuffle(plan)
        least = min(plan)
        chosen: list[Decimal] = []
        for amount in plan:
            room = budget - sum(chosen) - least * max(0, n - len(chosen) - 1)
            if len(chosen) < n and amount <= room:
                chosen.append(amount)
        return chosen

    def _rules(self) -> None:
        aid_services.tiers_replace(
            actor=self.committee,
            tiers=[
                {"self_paid_from": low, "self_paid_below": high, "amount": amount}
                for low, high, amount in TIERS
            ],
        )
        aid_services.settings_save(
            actor=self.committee,
            officer_alone_below=OFFICER_ALONE_BELOW,
            second_committee_from=SECOND_COMMITTEE_FROM,
            yearly_cap=YEARLY_CAP,
        )

    # --- interest, fees and closing ----------------------------------------------------------

    def _books_events(self) -> None:
        """Interest and fees each quarter on the 21st, and the months up to the one before last
        closed on the 5th of the month after."""
        month = self.first_month
        while True:
            if month.month in (3, 6, 9, 12):
                day = month.replace(day=21)
                if day >= self.today:
                    break
                self._at(day, 16, lambda day=day: self._quarter(day))
            month = _add_months(month, 1)
        last_closed = _add_months(self.today.replace(day=1), -2)
        month = min(
            Period.objects.order_by("month").values_list("month", flat=True)[:1]
            or [self.first_month]
        )
        while month <= last_closed:
            closing = _add_months(month, 1).replace(day=5)
            self._at(closing, 17, lambda month=month: self._close(month))
            month = _add_months(month, 1)

    def _quarter(self, day: datetime.date) -> None:
        bank = ledger.standard_account(ledger.BANK)
        held = ledger.entries_balance(bank, day - datetime.timedelta(days=1))
        interest = _money(held * INTEREST_RATE / 4)
        if interest > 0:
            ledger.post(
                actor=self.officer,
                posted_on=day,
                kind=TransactionKind.INTEREST,
                memo=f"结息（{day.year}年第{(day.month - 1) // 3 + 1}季度）",
                lines=[
                    ledger.debit(bank, interest),
                    ledger.credit(ledger.standard_account(ledger.INTEREST), interest),
                ],
            )
        quarter_start = _add_months(day.replace(day=1), -2)
        transfers = Transaction.objects.filter(
            kind=TransactionKind.AID, posted_on__gte=quarter_start, posted_on__lte=day
        ).count()
        fee = FEE_BASE + FEE_PER_TRANSFER * transfers
        ledger.post(
            actor=self.officer,
            posted_on=day,
            kind=TransactionKind.FEE,
            memo=f"账户管理费及转账手续费（{transfers} 笔转账）",
            lines=[
                ledger.debit(ledger.standard_account(ledger.FEES), fee),
                ledger.credit(bank, fee),
            ],
        )

    def _close(self, month: datetime.date) -> None:
        if Period.objects.filter(month=month, transactions__isnull=False).exists():
            ledger.period_close(actor=self.officer, month=month)
            self.summary.closed_months += 1

    def _read_old_notifications(self, plans: list[_Plan]) -> None:
        """What the fund officer, the committee and the units were told about applications long
        done has been read; what still waits for someone stays unread."""
        keys = Q(pk__in=[])
        for plan in plans:
            application = plan.application
            if application is None:
                continue
            application.refresh_from_db()
            prefix = f"fund:aid:{application.pk}:"
            if application.state in (
                ApplicationState.PAID,
                ApplicationState.REJECTED,
                ApplicationState.WITHDRAWN,
            ):
                keys |= Q(dedupe_key__startswith=prefix)
            else:  # the steps already decided
                decided = application.approvals.count()
                keys |= Q(dedupe_key__in=[f"{prefix}step:{i}" for i in range(decided)])
        Notification.objects.filter(keys, read_at__isnull=True).update(read_at=F("created_at"))

    # --- the check -------------------------------------------------------------------------

    def check(self) -> None:
        """The books reconcile, or the demo is not loaded."""
        problems = []
        unbalanced = (
            Entry.objects.values("transaction_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
            .exclude(d=F("c"))
        )
        if unbalanced.exists():
            problems.append(f"unbalanced vouchers: {list(unbalanced[:5])}")
        for account in Account.objects.all():
            kept = _money(account.balance)
            if kept != _money(ledger.entries_balance(account)):
                problems.append(f"{account}: kept {kept} ≠ entries")
        for period in Period.objects.annotate(n=Count("transactions")):
            if period.last_number != period.n:
                problems.append(f"{period}: last number {period.last_number} ≠ {period.n}")
        income = Entry.objects.filter(account__kind=AccountKind.INCOME).aggregate(
            c=Sum("credit"), d=Sum("debit")
        )
        by_code = {
            code: _money(ledger.entries_balance(ledger.standard_account(code)))
            for code in (ledger.BANK, ledger.INTEREST, ledger.AID_PAID, ledger.FEES)
        }
        donated = _money(Donation.objects.aggregate(s=Sum("amount"))["s"] or 0)
        paid = _money(
            Transaction.objects.filter(kind=TransactionKind.AID).aggregate(s=Sum("entries__debit"))[
                "s"
            ]
            or 0
        )
        expected = donated - paid + by_code[ledger.INTEREST] - by_code[ledger.FEES]
        if by_code[ledger.BANK] != expected or by_code[ledger.AID_PAID] != paid:
            problems.append(f"bank {by_code[ledger.BANK]} ≠ {expected}")
        if _money((income["c"] or 0) - (income["d"] or 0)) != donated + by_code[ledger.INTEREST]:
            problems.append("income accounts ≠ donations + interest")
        if problems:
            raise BooksDoNotReconcile("; ".join(problems))
        self.summary.donated = donated
        self.summary.paid = paid
        self.summary.paid_people = AidApplication.objects.filter(
            state=ApplicationState.PAID
        ).count()
        self.summary.interest = by_code[ledger.INTEREST]
        self.summary.fees = by_code[ledger.FEES]
        self.summary.bank = by_code[ledger.BANK]

    def build(self) -> FundDemoSummary:
        started = time.monotonic()
        if self.officer is None or self.committee is None:
            return self.summary
        self.donations()
        self.aid()
        self.check()
        self.summary.seconds = time.monotonic() - started
        return self.summary


def build(ctx: DemoContext) -> FundDemoSummary:
    """The fund's two years and today's work; refuses a database whose books are not empty."""
    if Transaction.objects.exists() or AidApplication.objects.exists():
        raise DemoDatabaseNotEmpty(
            gettext("数据库中已有区划、单位或账号，演示数据只能载入空数据库")
        )
    return _Builder(ctx).build()
