"""The books pages as the fund officer and the committee use them: who opens what, the vouchers
list with its filters and its query budget, a voucher's page with 冲正, interest and fees posted
by hand (errors beside the fields), 结账, and the yearly report reconciled to the ledger."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from guanqing.conftest import client_for
from guanqing.core.models import AuditEvent
from guanqing.fund import ledger
from guanqing.fund.choices import TransactionKind
from guanqing.fund.models import Period, Transaction

READERS = {"fund_officer", "committee"}
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
D = datetime.date


def _post(w, day, kind, debit, credit, amount, memo="凭证"):
    return ledger.post(
        actor=w.users.fund_officer,
        posted_on=day,
        kind=kind,
        memo=memo,
        lines=[ledger.debit(debit, amount), ledger.credit(credit, amount)],
    )


def donate(w, day, amount, account=None):
    return _post(w, day, "donation", w.accounts.bank, account or w.accounts.donations, amount)


def pay(w, day, amount):
    return _post(w, day, "aid", w.accounts.aid_paid, w.accounts.bank, amount)


@pytest.fixture
def w(fund_world):
    return fund_world


@pytest.fixture
def officer(w):
    return client_for(w.users.fund_officer)


@pytest.fixture
def year_of_books(w):
    """The hand-worked year (see `test_the_yearly_report_reconciles_a_hand_worked_year`)."""
    a = w.accounts
    donate(w, D(2025, 12, 20), "1000.00")
    donate(w, D(2026, 1, 10), "500.00")
    donate(w, D(2026, 1, 15), "2000.00", a.other_donations)
    _post(w, D(2026, 1, 31), "interest", a.bank, a.interest, "3.20")
    pay(w, D(2026, 2, 5), "1200.00")
    _post(w, D(2026, 2, 5), "fee", a.fees, a.bank, "0.50")
    wrong = donate(w, D(2026, 3, 1), "300.00", a.other_donations)
    ledger.reverse(actor=w.users.fund_officer, transaction=wrong, posted_on=D(2026, 3, 2))
    pay(w, D(2026, 5, 10), "800.00")
    return wrong


# --- who opens what --------------------------------------------------------------------------


def test_only_the_fund_officer_and_the_committee_open_the_books(w, year_of_books):
    voucher = year_of_books
    pages = [
        reverse("fund:books"),
        reverse("fund:books_vouchers"),
        reverse("fund:books_voucher", args=[voucher.pk]),
        reverse("fund:books_periods"),
        reverse("fund:books_report"),
        reverse("fund:books_report_excel"),
    ]
    for role in ROLES:
        client = client_for(getattr(w.users, role))
        for url in pages:
            status = client.get(url).status_code
            assert status == (200 if role in READERS else 403), (role, url, status)


def test_only_the_fund_officer_posts_reverses_and_closes(w, year_of_books):
    voucher = Transaction.objects.get(number="JZ202605-00001")
    before = Transaction.objects.count()
    for role in ROLES:
        if role == "fund_officer":
            continue
        client = client_for(getattr(w.users, role))
        assert client.get(reverse("fund:books_post")).status_code == 403
        assert (
            client.post(
                reverse("fund:books_post"),
                {"kind": "interest", "posted_on": "2026-05-12", "amount": "1.00"},
            ).status_code
            == 403
        )
        assert (
            client.post(
                reverse("fund:books_voucher_reverse", args=[voucher.pk]),
                {"posted_on": "2026-05-12"},
            ).status_code
            == 403
        )
        assert (
            client.post(reverse("fund:books_period_close"), {"month": "2026-01"}).status_code == 403
        )
    assert Transaction.objects.count() == before
    assert not Period.objects.filter(closed_at__isnull=False).exists()
    committee_page = client_for(w.users.committee).get(
        reverse("fund:books_voucher", args=[voucher.pk])
    )
    assert "posted_on" not in committee_page.content.decode()  # no 冲正 form for the committee


# --- the balance and the accounts ------------------------------------------------------------


def test_the_overview_shows_each_accounts_balance_and_that_it_agrees_with_its_entries(
    w, officer, year_of_books
):
    page = officer.get(reverse("fund:books")).content.decode()
    assert re.search(r'data-key="balance">1,502\.70<', page)
    rows = dict(re.findall(r'data-account="([^"]+)">.*?data-key="balance">([0-9,.]+)<', page, re.S))
    assert rows[ledger.BANK] == "1,502.70"
    assert rows[ledger.AID_PAID] == "2,000.00"
    assert rows[ledger.FEES] == "0.50"
    assert rows[ledger.INTEREST] == "3.20"
    assert rows[w.accounts.donations.code] == "1,500.00"
    assert rows[w.accounts.other_donations.code] == "2,000.00"
    assert "不符" not in page


# --- the vouchers ----------------------------------------------------------------------------


def _numbers(response) -> list[str]:
    return re.findall(r'data-voucher="([^"]+)"', response.content.decode())


def test_the_vouchers_filter_by_month_kind_and_account(w, officer, year_of_books):
    url = reverse("fund:books_vouchers")
    assert len(_numbers(officer.get(url))) == Transaction.objects.count() == 9
    assert set(_numbers(officer.get(url, {"month": "2026-01"}))) == {
        "JZ202601-00001",
        "JZ202601-00002",
        "JZ202601-00003",
    }
    assert set(_numbers(officer.get(url, {"kind": "aid"}))) == {
        "JZ202602-00001",
        "JZ202605-00001",
    }
    other = w.accounts.other_donations
    assert set(_numbers(officer.get(url, {"account": other.pk}))) == {
        "JZ202601-00002",
        "JZ202603-00001",
        "JZ202603-00002",
    }
    both = officer.get(url, {"account": other.pk, "month": "2026-03", "kind": "reversal"})
    assert _numbers(both) == ["JZ202603-00002"]


def test_a_month_that_is_not_a_month_is_shown_beside_the_field(w, officer, year_of_books):
    response = officer.get(reverse("fund:books_vouchers"), {"month": "2026-13"})
    page = response.content.decode()
    assert 'id="id_month_error"' in page
    assert not _numbers(response)


def test_a_reversal_and_its_original_link_to_each_other(w, officer, year_of_books):
    original = year_of_books
    reversal = Transaction.objects.get(reverses=original)
    listing = officer.get(reverse("fund:books_vouchers"), {"month": "2026-03"}).content.decode()
    assert reverse("fund:books_voucher", args=[reversal.pk]) in listing
    assert reverse("fund:books_voucher", args=[original.pk]) in listing
    page = officer.get(reverse("fund:books_voucher", args=[original.pk])).content.decode()
    assert (
        f'data-key="reversed-by" href="{reverse("fund:books_voucher", args=[reversal.pk])}"' in page
    )
    assert "books_voucher_reverse" not in page and "/reverse/" not in page  # reversed once only
    page = officer.get(reverse("fund:books_voucher", args=[reversal.pk])).content.decode()
    assert f'data-key="reverses" href="{reverse("fund:books_voucher", args=[original.pk])}"' in page
    assert "/reverse/" not in page  # a reversal is never reversed


def test_the_vouchers_list_costs_the_same_queries_for_3_or_30_vouchers(
    w, officer, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert officer.get(reverse("fund:books_vouchers"), {"per_page": 50}).status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        donate(w, D(2026, 4, 1 + i), "10.00")
    queries()  # the first request of a session reads more (the session, the menu's caches)
    few = queries()
    for i in range(27):
        donate(w, D(2026, 5, 1 + i % 12), "10.00")
    pay(w, D(2026, 5, 12), "5.00")
    assert queries() == few
    with django_assert_max_num_queries(12):
        officer.get(reverse("fund:books_vouchers"), {"per_page": 50})


# --- reversing on the page -------------------------------------------------------------------


def test_the_fund_officer_reverses_a_voucher_on_its_page(w, officer):
    gift = donate(w, D(2026, 5, 4), "88.00")
    response = officer.post(
        reverse("fund:books_voucher_reverse", args=[gift.pk]),
        {"posted_on": "2026-05-12", "memo": "误记"},
    )
    reversal = Transaction.objects.get(reverses=gift)
    assert response.status_code == 302
    assert response["Location"] == reverse("fund:books_voucher", args=[reversal.pk])
    assert reversal.memo == "误记" and reversal.kind == TransactionKind.REVERSAL
    assert ledger.bank_balance() == 0
    again = officer.post(
        reverse("fund:books_voucher_reverse", args=[gift.pk]), {"posted_on": "2026-05-12"}
    )
    assert again.status_code == 400
    assert Transaction.objects.filter(reverses=gift).count() == 1


def test_a_reversal_into_a_closed_month_or_the_future_is_shown_beside_the_date(w, officer):
    gift = donate(w, D(2026, 3, 4), "88.00")
    ledger.period_close(actor=w.users.fund_officer, month=D(2026, 3, 1))
    url = reverse("fund:books_voucher_reverse", args=[gift.pk])
    for day in ("2026-03-31", "2026-05-14", ""):
        response = officer.post(url, {"posted_on": day})
        assert response.status_code == 400, day
        assert 'id="id_posted_on_error"' in response.content.decode(), day
    assert not Transaction.objects.filter(reverses=gift).exists()


# --- interest and fees by hand ---------------------------------------------------------------


def test_interest_and_fees_posted_by_hand_move_the_bank(w, officer):
    url = reverse("fund:books_post")
    assert officer.get(url).status_code == 200
    response = officer.post(
        url, {"kind": "interest", "posted_on": "2026-05-12", "amount": "12.34", "memo": ""}
    )
    assert response.status_code == 302
    interest = Transaction.objects.get(kind=TransactionKind.INTEREST)
    assert interest.memo == "银行存款利息"
    officer.post(url, {"kind": "fee", "posted_on": "2026-05-12", "amount": "2.34", "memo": "汇费"})
    fee = Transaction.objects.get(kind=TransactionKind.FEE)
    assert {(e.account.code, e.debit, e.credit) for e in fee.entries.all()} == {
        (ledger.FEES, Decimal("2.34"), 0),
        (ledger.BANK, 0, Decimal("2.34")),
    }
    assert ledger.bank_balance() == Decimal("10.00")


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "interest", "posted_on": "2026-05-12", "amount": "0"}, "amount"),
        ({"kind": "interest", "posted_on": "2026-05-12", "amount": "1.234"}, "amount"),
        ({"kind": "fee", "posted_on": "2026-05-12", "amount": "10.01"}, "amount"),  # bank: 10.00
        ({"kind": "interest", "posted_on": "2026-03-31", "amount": "1.00"}, "posted_on"),
        ({"kind": "interest", "posted_on": "2026-05-14", "amount": "1.00"}, "posted_on"),
        ({"kind": "aid", "posted_on": "2026-05-12", "amount": "1.00"}, "kind"),
    ],
)
def test_a_refused_post_is_shown_beside_its_field_and_writes_nothing(w, officer, data, field):
    donate(w, D(2026, 4, 1), "10.00")
    ledger.period_close(actor=w.users.fund_officer, month=D(2026, 3, 1))
    before = Transaction.objects.count()
    response = officer.post(reverse("fund:books_post"), data)
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert Transaction.objects.count() == before
    assert ledger.bank_balance() == Decimal("10.00")


# --- periods ---------------------------------------------------------------------------------


def test_months_close_in_order_and_not_before_they_end(w, officer, year_of_books):
    url = reverse("fund:books_period_close")
    page = officer.get(reverse("fund:books_periods")).content.decode()
    assert 'value="2025-12"' in page and 'value="2026-01"' not in page  # in order
    officer.post(url, {"month": "2026-01"})
    assert not Period.objects.filter(closed_at__isnull=False).exists()
    officer.post(url, {"month": "2025-12"})
    officer.post(url, {"month": "2026-01"})
    officer.post(url, {"month": "2026-05"})  # this month has not ended
    closed = Period.objects.filter(closed_at__isnull=False).order_by("month")
    assert [f"{p.month:%Y-%m}" for p in closed] == ["2025-12", "2026-01"]
    assert closed[1].closed_by == w.users.fund_officer


# --- the yearly report -----------------------------------------------------------------------


def _cell(page: str, key: str) -> str:
    return re.search(rf'data-key="{key}">(?:<span[^>]*>)?([^<]*)<', page).group(1).strip()


def test_the_yearly_report_reconciles_a_hand_worked_year(w, officer, year_of_books):
    """The year 2026 by hand (today is 2026-05-13):

    2025-12-20 gift from 市纪委 1,000.00                 → opening balance 1,000.00
    January:  gifts 500.00 (市纪委) + 2,000.00 (市发改委), interest 3.20 → 3,503.20
    February: aid paid 1,200.00, bank fee 0.50          → 2,302.70
    March:    gift 300.00 (市发改委) and its reversal     → 2,302.70
    April:    nothing                                   → 2,302.70
    May:      aid paid 800.00                           → 1,502.70
    Year: 1,000.00 + income 2,500.00 + interest 3.20 − aid 2,000.00 (2 payments) − fees 0.50
          = 1,502.70, the bank's entries at 2026-05-13. Income by unit: 市发改委 2,000.00,
          市纪委 500.00.
    """
    page = officer.get(reverse("fund:books_report"), {"year": 2026}).content.decode()
    assert _cell(page, "opening") == "1,000.00"
    assert _cell(page, "income") == "2,500.00"
    assert _cell(page, "interest") == "3.20"
    assert _cell(page, "aid") == "2,000.00"
    assert _cell(page, "fees") == "0.50"
    assert _cell(page, "expected") == _cell(page, "closing") == "1,502.70"
    assert _cell(page, "reconciled") == "相符"
    assert "（2 笔）" in page
    ends = dict(re.findall(r'data-month="([0-9-]+)">.*?data-key="closing">([0-9,.]+)<', page, re.S))
    assert ends == {
        "2026-01": "3,503.20",
        "2026-02": "2,302.70",
        "2026-03": "2,302.70",
        "2026-04": "2,302.70",
        "2026-05": "1,502.70",
    }
    for month, balance in ends.items():
        last_day = (D(*map(int, month.split("-")), 1) + datetime.timedelta(days=31)).replace(
            day=1
        ) - datetime.timedelta(days=1)
        assert ledger.entries_balance(w.accounts.bank, last_day) == Decimal(
            balance.replace(",", "")
        )
    units = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">([0-9,.]+)</td></tr>", page)
    assert units == [("市发改委", "2,000.00"), ("市纪委", "500.00")]


def test_the_report_of_a_past_year_and_a_wrong_year(w, officer, year_of_books):
    page = officer.get(reverse("fund:books_report"), {"year": 2025}).content.decode()
    assert _cell(page, "opening") == "0.00"
    assert _cell(page, "closing") == "1,000.00"
    assert len(re.findall(r'data-month="2025-', page)) == 12
    wrong = officer.get(reverse("fund:books_report"), {"year": "1900"})
    assert wrong.status_code == 400 and 'id="id_year_error"' in wrong.content.decode()


def test_the_report_as_pdf_and_as_an_audited_excel(w, officer, year_of_books):
    pdf = officer.get(reverse("fund:books_report_pdf"), {"year": 2026})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    excel = officer.get(reverse("fund:books_report_excel"), {"year": 2026})
    assert excel.status_code == 200
    assert "spreadsheetml" in excel["Content-Type"]
    event = AuditEvent.objects.filter(action="export", object_type="fund.report").get()
    assert event.actor == w.users.fund_officer and "year=2026" in event.message


def test_an_english_user_reads_the_books_in_english(w, year_of_books):
    """Inside <main>, nothing Chinese but the data (account names, units, memos)."""
    from html import unescape

    from guanqing.core.tests.test_i18n import english_client

    client = english_client(w.users.fund_officer)
    data = {"银行存款", "利息收入", "帮扶金支出", "银行手续费", "捐款收入", "市纪委", "市发改委"}
    data |= set(Transaction.objects.values_list("memo", flat=True))
    voucher = Transaction.objects.get(reverses=year_of_books)
    urls = [
        reverse("fund:books"),
        reverse("fund:books_vouchers"),
        reverse("fund:books_voucher", args=[year_of_books.pk]),
        reverse("fund:books_voucher", args=[voucher.pk]),
        reverse("fund:books_post"),
        reverse("fund:books_periods"),
        reverse("fund:books_report"),
        reverse("fund:books_vouchers") + "?month=2026-13",
    ]
    for url in urls:
        html = client.get(url).content.decode()
        main = html[html.index('<main id="main"') : html.index("</main>")]
        text = unescape(re.sub(r"<[^>]+>", " ", main))
        for value in sorted(data, key=len, reverse=True):
            text = text.replace(value, "")
        assert not re.search(r"[\u4e00-\u9fff]", text), (
            url,
            re.findall(r"\S*[\u4e00-\u9fff]+\S*", text),
        )
