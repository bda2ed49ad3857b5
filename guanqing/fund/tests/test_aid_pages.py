"""The aid pages: the list (filters, "waiting for me", the diagnosis masked for everyone), an
application's page (illness data for the fund officer and the committee only, each read audited;
the steps each user may take), the form with its documents, the rule table, 公示 and its PDF."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanqing.conftest import client_for
from guanqing.core.models import AuditEvent
from guanqing.fund.choices import ApplicationState
from guanqing.fund.models import AidApplication, AidTier, FundSettings
from guanqing.fund.tests.aid_support import PDF, D, approved, draft, fund_bank, paid, submitted
from guanqing.testing import factories as f

pytestmark = pytest.mark.django_db

# the illness data as stored and as a page shows it (thousands separated)
ILLNESS_WORDS = (
    "恶性肿瘤",
    "术后化疗",
    "30000",
    "20000.00",
    "10000",
    "30,000",
    "20,000.00",
    "10,000",
)


def _reveals(application) -> int:
    return AuditEvent.objects.filter(
        action="reveal", root_type="fund.aidapplication", root_id=str(application.pk)
    ).count()


def test_the_list_masks_the_diagnosis_even_for_readers(aid_world):
    application = draft(aid_world)
    for user in (
        aid_world.users.fund_officer,
        aid_world.users.committee,
        aid_world.users.unit_admin,
    ):
        response = client_for(user).get(reverse("fund:aid_applications"))
        assert response.status_code == 200
        body = response.content.decode()
        assert application.number in body
        assert "（已隐藏）" in body
        for word in ILLNESS_WORDS:
            assert word not in body, (user.username, word)
    assert _reveals(application) == 0


def test_the_list_shows_each_role_its_scope(aid_world):
    own = draft(aid_world)
    other = draft(aid_world, actor=aid_world.users.fund_officer, member=aid_world.other_member)
    seen = {
        "fund_officer": {own.number, other.number},
        "committee": {own.number, other.number},
        "unit_admin": {own.number},
        "member": {own.number},
    }
    for role, numbers in seen.items():
        body = (
            client_for(getattr(aid_world.users, role))
            .get(reverse("fund:aid_applications"))
            .content.decode()
        )
        assert {n for n in (own.number, other.number) if n in body} == numbers, role


def test_the_list_filters_by_state_and_waiting_for_me(aid_world):
    waiting = submitted(aid_world)
    draft_row = draft(aid_world)
    client = client_for(aid_world.users.fund_officer)
    body = client.get(reverse("fund:aid_applications"), {"state": "submitted"}).content.decode()
    assert waiting.number in body and draft_row.number not in body
    body = client.get(reverse("fund:aid_applications"), {"waiting": "on"}).content.decode()
    assert waiting.number in body and draft_row.number not in body
    # the committee's step has not come yet
    body = (
        client_for(aid_world.users.committee)
        .get(reverse("fund:aid_applications"), {"waiting": "on"})
        .content.decode()
    )
    assert waiting.number not in body


def test_the_list_query_count_does_not_grow_with_the_rows(aid_world):
    client = client_for(aid_world.users.fund_officer)
    draft(aid_world)
    client.get(reverse("fund:aid_applications"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("fund:aid_applications")).status_code == 200
    for _ in range(6):
        draft(aid_world, actor=aid_world.users.fund_officer, member=aid_world.other_member)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("fund:aid_applications")).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 12


def test_the_detail_shows_illness_data_to_readers_and_audits_each_read(aid_world):
    application = draft(aid_world)
    for user in (aid_world.users.fund_officer, aid_world.users.committee):
        before = _reveals(application)
        body = (
            client_for(user).get(reverse("fund:aid_detail", args=[application.pk])).content.decode()
        )
        assert "恶性肿瘤" in body and "术后化疗" in body and "20,000.00" in body
        assert "诊断证明" in body
        assert _reveals(application) == before + 1


def test_the_unit_admin_and_the_member_never_see_illness_data(aid_world):
    application = submitted(aid_world)
    for user in (aid_world.users.unit_admin, aid_world.users.member):
        response = client_for(user).get(reverse("fund:aid_detail", args=[application.pk]))
        assert response.status_code == 200
        body = response.content.decode()
        assert application.number in body and "8,000.00" in body
        for word in ILLNESS_WORDS:
            assert word not in body, (user.username, word)
        assert "诊断证明.pdf" not in body
        document = application.documents.get()
        assert (
            client_for(user)
            .get(reverse("fund:aid_document", args=[application.pk, document.pk]))
            .status_code
            == 403
        )
    assert _reveals(application) == 0


def test_a_document_download_is_audited(aid_world):
    application = draft(aid_world)
    document = application.documents.get()
    response = client_for(aid_world.users.committee).get(
        reverse("fund:aid_document", args=[application.pk, document.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(
        action="reveal", object_type="fund.aiddocument", object_id=str(document.pk)
    ).exists()


def test_another_units_application_is_a_404(aid_world):
    other = draft(aid_world, actor=aid_world.users.fund_officer, member=aid_world.other_member)
    client = client_for(aid_world.users.unit_admin)
    assert client.get(reverse("fund:aid_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("fund:aid_edit", args=[other.pk])).status_code == 404
    response = client.post(reverse("fund:aid_step", args=[other.pk, "submit"]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.state == ApplicationState.DRAFT


def test_the_form_creates_a_draft_with_documents(aid_world):
    client = client_for(aid_world.users.unit_admin)
    assert client.get(reverse("fund:aid_new")).status_code == 200
    response = client.post(
        reverse("fund:aid_new"),
        {
            "member": aid_world.member.pk,
            "relation": "self",
            "diagnosis": "uremia",
            "total_cost": "26000",
            "reimbursed": "5000",
            "reason": "透析费用高",
            "diagnosis_files": [SimpleUploadedFile("d.pdf", PDF, content_type="application/pdf")],
        },
    )
    assert response.status_code == 302
    application = AidApplication.objects.get()
    assert application.self_paid == D(21000)
    assert application.documents.count() == 1


def test_the_form_shows_the_service_errors_beside_the_fields(aid_world):
    client = client_for(aid_world.users.unit_admin)
    response = client.post(
        reverse("fund:aid_new"),
        {
            "member": aid_world.member.pk,
            "relation": "self",
            "diagnosis": "uremia",
            "total_cost": "1000",
            "reimbursed": "5000",
        },
    )
    assert response.status_code == 400
    assert "reimbursed" in response.context["form"].errors
    assert not AidApplication.objects.exists()


def test_the_unit_admin_edits_without_seeing_what_was_entered(aid_world):
    application = draft(aid_world)
    client = client_for(aid_world.users.unit_admin)
    body = client.get(reverse("fund:aid_edit", args=[application.pk])).content.decode()
    assert "术后化疗" not in body and "30000" not in body and "30,000" not in body
    response = client.post(
        reverse("fund:aid_edit", args=[application.pk]),
        {"relation": "self", "reason": "新的理由"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.reason == "新的理由"
    assert application.diagnosis == "cancer" and application.total_cost == D(30000)


def test_the_steps_each_user_sees_and_takes(aid_world):
    application = draft(aid_world)
    admin = client_for(aid_world.users.unit_admin)
    detail = reverse("fund:aid_detail", args=[application.pk])
    steps = [s["action"] for s in admin.get(detail).context["steps"]]
    assert steps == ["submit", "withdraw"]
    response = admin.post(reverse("fund:aid_step", args=[application.pk, "submit"]))
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    # the committee's step has not come: no button for it, and posting is refused (403)
    committee = client_for(aid_world.users.committee)
    assert [s["action"] for s in committee.get(detail).context["steps"]] == []
    response = committee.post(
        reverse("fund:aid_step", args=[application.pk, "decide"]), {"decide-decision": "approve"}
    )
    assert response.status_code == 403
    officer = client_for(aid_world.users.fund_officer)
    assert [s["action"] for s in officer.get(detail).context["steps"]] == ["withdraw", "decide"]
    response = officer.post(
        reverse("fund:aid_step", args=[application.pk, "decide"]), {"decide-decision": "approve"}
    )
    assert response.status_code == 200
    response = committee.post(
        reverse("fund:aid_step", args=[application.pk, "decide"]), {"decide-decision": "approve"}
    )
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    fund_bank(aid_world, 10000)
    response = officer.post(
        reverse("fund:aid_step", args=[application.pk, "pay"]),
        {"pay-paid_on": "2026-05-13", "pay-transfer_reference": "TR-77"},
    )
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.state == ApplicationState.PAID
    # a step the table no longer allows: 409 and nothing changes
    response = admin.post(reverse("fund:aid_step", args=[application.pk, "withdraw"]))
    assert response.status_code == 409
    application.refresh_from_db()
    assert application.state == ApplicationState.PAID


def test_the_rule_table_page(aid_world):
    client = client_for(aid_world.users.committee)
    url = reverse("fund:aid_rules")
    assert client.get(url).status_code == 200
    data = {
        "form": "tiers",
        "tiers-TOTAL_FORMS": "3",
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "50",
        "tiers-0-self_paid_from": "0",
        "tiers-0-self_paid_below": "10000",
        "tiers-0-amount": "2000",
        "tiers-1-self_paid_from": "9000",
        "tiers-1-amount": "5000",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "self_paid_from" in response.context["formset"].forms[1].errors
    data["tiers-1-self_paid_from"] = "10000"
    assert client.post(url, data).status_code == 302
    assert list(AidTier.objects.values_list("self_paid_from", "amount")) == [
        (D(0), D(2000)),
        (D(10000), D(5000)),
    ]
    response = client.post(
        url,
        {
            "form": "settings",
            "officer_alone_below": "6000",
            "second_committee_from": "25000",
            "yearly_cap": "40000",
        },
    )
    assert response.status_code == 302
    assert FundSettings.current().yearly_cap == D(40000)


def test_publicity_page_and_pdf_show_masked_names_and_no_illness(aid_world):
    fund_bank(aid_world, 100000)
    paid(aid_world, reference="TR-1")
    approved(aid_world)
    other_member = f.MemberFactory(
        unit=aid_world.unit, branch=aid_world.org, name="欧阳娜娜", mobile="13800138000"
    )
    paid(aid_world, member=other_member, reference="TR-2")
    client = client_for(aid_world.users.window_clerk)
    response = client.get(reverse("fund:aid_publicity"), {"year": "2026"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "张*" in body and "欧***" in body
    assert "张三" not in body and "欧阳娜娜" not in body and "13800138000" not in body
    assert "恶性肿瘤" not in body and "化疗" not in body
    assert len(response.context["rows"]) == 2
    pdf = client.get(reverse("fund:aid_publicity_pdf"), {"year": "2026"})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_the_aid_pages_read_in_english(aid_world):
    import re

    from guanqing.core.tests.test_i18n import english_client

    fund_bank(aid_world, 100000)
    payment = paid(aid_world, reference="TR-EN")
    waiting = submitted(aid_world)
    han = re.compile(r"[\u4e00-\u9fff]")
    data = {
        aid_world.unit.name,
        aid_world.other_unit.name,
        aid_world.member.name,
        "张*",
        "术后化疗",
        "家庭困难",
        "诊断证明.pdf",
        "测试捐款",
    }
    for user, urls in (
        (
            aid_world.users.fund_officer,
            [
                "/fund/aid/",
                "/fund/aid/new/",
                f"/fund/aid/{payment.application.pk}/",
                f"/fund/aid/{waiting.pk}/",
                "/fund/aid/publicity/",
            ],
        ),
        (aid_world.users.committee, ["/fund/aid/rules/", f"/fund/aid/{waiting.pk}/"]),
        (aid_world.users.unit_admin, ["/fund/aid/", f"/fund/aid/{waiting.pk}/"]),
    ):
        client = english_client(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode().split("<main", 1)[-1]
            body = re.sub(r"<option[^>]*>[^<]*</option>", "", body)
            for value in sorted(data, key=len, reverse=True):
                body = body.replace(value, "")
            assert not han.findall(body), (url, han.findall(body)[:10])
