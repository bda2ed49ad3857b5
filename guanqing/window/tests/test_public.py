"""The applicant's status page (no account): the right pair shows the case, a wrong phone and a
missing receipt number get the same answer, guesses are throttled per client address, nothing
sensitive reaches the page. The 受理回执 page for the clerk, the unit and the committee in scope.

Today is pinned to Wednesday 2026-05-13 (劳动节 2026: May 1–5 off, Saturday May 9 worked).
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from guanqing.conftest import client_for
from guanqing.window import services
from guanqing.window.choices import Outcome, PauseKind
from guanqing.window.tests import factories as wf
from guanqing.window.views_public import StatusThrottle

D = datetime.date
TODAY = wf.TODAY
URL = "/window/status/"
ID_NUMBER = wf.id_number(4242)

pytestmark = pytest.mark.django_db


@pytest.fixture
def d(world, official_calendar, pinned_today):
    return wf.desk(world)


def deferrable(matter):
    return [m for m in matter.current.materials.all() if m.deferrable]


@pytest.fixture
def case(d):
    missing = deferrable(d.matter)[:1]
    return wf.accepted_case(
        actor=d.clerk,
        window=d.window,
        matter=d.matter,
        applicant_id=ID_NUMBER,
        deferred_materials=[m.pk for m in missing],
        supply_by=D(2026, 5, 18),
        deferral_promise="本人承诺于5月18日前补齐营业执照复印件。",
    )


def look_up(client, receipt_no, phone_tail):
    return client.post(URL, {"receipt_no": receipt_no, "phone_tail": phone_tail})


def answer(response) -> str:
    """The page without what changes from request to request (the CSRF token, the CSP nonce)."""
    import re

    return re.sub(
        r'value="[^"]{32,}"|"X-CSRFToken": "[^"]+"| nonce="[^"]+"', "", response.content.decode()
    )


def test_the_form_is_shown_to_anybody(client, d):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="receipt_no"' in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-cache" in response["Cache-Control"]


def test_the_right_pair_shows_the_matter_state_dates_and_missing_materials(client, d, case):
    response = look_up(client, case.receipt_no, "1234")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-key="result"' in page
    assert d.matter.name in page
    assert "办理中" in page
    assert "2026-05-13" in page  # accepted
    assert case.deadline.isoformat() in page
    assert 'data-key="missing"' in page and "营业执照复印件" in page
    assert "2026-05-18" in page  # the supply date


def test_the_lookup_forgives_case_spaces_and_full_width_digits(client, d, case):
    receipt = " " + case.receipt_no.lower() + " "
    page = look_up(client, receipt, "１２３４").content.decode()
    assert 'data-key="result"' in page


def test_nothing_sensitive_reaches_the_page(client, d, case):
    page = answer(look_up(client, case.receipt_no, "1234"))
    assert ID_NUMBER not in page
    assert ID_NUMBER[-4:] + "<" not in page and ID_NUMBER[:6] not in page
    assert wf.PHONE not in page and wf.PHONE[:7] not in page
    assert "1234" not in page.replace(case.receipt_no, "")
    assert case.applicant_name not in page


def test_a_wrong_phone_answers_exactly_like_a_missing_receipt(client, d, case):
    wrong_phone = look_up(client, case.receipt_no, "9999")
    other_number = case.receipt_no[:-4] + "9999"
    missing = look_up(client, other_number, "1234")
    assert wrong_phone.status_code == missing.status_code == 200
    assert 'data-key="not-found"' in wrong_phone.content.decode()
    assert answer(wrong_phone).replace(case.receipt_no, "X") == answer(missing).replace(
        other_number, "X"
    )


def test_a_wrong_phone_does_the_same_work_as_a_missing_receipt(
    client, d, case, django_assert_num_queries
):
    # the same queries, in the same order: nothing tells a right number from a wrong one
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as wrong_phone:
        look_up(client, case.receipt_no, "9999")
    with CaptureQueriesContext(connection) as missing:
        look_up(client, "SL20260513-0001-0999", "1234")

    def shapes(captured):
        return [q["sql"].split(" WHERE ")[0] for q in captured.captured_queries]

    assert shapes(wrong_phone) == shapes(missing)


def test_a_malformed_phone_tail_is_a_field_error(client, d):
    response = look_up(client, "SL20260513-0001-0001", "12a")
    page = response.content.decode()
    assert response.status_code == 200
    assert "field--error" in page and 'data-key="result"' not in page


def test_guesses_are_throttled_per_client_address(client, d, case):
    limit = StatusThrottle().num_requests
    for n in range(limit):
        assert look_up(client, f"SL20260513-0001-{n:04d}", "0000").status_code == 200
    throttled = look_up(client, case.receipt_no, "1234")
    assert throttled.status_code == 429
    assert 'data-key="throttled"' in throttled.content.decode()
    assert 'data-key="result"' not in throttled.content.decode()
    assert int(throttled["Retry-After"]) > 0
    # the empty form still opens; another address still looks up
    assert client.get(URL).status_code == 200
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    assert 'data-key="result"' in look_up(elsewhere, case.receipt_no, "1234").content.decode()


def test_a_paused_case_shows_its_state_and_the_moved_deadline(client, d, case):
    services.case_pause(
        actor=d.clerk, case=case, on=TODAY, kind=PauseKind.INSPECTION, reason="送检"
    )
    page = look_up(client, case.receipt_no, "1234").content.decode()
    assert "已中止" in page
    assert "送检" not in page  # the reason is the office's, not the page's


def test_a_completed_and_delivered_case_shows_both_dates(client, d):
    case = wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter)
    services.case_complete(actor=d.clerk, case=case, on=TODAY, outcome=Outcome.APPROVED)
    services.case_deliver(actor=d.clerk, case=case, on=TODAY)
    page = look_up(client, case.receipt_no, "1234").content.decode()
    assert "已送达" in page and "准予许可" in page
    assert page.count("2026-05-13") >= 3


def test_a_case_waiting_for_corrections_lists_what_is_missing(client, d):
    case = wf.correction_case(
        actor=d.clerk, window=d.window, matter=d.matter, missing=["申请书未签字", "缺少平面图"]
    )
    page = look_up(client, case.receipt_no, "1234").content.decode()
    assert 'data-key="correction"' in page
    assert "申请书未签字" in page and "缺少平面图" in page


def test_the_status_page_keeps_to_a_few_queries(client, d, case, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        look_up(client, case.receipt_no, "1234")


# ---------------------------------------------------------------------------------------------
# The 受理回执 page
# ---------------------------------------------------------------------------------------------

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
# (own, other) per role: own is the world clerk's window's case, other the other unit's
RECEIPT = [
    (200, 200),
    (200, 404),
    (403, 403),
    (403, 403),
    (200, 404),
    (403, 403),
    (403, 403),
    (403, 403),
    (403, 403),
]


@pytest.fixture
def cases(d, case):
    other = wf.accepted_case(actor=d.other_clerk, window=d.other_window, matter=d.other_matter)
    return case, other


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("pattern", ["/window/cases/{}/receipt/", "/window/cases/{}/receipt/pdf/"])
def test_the_receipt_by_role_own_and_other(world, cases, role, pattern):
    own, other = cases
    client = client_for(getattr(world.users, role))
    got = (
        client.get(pattern.format(own.pk)).status_code,
        client.get(pattern.format(other.pk)).status_code,
    )
    assert got == RECEIPT[ROLES.index(role)]


def test_anonymous_visitors_are_sent_to_sign_in_for_the_receipt(client, case):
    response = client.get(f"/window/cases/{case.pk}/receipt/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_receipt_shows_what_the_applicant_takes_home(world, d, case):
    page = client_for(d.clerk).get(f"/window/cases/{case.pk}/receipt/").content.decode()
    assert case.receipt_no in page
    assert d.matter.name in page and case.applicant_name in page
    assert ID_NUMBER not in page
    assert case.masked_id_number() in page
    assert "2026-05-13" in page and case.deadline.isoformat() in page
    assert "营业执照复印件" in page and "2026-05-18" in page  # what to bring, by when
    assert "/window/status/" in page  # where to check
    assert f"/window/cases/{case.pk}/receipt/pdf/" in page
    assert f"/window/cases/{case.pk}/deferral/pdf/" in page


def test_an_enterprise_receipt_shows_its_credit_code(world, d):
    code = wf.credit_code()
    case = wf.accepted_case(
        actor=d.clerk,
        window=d.window,
        matter=d.matter,
        **wf.applicant("enterprise", applicant_id=code),
    )
    page = client_for(d.clerk).get(f"/window/cases/{case.pk}/receipt/").content.decode()
    assert code in page and "统一社会信用代码" in page
    assert f"/window/cases/{case.pk}/deferral/pdf/" not in page


def test_a_case_never_accepted_has_no_receipt(world, d):
    case = wf.correction_case(actor=d.clerk, window=d.window, matter=d.matter)
    assert client_for(d.clerk).get(f"/window/cases/{case.pk}/receipt/").status_code == 404
    assert client_for(d.clerk).get("/window/cases/999999/receipt/").status_code == 404


def test_the_receipt_page_keeps_to_a_few_queries(world, d, case, django_assert_max_num_queries):
    client = client_for(d.clerk)
    client.get(f"/window/cases/{case.pk}/receipt/")  # warm the session and the calendar
    with django_assert_max_num_queries(10):
        assert client.get(f"/window/cases/{case.pk}/receipt/").status_code == 200


def test_the_status_page_and_the_receipt_read_english_for_an_english_visitor(world, d, case):
    from guanqing.core.tests.test_i18n import english_client

    page = look_up(english_client(), case.receipt_no, "1234").content.decode()
    assert "Check a case&#x27;s progress" in page or "Check a case's progress" in page
    assert "These deferred materials are still missing" in page
    assert "办件进度查询" not in page
    receipt = english_client(d.clerk).get(f"/window/cases/{case.pk}/receipt/").content.decode()
    assert "Acceptance receipt" in receipt and "Please bring" in receipt
