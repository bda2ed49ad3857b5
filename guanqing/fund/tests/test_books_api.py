"""The books API: the balance in exactly its promised shape, the accounts, the vouchers with their
filters and a query budget that does not grow, the yearly report; only the fund officer and the
committee."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from guanqing.conftest import api_as, api_list_queries
from guanqing.fund import ledger

D = datetime.date
ROLES = [
    "committee",
    "unit_admin",
    "member",
    "community_worker",
    "window_clerk",
    "fund_officer",
    "system_admin",
    "security_admin",
    "audit_admin",
]
READERS = {"committee", "fund_officer"}
ENDPOINTS = [
    "/api/v1/fund/balance/",
    "/api/v1/fund/accounts/",
    "/api/v1/fund/transactions/",
    "/api/v1/fund/report/",
]


def _post(w, day, kind, debit, credit, amount):
    return ledger.post(
        actor=w.users.fund_officer,
        posted_on=day,
        kind=kind,
        memo=kind,
        lines=[ledger.debit(debit, amount), ledger.credit(credit, amount)],
    )


@pytest.fixture
def w(fund_world):
    a = fund_world.accounts
    _post(fund_world, D(2026, 3, 2), "donation", a.bank, a.donations, "1200.50")
    _post(fund_world, D(2026, 4, 8), "donation", a.bank, a.other_donations, "300.00")
    paid = _post(fund_world, D(2026, 4, 20), "aid", a.aid_paid, a.bank, "1000.00")
    ledger.reverse(actor=fund_world.users.fund_officer, transaction=paid, posted_on=D(2026, 5, 6))
    _post(fund_world, D(2026, 5, 7), "aid", a.aid_paid, a.bank, "900.00")
    return fund_world


def test_only_the_fund_officer_and_the_committee_read_the_books(w):
    for role in ROLES:
        client = api_as(getattr(w.users, role))
        for url in ENDPOINTS:
            status = client.get(url).status_code
            assert status == (200 if role in READERS else 403), (role, url, status)


def test_the_balance_is_exactly_the_bank_in_yuan_and_today(w):
    body = api_as(w.users.committee).get("/api/v1/fund/balance/").json()
    assert body == {"balance": "600.50", "as_of": "2026-05-13"}


@pytest.mark.parametrize(
    "as_of, balance",
    [
        ("2026-03-01", "0.00"),
        ("2026-03-02", "1200.50"),
        ("2026-04-20", "500.50"),
        ("2026-05-06", "1500.50"),
        ("2026-05-13", "600.50"),
    ],
)
def test_the_balance_at_a_date_is_the_sum_of_the_entries_to_that_day(w, as_of, balance):
    body = api_as(w.users.fund_officer).get("/api/v1/fund/balance/", {"as_of": as_of}).json()
    assert body == {"balance": balance, "as_of": as_of}
    assert ledger.entries_balance(w.accounts.bank, D.fromisoformat(as_of)) == Decimal(balance)


def test_a_wrong_date_is_a_400_naming_it(w):
    response = api_as(w.users.fund_officer).get("/api/v1/fund/balance/", {"as_of": "2026-02-30"})
    assert response.status_code == 400 and set(response.json()) == {"as_of"}


def test_the_accounts_with_their_balances(w):
    rows = api_as(w.users.committee).get("/api/v1/fund/accounts/").json()["results"]
    balances = {row["code"]: row["balance"] for row in rows}
    assert balances[ledger.BANK] == "600.50"
    assert balances[ledger.AID_PAID] == "900.00"
    assert balances[w.accounts.donations.code] == "1200.50"


def test_the_vouchers_with_their_lines_and_filters(w):
    client = api_as(w.users.committee)
    rows = client.get("/api/v1/fund/transactions/").json()["results"]
    assert [row["number"] for row in rows] == [
        "JZ202605-00002",
        "JZ202605-00001",
        "JZ202604-00002",
        "JZ202604-00001",
        "JZ202603-00001",
    ]
    reversal, original = rows[1], rows[2]
    assert reversal["reverses"] == original["id"] and original["reversed_by"] == reversal["id"]
    assert {(e["account_code"], e["debit"], e["credit"]) for e in original["entries"]} == {
        (ledger.AID_PAID, "1000.00", "0.00"),
        (ledger.BANK, "0.00", "1000.00"),
    }

    def numbers(**query):
        return [
            r["number"] for r in client.get("/api/v1/fund/transactions/", query).json()["results"]
        ]

    assert numbers(month="2026-04") == ["JZ202604-00002", "JZ202604-00001"]
    assert numbers(kind="reversal") == ["JZ202605-00001"]
    assert numbers(account=w.accounts.other_donations.pk) == ["JZ202604-00001"]
    assert client.get("/api/v1/fund/transactions/", {"month": "2026-4x"}).status_code == 400


def test_the_vouchers_list_costs_the_same_queries_for_5_or_25_vouchers(w):
    url = "/api/v1/fund/transactions/"
    few, rows = api_list_queries(w.users.committee, url)
    assert rows == 5
    a = w.accounts
    for i in range(20):
        _post(w, D(2026, 5, 1 + i % 12), "donation", a.bank, a.donations, "1.00")
    many, rows = api_list_queries(w.users.committee, url)
    assert rows == 25 and many == few


def test_the_report_of_a_year(w):
    client = api_as(w.users.fund_officer)
    body = client.get("/api/v1/fund/report/", {"year": 2026}).json()
    assert body["opening"] == "0.00" and body["closing"] == "600.50"
    assert body["income"] == "1500.50" and body["aid_paid"] == "900.00"
    assert body["reconciled"] is True and body["payments"] == 1
    assert [m["closing"] for m in body["months"]] == [
        "0.00",
        "0.00",
        "1200.50",
        "500.50",
        "600.50",
    ]
    assert [u["amount"] for u in body["income_by_unit"]] == ["1200.50", "300.00"]
    assert client.get("/api/v1/fund/report/", {"year": 1999}).status_code == 400
