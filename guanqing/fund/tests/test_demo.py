"""The fund part of the demo, read from the shared small demo (scale 0.05): the article's donations
at that scale, the aid paid through the services, books that reconcile (every voucher balanced,
every kept balance its entries, the vouchers and receipts numbered without a gap, the bank =
income − payments + interest − fees), closed months, and applications in every state with work
waiting for the fund officer and the committee. The article's full figures: test_demo_full.py."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from guanqing.accounts.models import User
from guanqing.core.models import Notification
from guanqing.fund import aid_services, ledger, rules
from guanqing.fund.choices import (
    AccountKind,
    ApplicationState,
    ApproverRole,
    DocumentKind,
    DonationSource,
    TransactionKind,
)
from guanqing.fund.demo import AID_PAID, AID_PEOPLE, DONORS, PAID_AMOUNTS, SELF_PAID, TIERS
from guanqing.fund.donation_services import ARTICLE_TOTAL, ARTICLE_UNITS, donation_totals
from guanqing.fund.models import (
    Account,
    AidApplication,
    AidDocument,
    AidTier,
    Donation,
    DonationBatch,
    Entry,
    FundSettings,
    Payment,
    Period,
    Transaction,
)
from guanqing.registry.models import Unit

SCALE = 0.05

pytestmark = [
    pytest.mark.shared_demo(scale=SCALE),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today", "official_calendar"),
]
CENT = Decimal("0.01")


@pytest.fixture
def demo(shared_demo):
    return shared_demo.parts["fund"]


def test_the_payment_plan_is_the_articles_and_the_tiers_produce_it():
    assert len(PAID_AMOUNTS) == AID_PEOPLE == 21
    assert sum(PAID_AMOUNTS) == AID_PAID == Decimal("225000.00")
    tiers = [
        AidTier(self_paid_from=low, self_paid_below=high, amount=amount)
        for low, high, amount in TIERS
    ]
    for amount, (low, high) in SELF_PAID.items():
        assert rules.tier_amount(Decimal(low), tiers) == amount
        assert rules.tier_amount(Decimal(high), tiers) == amount


def test_donations_are_the_articles_at_the_scale_and_numbered_like_the_services(demo):
    donations = list(Donation.objects.select_related("transaction", "unit").order_by("pk"))
    total = sum((d.amount for d in donations), Decimal(0))
    assert total == (ARTICLE_TOTAL * Decimal(str(SCALE))).quantize(CENT)
    assert demo.donated == total
    units = {d.unit_id for d in donations}
    assert len(units) == min(Unit.objects.count(), round(ARTICLE_UNITS * SCALE))
    assert demo.units == len(units)
    # every unit gave itself and through its staff (soft credit)
    sources = defaultdict(set)
    for d in donations:
        sources[d.unit_id].add(d.source)
    assert all(s == {DonationSource.UNIT, DonationSource.MEMBER} for s in sources.values())
    # the donors: each counted once by the donor totals, over the years
    years = sorted({d.received_on.year for d in donations})
    people = sum(donation_totals(year=y)["city"]["donors"] for y in years)
    assert people == round(DONORS * SCALE) == demo.donors
    assert sum(donation_totals(year=y)["city"]["total"] for y in years) == total
    assert Donation.objects.filter(member__isnull=False).exists()
    assert Donation.objects.filter(source=DonationSource.MEMBER, member__isnull=True).exists()
    # payroll lists: their rows and totals are their gifts
    batches = DonationBatch.objects.annotate(n=Count("donations"), s=Sum("donations__amount"))
    assert batches.count() == demo.batches > 0
    for batch in batches:
        assert (batch.rows, batch.total) == (batch.n, batch.s)
        assert set(batch.donations.values_list("received_on", flat=True)) == {batch.received_on}
    # receipts run within the year in the order received; one voucher per gift on its day
    by_year = defaultdict(list)
    for d in sorted(donations, key=lambda d: d.receipt_number):
        by_year[d.received_on.year].append(d)
    for year, gifts in by_year.items():
        assert [g.receipt_number for g in gifts] == [
            f"HA{year}-{n:06d}" for n in range(1, len(gifts) + 1)
        ]
        days = [g.received_on for g in gifts]
        assert days == sorted(days)
    bank = ledger.standard_account(ledger.BANK)
    for d in donations:
        tx = d.transaction
        assert (tx.kind, tx.posted_on) == (TransactionKind.DONATION, d.received_on)
        lines = {(e.account_id, e.debit, e.credit) for e in tx.entries.all()}
        assert lines == {
            (bank.pk, d.amount, 0),
            (ledger.donations_account(d.unit).pk, 0, d.amount),
        }


def test_the_books_reconcile(demo, pinned_today):
    for row in Entry.objects.values("transaction_id").annotate(d=Sum("debit"), c=Sum("credit")):
        assert row["d"] == row["c"] > 0, row
    for account in Account.objects.all():
        assert account.balance == ledger.entries_balance(account), account
    # vouchers numbered 1…n within each month, the month's last number its count
    for period in Period.objects.annotate(n=Count("transactions")):
        numbers = sorted(period.transactions.values_list("number", flat=True))
        assert numbers == [f"JZ{period.month:%Y%m}-{k:05d}" for k in range(1, period.n + 1)]
        assert period.last_number == period.n
    balance = {
        code: ledger.standard_account(code).balance
        for code in (ledger.BANK, ledger.INTEREST, ledger.AID_PAID, ledger.FEES)
    }
    donated = Donation.objects.aggregate(s=Sum("amount"))["s"]
    paid = Payment.objects.aggregate(s=Sum("amount"))["s"]
    assert balance[ledger.AID_PAID] == paid
    assert balance[ledger.INTEREST] > 0 and balance[ledger.FEES] > 0
    assert balance[ledger.BANK] == donated - paid + balance[ledger.INTEREST] - balance[ledger.FEES]
    income = sum((a.balance for a in Account.objects.filter(kind=AccountKind.INCOME)), Decimal(0))
    assert income == donated + balance[ledger.INTEREST]
    assert (demo.bank, demo.paid, demo.interest, demo.fees) == (
        balance[ledger.BANK],
        paid,
        balance[ledger.INTEREST],
        balance[ledger.FEES],
    )
    # the bank never went below zero on any day
    running = Decimal(0)
    bank = ledger.standard_account(ledger.BANK)
    for tx in Transaction.objects.order_by("posted_on", "pk").prefetch_related("entries"):
        for e in tx.entries.all():
            if e.account_id == bank.pk:
                running += e.debit - e.credit
        assert running >= 0, tx
    # past months closed in order, the last month and this one open
    periods = list(Period.objects.filter(transactions__isnull=False).distinct().order_by("month"))
    closed = [p for p in periods if p.is_closed]
    assert closed and demo.closed_months == len(closed)
    assert periods[: len(closed)] == closed
    last_month = (pinned_today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    assert not Period.objects.filter(month__gte=last_month, closed_at__isnull=False).exists()


def test_aid_paid_through_the_chain(demo, pinned_today):
    officer = User.objects.get(username="fund_officer")
    committee = User.objects.get(username="committee")
    settings_row = FundSettings.current()
    assert settings_row.pk is not None
    assert list(AidTier.objects.values_list("self_paid_from", "self_paid_below", "amount")) == [
        tuple(t) for t in TIERS
    ]
    paid = list(
        AidApplication.objects.filter(state=ApplicationState.PAID).select_related("payment")
    )
    assert len(paid) == max(3, round(AID_PEOPLE * SCALE)) == demo.paid_people
    assert len({a.member_id for a in paid}) == len(paid)
    assert Counter(a.amount for a in paid) <= Counter(PAID_AMOUNTS)
    two_years_ago = pinned_today - datetime.timedelta(days=731)
    for a in paid:
        assert a.amount == rules.tier_amount(a.self_paid, AidTier.objects.all())
        assert a.payment.amount == a.amount
        assert a.payment.transaction.kind == TransactionKind.AID
        assert two_years_ago < a.submitted_on <= a.decided_on <= a.payment.paid_on < pinned_today
        assert a.year == a.submitted_on.year
        approvals = list(a.approvals.order_by("step"))
        assert [x.role for x in approvals] == a.chain
        assert approvals[0].approver == officer
        assert all(x.approver == committee for x in approvals[1:])
        assert (len(a.chain) > 1) == (a.amount >= settings_row.officer_alone_below)
        assert a.documents.filter(kind=DocumentKind.DIAGNOSIS, content_type="application/pdf")
    # paid over months, not all at once (a small demo pays after both drives, a full one from
    # the first: over more than a year)
    days = sorted(a.payment.paid_on for a in paid)
    assert (days[-1] - days[0]).days > 90


def test_applications_in_every_state_and_work_waiting(demo):
    officer = User.objects.get(username="fund_officer")
    committee = User.objects.get(username="committee")
    applications = list(AidApplication.objects.all())
    states = Counter(a.state for a in applications)
    for state in ApplicationState.values:
        assert states[state] > 0, state
    waiting = Counter(
        a.chain[aid_services.next_step(a)]
        for a in applications
        if aid_services.next_step(a) is not None
    )
    assert waiting[ApproverRole.FUND_OFFICER] >= 2
    assert waiting[ApproverRole.COMMITTEE] >= 1
    assert demo.states[ApplicationState.DRAFT] == states[ApplicationState.DRAFT]
    # the fund officer signs in to applications to decide and approved ones to pay
    for_officer = [a for a in applications if aid_services.decide_refusal(officer, a) is None]
    for_committee = [a for a in applications if aid_services.decide_refusal(committee, a) is None]
    assert len(for_officer) == waiting[ApproverRole.FUND_OFFICER]
    assert len(for_committee) == waiting[ApproverRole.COMMITTEE]
    assert AidApplication.objects.visible_to(officer).filter(state=ApplicationState.APPROVED)
    rejected = AidApplication.objects.filter(state=ApplicationState.REJECTED)
    assert all(a.approvals.filter(decision="reject").exclude(note="").exists() for a in rejected)
    # every application has its documents; the bell holds what waits, not what is long done
    assert not AidApplication.objects.filter(documents__isnull=True).exists()
    assert AidDocument.objects.filter(content_type="image/png").exists()
    unread = Notification.objects.filter(recipient=officer, read_at__isnull=True)
    assert unread.filter(kind="fund_aid_decide").count() == len(for_officer)
    assert (
        unread.filter(kind="fund_aid_pay").count()
        == AidApplication.objects.filter(state=ApplicationState.APPROVED).count()
    )
