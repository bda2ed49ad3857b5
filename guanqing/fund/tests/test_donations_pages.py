"""The donation pages: the list within each role's scope (404 outside it), recording and importing
(errors beside the fields, a table of row errors), the receipt PDF, the totals page."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.conftest import client_for
from guanqing.core.excel import XLSX_CONTENT_TYPE, read_sheet
from guanqing.fund import donation_services as services
from guanqing.fund.choices import DonationSource
from guanqing.fund.donation_import import donation_import
from guanqing.fund.models import Donation, DonationBatch
from guanqing.registry.tests.excel_helpers import xlsx_bytes
from guanqing.testing import factories as f
from guanqing.window.tests.pdfs import pdf_streams, pdf_text

D = datetime.date

pytestmark = pytest.mark.django_db

# role -> which gifts ("unit": world.unit's own, "staff": world.member's, "other": the other
# unit's) the list shows; None: the page is refused (403)
SEEN = {
    "fund_officer": {"unit", "staff", "other"},
    "committee": {"unit", "staff", "other"},
    "unit_admin": {"unit", "staff"},
    "member": {"staff"},
    "community_worker": None,
    "window_clerk": None,
    "system_admin": None,
    "security_admin": None,
    "audit_admin": None,
}


def give(w, **overrides):
    values = {
        "actor": w.users.fund_officer,
        "source": DonationSource.UNIT,
        "unit": w.unit,
        "amount": Decimal("5000"),
        "received_on": D(2026, 5, 11),
    }
    values.update(overrides)
    return services.donation_record(**values)


@pytest.fixture
def gifts(fund_world):
    w = fund_world
    return {
        "unit": give(w),
        "staff": give(
            w, source=DonationSource.MEMBER, member=w.member, amount=Decimal("100"), note="五月"
        ),
        "other": give(w, unit=w.other_unit, amount=Decimal("3000")),
    }


@pytest.mark.parametrize("role", list(SEEN))
def test_list_detail_and_receipt_within_scope(fund_world, gifts, role):
    client = client_for(getattr(fund_world.users, role))
    response = client.get("/fund/donations/")
    expected = SEEN[role]
    if expected is None:
        assert response.status_code == 403
        for gift in gifts.values():
            assert client.get(f"/fund/donations/{gift.pk}/").status_code == 403
        return
    assert response.status_code == 200
    shown = {name for name, gift in gifts.items() if gift.receipt_number in response.text}
    assert shown == expected
    for name, gift in gifts.items():
        detail = client.get(f"/fund/donations/{gift.pk}/")
        assert detail.status_code == (200 if name in expected else 404), name
    hidden = [g for n, g in gifts.items() if n not in expected]
    for gift in hidden:
        assert client.get(f"/fund/donations/{gift.pk}/receipt/").status_code == 404


def test_the_list_filters_by_unit_year_source_and_donor(fund_world, gifts):
    client = client_for(fund_world.users.fund_officer)

    def receipts(**query):
        text = client.get("/fund/donations/", query).text
        return {name for name, gift in gifts.items() if gift.receipt_number in text}

    assert receipts(unit=fund_world.other_unit.pk) == {"other"}
    assert receipts(source="member") == {"staff"}
    assert receipts(q=fund_world.member.name) == {"staff"}
    assert receipts(q=gifts["other"].receipt_number) == {"other"}
    assert receipts(year=2025) == set()
    assert receipts(year=2026) == {"unit", "staff", "other"}
    page = client.get("/fund/donations/", {"unit": fund_world.unit.pk})
    assert "5,100.00" in page.text and "0.51" in page.text  # 元 and 万元


def test_the_unit_filter_of_the_donation_and_aid_lists_is_searched_past_30(fund_world, gifts):
    """A province has thousands of units: past 30 the lists search them, the chosen one named;
    under that a select; a unit administrator, who sees one unit, has no unit filter."""
    from unittest import mock

    client = client_for(fund_world.users.committee)
    html = client.get("/fund/donations/").text
    assert f'<option value="{fund_world.other_unit.pk}"' in html
    with mock.patch("guanqing.fund.forms_donations.UNITS_IN_A_LIST", 1):
        chosen = client.get("/fund/donations/", {"unit": fund_world.other_unit.pk}).text
        applications = client.get("/fund/aid/").text
    for html in (chosen, applications):
        assert 'name="unit_q"' in html and "/registry/pick/fund-listed-units/" in html
        assert f'<option value="{fund_world.unit.pk}"' not in html
    assert fund_world.other_unit.name in chosen and gifts["other"].receipt_number in chosen
    assert gifts["unit"].receipt_number not in chosen
    found = client.get("/registry/pick/fund-listed-units/", {"q": fund_world.other_unit.name})
    assert found.status_code == 200 and fund_world.other_unit.name in found.text
    admin = client_for(fund_world.users.unit_admin).get("/fund/donations/").text
    assert 'name="unit"' not in admin and 'name="unit_q"' not in admin


def test_the_list_answers_htmx_with_the_results_only(fund_world, gifts):
    client = client_for(fund_world.users.committee)
    response = client.get(
        "/fund/donations/", {"source": "unit"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert gifts["unit"].receipt_number in response.text


def test_the_list_runs_a_fixed_number_of_queries(fund_world):
    w = fund_world
    client = client_for(w.users.fund_officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/fund/donations/").status_code == 200
        return len(ctx.captured_queries)

    give(w)
    queries()  # the first request of a session does more (the session, the menu)
    few = queries()
    for index in range(12):
        give(w, source=DonationSource.MEMBER, donor_name=f"职工{index}", amount=Decimal(index + 1))
    assert queries() == few


def test_recording_a_gift_on_the_page(fund_world):
    w = fund_world
    client = client_for(w.users.fund_officer)
    assert client.get("/fund/donations/new/").status_code == 200
    response = client.post(
        "/fund/donations/new/",
        {
            "source": "member",
            "unit": w.unit.pk,
            "id_number": w.member.id_number,
            "amount": "300.00",
            "received_on": "2026-05-12",
            "note": "",
            "donor_name": "",
        },
    )
    donation = Donation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/fund/donations/{donation.pk}/"
    assert (donation.member, donation.donor_name) == (w.member, w.member.name)
    detail = client.get(response["Location"])
    assert "叁佰元整" in detail.text
    assert donation.transaction.number in detail.text


def test_the_form_shows_each_error_beside_its_field(fund_world):
    w = fund_world
    client = client_for(w.users.fund_officer)
    response = client.post(
        "/fund/donations/new/",
        {
            "source": "member",
            "unit": w.unit.pk,
            "id_number": w.other_member.id_number,
            "amount": "10",
            "received_on": "2026-05-12",
        },
    )
    assert response.status_code == 400
    assert "id_id_number_error" in response.text
    response = client.post(
        "/fund/donations/new/",
        {"source": "member", "unit": w.unit.pk, "amount": "10", "received_on": "2026-05-20"},
    )
    assert response.status_code == 400
    assert "id_donor_name_error" in response.text
    assert "id_received_on_error" in response.text
    assert not Donation.objects.exists()


@pytest.mark.parametrize("role", ["committee", "unit_admin", "member"])
def test_only_the_fund_officer_opens_the_record_and_import_pages(fund_world, role):
    client = client_for(getattr(fund_world.users, role))
    assert client.get("/fund/donations/new/").status_code == 403
    assert client.get("/fund/donations/import/").status_code == 403
    assert client.get("/fund/donations/import/template/").status_code == 403


def _upload(rows, headers=("姓名", "金额（元）", "证件号码", "备注")):
    return SimpleUploadedFile(
        "list.xlsx", xlsx_bytes(list(headers), rows), content_type=XLSX_CONTENT_TYPE
    )


def test_the_import_page_shows_row_errors_or_the_batch(fund_world):
    w = fund_world
    client = client_for(w.users.fund_officer)
    template = client.get("/fund/donations/import/template/")
    assert template.status_code == 200
    sheet = read_sheet(io.BytesIO(template.content))
    assert sheet.headers == ["姓名", "金额（元）", "证件号码", "备注"]
    bad = client.post(
        "/fund/donations/import/",
        {
            "unit": w.unit.pk,
            "received_on": "2026-05-08",
            "file": _upload([["张三", 100, None, None], ["李", -1, None, None]]),
        },
    )
    assert bad.status_code == 400
    assert 'data-row="3" data-column="金额（元）"' in bad.text
    assert not DonationBatch.objects.exists()
    good = client.post(
        "/fund/donations/import/",
        {
            "unit": w.unit.pk,
            "received_on": "2026-05-08",
            "file": _upload([["张三", 100, None, None], ["李", 1, None, None]]),
        },
    )
    assert good.status_code == 200
    batch = DonationBatch.objects.get()
    assert 'id="import-success"' in good.text
    assert f"/fund/donations/batches/{batch.pk}/receipts/" in good.text
    listed = client.get("/fund/donations/", {"batch": batch.pk}).text
    assert all(d.receipt_number in listed for d in batch.donations.all())


def test_the_import_page_refuses_a_file_that_is_not_xlsx(fund_world):
    client = client_for(fund_world.users.fund_officer)
    response = client.post(
        "/fund/donations/import/",
        {
            "unit": fund_world.unit.pk,
            "received_on": "2026-05-08",
            "file": SimpleUploadedFile("list.xls", b"old"),
        },
    )
    assert response.status_code == 400
    assert "id_file_error" in response.text


def assert_pdf(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "private" in response["Cache-Control"]
    assert any(b"Noto-Sans-CJK-SC" in stream for stream in pdf_streams(response.content))
    return pdf_text(response.content)


def test_the_receipt_pdf(fund_world, gifts):
    w = fund_world
    w.users.fund_officer.display_name = "钱经办"
    w.users.fund_officer.save(update_fields=["display_name"])
    gift = gifts["staff"]
    response = client_for(w.users.member).get(f"/fund/donations/{gift.pk}/receipt/")
    text = assert_pdf(response)
    assert gift.receipt_number in text
    assert w.member.name in text
    assert w.unit.name in text
    assert "100.00" in text
    assert "壹佰元整" in text
    assert "2026-05-11" in text
    assert "汇爱" in text and "帮扶金" in text
    assert "钱经办" in text


def test_a_batchs_receipts_are_one_pdf_with_a_page_each(fund_world):
    w = fund_world
    result = donation_import(
        actor=w.users.fund_officer,
        unit=w.unit,
        received_on=D(2026, 5, 8),
        fileobj=io.BytesIO(
            xlsx_bytes(["姓名", "金额（元）"], [["甲", 10], ["乙", 20], ["丙", 30.5]])
        ),
    )
    client = client_for(w.users.unit_admin)
    response = client.get(f"/fund/donations/batches/{result.batch.pk}/receipts/")
    text = assert_pdf(response)
    pages = [
        match
        for data in [response.content, *pdf_streams(response.content)]
        for match in re.findall(rb"/Type\s*/Page(?!s)\b", data)
    ]
    assert len(pages) == 3
    for donation in result.batch.donations.all():
        assert donation.receipt_number in text
    assert "叁拾元伍角整" in text
    # a member sees no list, another unit's administrator neither
    assert (
        client_for(w.users.member)
        .get(f"/fund/donations/batches/{result.batch.pk}/receipts/")
        .status_code
        == 404
    )
    other_admin = f.UserFactory(username="other_admin", role="unit_admin", unit=w.other_unit)
    assert (
        client_for(other_admin)
        .get(f"/fund/donations/batches/{result.batch.pk}/receipts/")
        .status_code
        == 404
    )


def test_the_totals_page(fund_world, gifts):
    w = fund_world
    response = client_for(w.users.committee).get("/fund/donations/totals/", {"year": 2026})
    assert response.status_code == 200
    text = response.text
    assert 'id="city-totals"' in text
    assert "8,100.00" in text and "0.81" in text
    assert "564,769.00" in text and "106" in text
    mine = client_for(w.users.unit_admin).get("/fund/donations/totals/").text
    assert w.unit.name in mine and w.other_unit.name not in mine
    assert 'id="city-totals"' not in mine


def test_an_english_user_reads_the_pages_in_english(fund_world, gifts):
    w = fund_world
    client = client_for(w.users.fund_officer)
    client.cookies["django_language"] = "en"
    data = [w.unit.name, w.other_unit.name, w.member.name, "五月", "壹佰元整"]
    data += [u.short_name for u in (w.unit, w.other_unit) if u.short_name]
    for url in (
        "/fund/donations/",
        "/fund/donations/new/",
        "/fund/donations/import/",
        "/fund/donations/totals/",
        f"/fund/donations/{gifts['staff'].pk}/",
    ):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
        main = re.sub(r"<select.*?</select>", "", main, flags=re.S)
        # the template's column names are the Excel file's vocabulary, Chinese in every language
        main = re.sub(r'<p class="kind-list__cols">.*?</p>', "", main, flags=re.S)
        for value in data:
            main = main.replace(value, "")
        assert not re.findall(r"[\u4e00-\u9fff]+", main), url


def test_the_filter_bar_offers_the_units_only_to_those_who_see_several(fund_world, gifts):
    w = fund_world
    officer = client_for(w.users.fund_officer).get("/fund/donations/").text
    assert '<select name="unit"' in officer
    assert w.other_unit.name in officer
    admin = client_for(w.users.unit_admin).get("/fund/donations/").text
    assert 'name="unit"' not in admin
    assert 'name="batch"' not in admin
