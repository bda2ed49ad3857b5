"""The 受理回执 and the 容缺受理通知书 as PDFs: real PDFs in Noto Sans CJK SC, with the receipt
number, the matter and every missing material as text; only for cases in scope; the notice only
for a case accepted with materials missing."""

from __future__ import annotations

import datetime

import pytest

from guanqing.conftest import client_for
from guanqing.window.tests import factories as wf
from guanqing.window.tests.pdfs import pdf_streams, pdf_text

D = datetime.date

pytestmark = pytest.mark.django_db


@pytest.fixture
def d(world, official_calendar, pinned_today):
    return wf.desk(world)


@pytest.fixture
def deferred_case(d):
    missing = [m for m in d.matter.current.materials.all() if m.deferrable]
    return wf.accepted_case(
        actor=d.clerk,
        window=d.window,
        matter=d.matter,
        deferred_materials=[m.pk for m in missing],
        supply_by=D(2026, 5, 18),
        deferral_promise="本人承诺按期补齐",
    )


def assert_pdf(response, filename_part: str) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "private" in response["Cache-Control"]
    assert (
        filename_part in response["Content-Disposition"]
        or "filename*" in (response["Content-Disposition"])
    )
    assert any(b"Noto-Sans-CJK-SC" in stream for stream in pdf_streams(response.content))
    return pdf_text(response.content)


def test_the_receipt_pdf_has_the_receipt_number_matter_and_what_to_bring(d, deferred_case):
    response = client_for(d.clerk).get(f"/window/cases/{deferred_case.pk}/receipt/pdf/")
    text = assert_pdf(response, deferred_case.receipt_no)
    assert deferred_case.receipt_no in text
    assert "受理回执" in text
    assert d.matter.name in text
    assert "营业执照复印件" in text and "场所平面图" in text
    assert deferred_case.deadline.isoformat() in text
    assert deferred_case.id_number not in text
    assert deferred_case.masked_id_number() in text


def test_the_deferral_notice_lists_each_missing_item_its_form_date_promise_and_consequence(
    d, deferred_case
):
    response = client_for(d.clerk).get(f"/window/cases/{deferred_case.pk}/deferral/pdf/")
    text = assert_pdf(response, deferred_case.receipt_no)
    assert "容缺受理通知书" in text
    assert deferred_case.receipt_no in text
    assert "营业执照复印件" in text and "场所平面图" in text
    assert "申请书" not in text.replace("申请人", "")  # a material not deferred
    assert "复印件" in text  # the form
    assert "2026-05-18" in text
    assert "本人承诺按期补齐" in text
    assert "终止办理" in text and "12" in text  # the consequence and the months barred


def test_a_case_accepted_with_nothing_missing_has_no_deferral_notice(d):
    case = wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter)
    client = client_for(d.clerk)
    assert client.get(f"/window/cases/{case.pk}/deferral/pdf/").status_code == 404
    assert client.get(f"/window/cases/{case.pk}/receipt/pdf/").status_code == 200


@pytest.mark.parametrize(
    "role,own,other",
    [
        ("committee", 200, 200),
        ("unit_admin", 200, 404),
        ("window_clerk", 200, 404),
        ("member", 403, 403),
        ("audit_admin", 403, 403),
    ],
)
def test_the_deferral_notice_by_role_own_and_other(world, d, deferred_case, role, own, other):
    missing = [m for m in d.other_matter.current.materials.all() if m.deferrable]
    other_case = wf.accepted_case(
        actor=d.other_clerk,
        window=d.other_window,
        matter=d.other_matter,
        deferred_materials=[m.pk for m in missing],
        supply_by=D(2026, 5, 18),
        deferral_promise="按期补齐",
    )
    client = client_for(getattr(world.users, role))
    got = (
        client.get(f"/window/cases/{deferred_case.pk}/deferral/pdf/").status_code,
        client.get(f"/window/cases/{other_case.pk}/deferral/pdf/").status_code,
    )
    assert got == (own, other)


def test_the_catalogue_notice_pdf_goes_through_the_same_helper(d, monkeypatch):
    from guanqing.window import pdf

    calls = []
    original = pdf.render_pdf

    def spy(request, template, context):
        calls.append(template)
        return original(request, template, context)

    monkeypatch.setattr(pdf, "render_pdf", spy)
    response = client_for(d.clerk).get(f"/window/matters/{d.matter.pk}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert calls == ["window/notice_pdf.html"]
