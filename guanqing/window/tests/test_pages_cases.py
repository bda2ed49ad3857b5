"""The clerk's case pages: the queue (due soon first, filters, scope per role, query budget), the
reception form (受理 with 容缺, 一次性告知补正, errors next to their field), a case's page (clock,
materials, pauses, timeline, the lifecycle's buttons) and its steps (htmx, 400 beside the field,
409 inline).

Today is pinned to Wednesday 2026-05-13 (劳动节 2026: May 1–5 off, Saturday May 9 worked).
"""

from __future__ import annotations

import datetime

import pytest

from guanqing.conftest import client_for
from guanqing.window.choices import CaseState, PauseKind
from guanqing.window.models import Case, CasePause
from guanqing.window.tests import factories as wf

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def d(world, official_calendar, pinned_today):
    desk = wf.desk(world)
    # promised 5 working days: accepted May 6 → due May 12 (overdue), May 7 → due today (due
    # soon), today → due May 20 (open)
    desk.overdue = wf.accepted_case(
        actor=desk.clerk, window=desk.window, matter=desk.matter, accepted_on=D(2026, 5, 6)
    )
    desk.due = wf.accepted_case(
        actor=desk.clerk, window=desk.window, matter=desk.matter, accepted_on=D(2026, 5, 7)
    )
    desk.fresh = wf.accepted_case(actor=desk.clerk, window=desk.window, matter=desk.matter)
    desk.second = wf.accepted_case(
        actor=desk.second_clerk, window=desk.second_window, matter=desk.matter
    )
    desk.other = wf.accepted_case(
        actor=desk.other_clerk, window=desk.other_window, matter=desk.other_matter
    )
    return desk


def _receipts(response) -> list[str]:
    return [case.receipt_no for case in response.context["cases"]]


# ---------------------------------------------------------------------------------------------
# The queue
# ---------------------------------------------------------------------------------------------


def test_the_clerks_queue_lists_its_windows_open_cases_overdue_and_due_soon_first(d):
    response = client_for(d.clerk).get("/window/cases/")
    assert response.status_code == 200
    assert _receipts(response) == [d.overdue.receipt_no, d.due.receipt_no, d.fresh.receipt_no]
    rows = {case.pk: case for case in response.context["cases"]}
    assert rows[d.overdue.pk].tone == "danger"
    assert rows[d.due.pk].tone == "warn"
    assert rows[d.fresh.pk].clock.deadline == D(2026, 5, 20)
    assert rows[d.fresh.pk].clock.remaining_workdays == 5
    html = response.content.decode()
    assert "超期 1 个工作日" in html and "2026-05-20" in html


@pytest.mark.parametrize(
    "role,seen",
    [
        ("unit_admin", {"overdue", "due", "fresh", "second"}),
        ("committee", {"overdue", "due", "fresh", "second", "other"}),
    ],
)
def test_the_unit_and_the_committee_see_the_queue_of_their_scope(d, world, role, seen):
    response = client_for(getattr(world.users, role)).get("/window/cases/")
    expected = {getattr(d, name).receipt_no for name in seen}
    assert set(_receipts(response)) == expected
    assert response.context["show_window"]


def test_the_queue_filters_by_timing_window_state_and_search(d, world):
    client = client_for(world.users.unit_admin)
    overdue = client.get("/window/cases/?timing=overdue")
    assert _receipts(overdue) == [d.overdue.receipt_no]
    by_window = client.get(f"/window/cases/?window={d.second_window.pk}")
    assert _receipts(by_window) == [d.second.receipt_no]
    found = client.get(f"/window/cases/?q={d.due.receipt_no}")
    assert _receipts(found) == [d.due.receipt_no]
    wf.correction_case(actor=d.clerk, window=d.window, matter=d.matter)
    assert _receipts(client.get("/window/cases/?state=correction"))
    assert len(_receipts(client.get("/window/cases/?state=all"))) == 5


def test_the_queue_answers_htmx_with_the_results_only(d):
    response = client_for(d.clerk).get(
        "/window/cases/?timing=due_soon", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    html = response.content.decode()
    assert "<html" not in html and d.due.receipt_no in html
    assert d.fresh.receipt_no not in html


def test_the_queue_keeps_to_a_few_queries(d, django_assert_max_num_queries):
    for day in (D(2026, 5, 11), D(2026, 5, 12), D(2026, 5, 13)):
        for _ in range(4):
            wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter, accepted_on=day)
    client = client_for(d.clerk)
    client.get("/window/cases/")  # the calendar's years are cached after the first page
    with django_assert_max_num_queries(14):
        response = client.get("/window/cases/")
    assert len(response.context["cases"]) == 15


# ---------------------------------------------------------------------------------------------
# Reception
# ---------------------------------------------------------------------------------------------


def test_the_reception_form_finds_matters_of_the_clerks_unit_by_code_or_name(d):
    client = client_for(d.clerk)
    page = client.get("/window/cases/new/")
    assert d.matter.name in page.content.decode()
    assert d.other_matter.name not in page.content.decode()
    found = client.get(
        f"/window/cases/new/?q={d.matter.code}",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="matter-results",
    )
    assert "<html" not in found.content.decode() and d.matter.name in found.content.decode()
    assert d.matter.name not in client.get("/window/cases/new/?q=不存在的").content.decode()


def test_the_reception_form_lists_the_matters_materials_as_a_checklist(d):
    html = client_for(d.clerk).get(f"/window/cases/new/?matter={d.matter.pk}").content.decode()
    for material in d.matter.current.materials.all():
        assert material.name in html
    assert html.count("可容缺") >= 2
    assert 'value="2026-05-13"' in html  # the acceptance date defaults to today


def _receive(d, **overrides):
    data = {"matter": d.matter.pk, "step": "accept", "accepted_on": "2026-05-13"}
    data.update(wf.applicant())
    data.update(overrides)
    return data


def test_accepting_opens_the_case_page_with_its_receipt_number(d):
    client = client_for(d.clerk)
    response = client.post("/window/cases/new/", _receive(d), follow=True)
    case = Case.objects.order_by("-pk").first()
    assert case.state == CaseState.ACCEPTED and case.window == d.window
    assert response.redirect_chain[-1][0] == f"/window/cases/{case.pk}/"
    html = response.content.decode()
    assert case.receipt_no in html and f"/window/cases/{case.pk}/receipt/" in html


def test_accepting_under_deferral_records_the_missing_materials(d):
    deferrable = [m for m in d.matter.current.materials.all() if m.deferrable]
    response = client_for(d.clerk).post(
        "/window/cases/new/",
        _receive(
            d,
            missing_materials=[deferrable[0].pk],
            supply_by="2026-05-18",
            deferral_promise="本人承诺于 5 月 18 日前补齐。",
        ),
    )
    assert response.status_code == 302
    case = Case.objects.order_by("-pk").first()
    assert list(case.missing_materials.values_list("material_id", flat=True)) == [deferrable[0].pk]


def test_refusals_are_shown_next_to_their_field_and_nothing_is_written(d):
    required = next(m for m in d.matter.current.materials.all() if not m.deferrable)
    before = Case.objects.count()
    response = client_for(d.clerk).post(
        "/window/cases/new/",
        _receive(
            d,
            applicant_id="330203197001010000",
            accepted_on="2026-05-14",
            missing_materials=[required.pk],
        ),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["applicant_id"]
    assert form.errors["accepted_on"]
    assert Case.objects.count() == before
    html = response.content.decode()
    assert 'id="id_applicant_id_error"' in html


def test_a_non_deferrable_material_is_refused_beside_the_checklist(d):
    required = next(m for m in d.matter.current.materials.all() if not m.deferrable)
    response = client_for(d.clerk).post(
        "/window/cases/new/",
        _receive(d, missing_materials=[required.pk], supply_by="2026-05-18", deferral_promise="x"),
    )
    assert response.status_code == 400
    assert required.name in " ".join(response.context["form"].errors["missing_materials"])


def test_asking_for_corrections_lists_every_missing_item_at_once(d):
    required = next(m for m in d.matter.current.materials.all() if not m.deferrable)
    response = client_for(d.clerk).post(
        "/window/cases/new/",
        _receive(d, step="correction", missing_materials=[required.pk], other_missing="签字\n盖章"),
        follow=True,
    )
    case = Case.objects.order_by("-pk").first()
    assert case.state == CaseState.CORRECTION and case.accepted_on is None
    html = response.content.decode()
    for item in (required.name, "签字", "盖章"):
        assert item in html


def test_only_a_clerk_opens_the_reception_form(d, world):
    assert client_for(world.users.unit_admin).get("/window/cases/new/").status_code == 403
    assert client_for(world.users.committee).get("/window/cases/new/").status_code == 403


# ---------------------------------------------------------------------------------------------
# A case's page and its steps
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,own,other",
    [
        ("window_clerk", 200, 404),
        ("unit_admin", 200, 404),
        ("committee", 200, 200),
        ("member", 403, 403),
        ("community_worker", 403, 403),
        ("fund_officer", 403, 403),
        ("system_admin", 403, 403),
    ],
)
def test_a_case_page_per_role_own_and_other(d, world, role, own, other):
    client = client_for(getattr(world.users, role))
    assert client.get(f"/window/cases/{d.fresh.pk}/").status_code == own
    assert client.get(f"/window/cases/{d.other.pk}/").status_code == other


def test_a_clerk_does_not_open_a_case_of_a_colleagues_window(d):
    assert client_for(d.clerk).get(f"/window/cases/{d.second.pk}/").status_code == 404


def test_the_case_page_shows_the_clock_and_the_buttons_the_lifecycle_allows(d, world):
    response = client_for(d.clerk).get(f"/window/cases/{d.fresh.pk}/")
    html = response.content.decode()
    assert "2026-05-20" in html and d.fresh.receipt_no in html
    steps = [step["action"] for step in response.context["steps"]]
    assert steps == ["pause", "supply", "complete"]
    admin = client_for(world.users.unit_admin).get(f"/window/cases/{d.fresh.pk}/")
    assert admin.context["steps"] == []


def _step(client, case, action, data, **headers):
    payload = {f"{action}-{key}": value for key, value in data.items()}
    return client.post(f"/window/cases/{case.pk}/steps/{action}/", payload, **headers)


def test_a_pause_then_resume_moves_the_deadline_with_htmx(d):
    client = client_for(d.clerk)
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "case-main"}
    paused = _step(
        client,
        d.due,
        "pause",
        {"on": "2026-05-11", "kind": PauseKind.INSPECTION, "reason": "送检"},
        **htmx,
    )
    assert paused.status_code == 200
    assert 'id="case-main"' in paused.content.decode()
    d.due.refresh_from_db()
    assert d.due.state == CaseState.PAUSED
    resumed = _step(client, d.due, "resume", {"on": "2026-05-13"}, **htmx)
    assert resumed.status_code == 200
    d.due.refresh_from_db()
    assert d.due.state == CaseState.ACCEPTED
    # paused May 12 and 13: the deadline moves from May 13 by two working days
    assert d.due.deadline == D(2026, 5, 15)
    assert CasePause.objects.filter(case=d.due).count() == 1
    assert "2026-05-15" in resumed.content.decode()


def test_a_step_refused_shows_the_error_beside_its_field(d):
    response = _step(client_for(d.clerk), d.fresh, "pause", {"on": "2026-05-13", "kind": "x"})
    assert response.status_code == 400
    assert response.context["steps"][0]["open"]
    assert Case.objects.get(pk=d.fresh.pk).state == CaseState.ACCEPTED


def test_a_move_the_lifecycle_refuses_shows_the_message_inline_with_409(d):
    response = _step(client_for(d.clerk), d.fresh, "deliver", {"on": "2026-05-13"})
    assert response.status_code == 409
    assert response.context["conflict"]
    assert 'data-key="conflict"' in response.content.decode()
    assert Case.objects.get(pk=d.fresh.pk).state == CaseState.ACCEPTED


def test_completing_and_delivering_through_the_page(d):
    client = client_for(d.clerk)
    done = _step(client, d.fresh, "complete", {"on": "2026-05-13", "outcome": "approved"})
    assert done.status_code == 302
    assert _step(client, d.fresh, "deliver", {"on": "2026-05-13"}).status_code == 302
    d.fresh.refresh_from_db()
    assert d.fresh.state == CaseState.DELIVERED
    page = client.get(f"/window/cases/{d.fresh.pk}/")
    assert page.context["clock"].early
    assert [e.kind for e in page.context["events"]] == ["accept", "complete", "deliver"]


def test_a_corrected_case_is_accepted_or_refused_from_its_page(d):
    client = client_for(d.clerk)
    case = wf.correction_case(actor=d.clerk, window=d.window, matter=d.matter)
    page = client.get(f"/window/cases/{case.pk}/")
    assert [s["action"] for s in page.context["steps"]] == ["accept", "refuse"]
    assert _step(client, case, "accept", {"accepted_on": "2026-05-13"}).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED and case.deadline == D(2026, 5, 20)


def test_only_a_clerk_takes_a_step(d, world):
    response = _step(client_for(world.users.unit_admin), d.fresh, "complete", {"on": "2026-05-13"})
    assert response.status_code == 403
    assert client_for(d.clerk).post(f"/window/cases/{d.fresh.pk}/steps/nope/").status_code == 404
    assert client_for(d.clerk).get(f"/window/cases/{d.fresh.pk}/steps/pause/").status_code == 405


def test_the_case_pages_read_in_english(d):
    from guanqing.core.tests.test_i18n import english_client

    client = english_client(d.clerk)
    queue = client.get("/window/cases/").content.decode()
    assert "Working days left" in queue and "剩余工作日" not in queue
    case = client.get(f"/window/cases/{d.fresh.pk}/").content.decode()
    assert "Working days used" in case and "已用工作日" not in case
    form = client.get(f"/window/cases/new/?matter={d.matter.pk}").content.decode()
    assert "Materials checklist" in form and "材料清单" not in form


def test_a_running_pause_that_carries_a_deadline_past_the_calendar_keeps_the_queue(
    world, official_calendar, time_machine
):
    """The calendar holds 2026 only. A case accepted on 2026-12-01 (promised 15, statutory 20
    working days: due 12-22 and 12-29) and paused the next day has, by 12-28, its deadline moved
    into 2027: the queue still lists every case, that one with its stored deadline, its working
    days left unknown (not guessed) and one notice naming the year to enter; the case page too."""
    from guanqing.window import services

    time_machine.move_to(datetime.datetime(2026, 12, 1, 10, 0), tick=False)
    desk = wf.desk(world)
    long = wf.matter(unit=world.unit, promised=15, statutory=20)
    paused = wf.accepted_case(
        actor=desk.clerk, window=desk.window, matter=long, accepted_on=D(2026, 12, 1)
    )
    assert (paused.deadline, paused.statutory_deadline) == (D(2026, 12, 22), D(2026, 12, 29))
    time_machine.move_to(datetime.datetime(2026, 12, 2, 10, 0), tick=False)
    services.case_pause(
        actor=desk.clerk, case=paused, on=D(2026, 12, 2), kind=PauseKind.SITE_SURVEY, reason="勘查"
    )
    plain = wf.accepted_case(
        actor=desk.clerk, window=desk.window, matter=desk.matter, accepted_on=D(2026, 12, 2)
    )
    time_machine.move_to(datetime.datetime(2026, 12, 28, 10, 0), tick=False)

    response = client_for(desk.clerk).get("/window/cases/")
    assert response.status_code == 200
    rows = {case.pk: case for case in response.context["cases"]}
    assert set(rows) == {paused.pk, plain.pk}
    assert rows[plain.pk].clock.missing_year is None
    assert rows[plain.pk].clock.remaining_workdays is not None
    clock = rows[paused.pk].clock
    assert clock.missing_year == 2027
    assert clock.remaining_workdays is None
    assert clock.deadline == Case.objects.get(pk=paused.pk).deadline
    body = response.content.decode()
    assert body.count("国务院办公厅关于 2027 年部分节假日安排的通知") == 1
    assert "待录入 2027 年日历" in body

    page = client_for(desk.clerk).get(f"/window/cases/{paused.pk}/")
    assert page.status_code == 200
    assert "没有 2027 年的法定节假日数据" in page.content.decode()
    assert "待录入 2027 年日历" in page.content.decode()
