"""The aid API: the contract (400 naming fields, 404 outside scope, 409 refused moves, 403 not
your step), the illness data only for readers (and audited), documents as multipart, 公示, and
the list's query budget."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanqing.conftest import api_as, api_list_queries
from guanqing.core.models import AuditEvent
from guanqing.fund.choices import ApplicationState
from guanqing.fund.models import AidApplication, AidDocument
from guanqing.fund.tests.aid_support import PDF, D, approved, draft, fund_bank, paid, submitted

pytestmark = pytest.mark.django_db

URL = "/api/v1/fund/applications/"
ILLNESS_KEYS = {
    "diagnosis_display",
    "diagnosis_note",
    "total_cost",
    "reimbursed",
    "self_paid",
    "documents",
}


def _reveals() -> int:
    return AuditEvent.objects.filter(action="reveal").count()


def test_create_submit_decide_pay_through_the_api(aid_world):
    fund_bank(aid_world, 50000)
    admin = api_as(aid_world.users.unit_admin)
    response = admin.post(
        URL,
        {
            "member": aid_world.member.pk,
            "relation": "spouse",
            "patient_name": "李梅",
            "diagnosis": "leukemia",
            "total_cost": "60000",
            "reimbursed": "35000",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "8000.00"
    assert not ILLNESS_KEYS & set(body)
    assert body["diagnosis"] == "（已隐藏）"
    pk = body["id"]
    upload = admin.post(
        f"{URL}{pk}/documents/",
        {
            "kind": "diagnosis",
            "file": SimpleUploadedFile("d.pdf", PDF, content_type="application/pdf"),
        },
        format="multipart",
    )
    assert upload.status_code == 201, upload.content
    assert admin.post(f"{URL}{pk}/submit/").status_code == 200
    officer = api_as(aid_world.users.fund_officer)
    response = officer.post(f"{URL}{pk}/decide/", {"decision": "approve"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"
    response = api_as(aid_world.users.committee).post(
        f"{URL}{pk}/decide/", {"decision": "approve"}, format="json"
    )
    assert response.json()["state"] == "approved"
    response = officer.post(f"{URL}{pk}/pay/", {"transfer_reference": "TR-API-1"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "paid"
    assert body["payment"]["transfer_reference"] == "TR-API-1"
    assert body["payment"]["paid_on"] == "2026-05-13"


def test_a_bad_body_is_a_400_naming_the_fields(aid_world):
    admin = api_as(aid_world.users.unit_admin)
    response = admin.post(
        URL,
        {
            "member": aid_world.member.pk,
            "diagnosis": "cancer",
            "total_cost": "100",
            "reimbursed": "200",
        },
        format="json",
    )
    assert response.status_code == 400
    assert {"reimbursed", "total_cost"} <= set(response.json())
    response = admin.post(
        URL,
        {
            "member": aid_world.other_member.pk,
            "diagnosis": "cancer",
            "total_cost": "1",
            "reimbursed": "0",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"member"}
    assert not AidApplication.objects.exists()


def test_a_document_that_is_not_a_pdf_or_image_is_refused(aid_world):
    application = draft(aid_world)
    response = api_as(aid_world.users.unit_admin).post(
        f"{URL}{application.pk}/documents/",
        {
            "kind": "invoice",
            "file": SimpleUploadedFile("x.pdf", b"MZ not really", content_type="application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"file"}
    assert AidDocument.objects.count() == 1


def test_readers_get_illness_data_on_retrieve_audited_never_in_the_list(aid_world):
    application = draft(aid_world)
    for user in (aid_world.users.fund_officer, aid_world.users.committee):
        client = api_as(user)
        rows = client.get(URL).json()["results"]
        assert rows[0]["diagnosis"] == "（已隐藏）"
        assert not ILLNESS_KEYS & set(rows[0])
        before = _reveals()
        body = client.get(f"{URL}{application.pk}/").json()
        assert body["diagnosis"] == "cancer"
        assert body["self_paid"] == "20000.00"
        assert len(body["documents"]) == 1
        assert _reveals() == before + 1


def test_others_never_get_illness_data(aid_world):
    application = submitted(aid_world)
    for user in (aid_world.users.unit_admin, aid_world.users.member):
        client = api_as(user)
        body = client.get(f"{URL}{application.pk}/").json()
        assert not ILLNESS_KEYS & set(body)
        assert body["diagnosis"] == "（已隐藏）"
        assert body["amount"] == "8000.00"
        assert body["chain"] == ["fund_officer", "committee"]
        document = application.documents.get()
        assert client.get(f"{URL}{application.pk}/documents/{document.pk}/").status_code == 403
    assert _reveals() == 0


def test_a_document_download_is_audited(aid_world):
    application = draft(aid_world)
    document = application.documents.get()
    response = api_as(aid_world.users.committee).get(
        f"{URL}{application.pk}/documents/{document.pk}/"
    )
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="reveal", object_type="fund.aiddocument").count() == 1


def test_refused_moves(aid_world):
    application = submitted(aid_world)
    committee = api_as(aid_world.users.committee)
    # not the committee's step yet: 403, nothing written
    response = committee.post(
        f"{URL}{application.pk}/decide/", {"decision": "approve"}, format="json"
    )
    assert response.status_code == 403
    # submitted twice: 409
    response = api_as(aid_world.users.unit_admin).post(f"{URL}{application.pk}/submit/")
    assert response.status_code == 409
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert not application.approvals.exists()


def test_pay_when_the_bank_is_short_is_a_409_naming_the_balance(aid_world):
    fund_bank(aid_world, 1000)
    application = approved(aid_world)
    response = api_as(aid_world.users.fund_officer).post(
        f"{URL}{application.pk}/pay/", {"transfer_reference": "TR-X"}, format="json"
    )
    assert response.status_code == 409
    assert "1000" in response.json()["detail"]
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED


def test_patch_changes_only_what_is_given(aid_world):
    application = draft(aid_world)
    response = api_as(aid_world.users.fund_officer).patch(
        f"{URL}{application.pk}/", {"reimbursed": "0"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["self_paid"] == "30000.00"
    assert response.json()["diagnosis"] == "cancer"


def test_out_of_scope_is_a_404(aid_world):
    other = draft(aid_world, actor=aid_world.users.fund_officer, member=aid_world.other_member)
    admin = api_as(aid_world.users.unit_admin)
    assert admin.get(f"{URL}{other.pk}/").status_code == 404
    assert admin.patch(f"{URL}{other.pk}/", {"reason": "x"}, format="json").status_code == 404
    assert admin.post(f"{URL}{other.pk}/submit/").status_code == 404
    assert api_as(aid_world.users.member).get(f"{URL}{other.pk}/").status_code == 404


def test_waiting_for_me(aid_world):
    waiting = submitted(aid_world)
    draft(aid_world)
    ids = [
        r["id"]
        for r in api_as(aid_world.users.fund_officer)
        .get(URL, {"waiting": "true"})
        .json()["results"]
    ]
    assert ids == [waiting.pk]
    assert api_as(aid_world.users.committee).get(URL, {"waiting": "true"}).json()["results"] == []


def test_the_list_query_budget(aid_world):
    draft(aid_world)
    few, _rows = api_list_queries(aid_world.users.committee, URL)
    for _ in range(5):
        draft(aid_world, actor=aid_world.users.fund_officer, member=aid_world.other_member)
    many, rows = api_list_queries(aid_world.users.committee, URL)
    assert rows == 6
    assert many == few
    assert many <= 6


def test_publicity(aid_world):
    fund_bank(aid_world, 100000)
    paid(aid_world, reference="TR-1")
    approved(aid_world)
    response = api_as(aid_world.users.member).get("/api/v1/fund/publicity/", {"year": 2026})
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "year": 2026,
        "count": 1,
        "total": "8000.00",
        "results": [
            {"name": "张*", "unit": "市纪委", "amount": "8000.00", "paid_on": "2026-05-13"}
        ],
    }
    assert (
        api_as(aid_world.users.member).get("/api/v1/fund/publicity/", {"year": "x"}).status_code
        == 400
    )
    assert api_as(aid_world.users.audit_admin).get("/api/v1/fund/publicity/").status_code == 403
    assert D(body["total"]) == D(8000)
