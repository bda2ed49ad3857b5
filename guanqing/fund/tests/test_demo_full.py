"""The fund part of the full demo (the shared demo at scale 1): the article's donations and aid to
the yuan, and a bank balance that is the donations less the aid, plus interest, less fees (the
small demo's books are checked in test_demo.py)."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from guanqing.fund import ledger
from guanqing.fund.demo import AID_PAID, AID_PEOPLE, DONORS
from guanqing.fund.donation_services import ARTICLE_TOTAL, ARTICLE_UNITS
from guanqing.fund.models import Donation, Payment
from guanqing.registry.models import Unit

pytestmark = [
    pytest.mark.shared_demo(scale=1),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today", "official_calendar"),
]


def test_the_full_demo_has_the_articles_figures(shared_demo):
    summary = shared_demo.parts["fund"]
    donations = Donation.objects.all()
    assert donations.aggregate(s=Sum("amount"))["s"] == ARTICLE_TOTAL
    assert donations.values("unit").distinct().count() == min(Unit.objects.count(), ARTICLE_UNITS)
    assert summary.donors == DONORS > 10_000
    paid = Payment.objects.all()
    assert paid.count() == AID_PEOPLE
    assert paid.values("application__member").distinct().count() == AID_PEOPLE
    assert paid.aggregate(s=Sum("amount"))["s"] == AID_PAID
    bank = ledger.standard_account(ledger.BANK).balance
    interest = ledger.standard_account(ledger.INTEREST).balance
    fees = ledger.standard_account(ledger.FEES).balance
    assert bank == ARTICLE_TOTAL - AID_PAID + interest - fees == summary.bank
