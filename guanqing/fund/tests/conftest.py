"""Fixtures of the fund's tests. Each area may add its fixtures at the end of this file."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from guanqing.fund import ledger


@pytest.fixture
def fund_world(world, pinned_today, official_calendar):
    """The shared `world` on the pinned day, with the official calendar and the standard accounts
    (bank, interest, aid paid, fees) and the two units' donation accounts."""
    accounts = SimpleNamespace(
        bank=ledger.standard_account(ledger.BANK),
        interest=ledger.standard_account(ledger.INTEREST),
        aid_paid=ledger.standard_account(ledger.AID_PAID),
        fees=ledger.standard_account(ledger.FEES),
        donations=ledger.donations_account(world.unit),
        other_donations=ledger.donations_account(world.other_unit),
    )
    return SimpleNamespace(**vars(world), today=pinned_today, accounts=accounts)


@pytest.fixture
def aid_world(fund_world, settings, tmp_path):
    """`fund_world` with the aid's rule table (`aid_support.TIERS`), the default thresholds, a
    second fund officer and committee member, and documents stored under a temporary directory."""
    from guanqing.fund.tests.aid_support import build_aid_world

    settings.MEDIA_ROOT = tmp_path / "media"
    return build_aid_world(fund_world)
