"""The service window API under /api/v1/window/: the catalogue's matters and the cases on their
working-day clock, as the issue's contract words them (field names exactly), on the official
calendar and a pinned day (Wednesday 2026-05-13; 劳动节 2026 is May 1–5, Saturday May 9 worked)."""

from __future__ import annotations

import datetime

import pytest

from guanqing.conftest import api_as, api_list_queries
from guanqing.window import services
from guanqing.window.choices import CaseState
from guanqing.window.models import Case, CaseEvent, CasePause, Matter
from guanqing.window.tests import factories as wf

D = datetime.date
CASES = "/api/v1/window/cases/"
MATTERS = "/api/v1/window/matters/"


@pytest.fixture
def d(world, official_calendar, pinned_today):
    return wf.desk(world)


def _accept_body(d, **overrides):
    body = {
        "matter": d.matter.code,
        "applicant_name": "王小明",
        "applicant_id": wf.id_number(),
        "applicant_phone": wf.PHONE,
        "accepted_on": "2026-05-13",
    }
    body.update(overrides)
    return body


def _post(user, url, body=None):
    return api_as(user).post(url, body or {}, format="json")


def _case_url(case, action=""):
    return f"{CASES}{case.pk}/" + (f"{action}/" if action else "")


# ---------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------


def test_matters_list_the_contract_fields_with_their_materials(d):
    response = api_as(d.clerk).get(MATTERS, {"page_size": 100})
    assert response.status_code == 200, response.content
    rows = {row["code"]: row for row in response.json()["results"]}
    assert set(rows) == {d.matter.code, d.other_matter.code}  # the catalogue is public
    row = rows[d.matter.code]
    assert row["name"] == d.matter.name
    assert row["promised_workdays"] == 5
    assert row["statutory_workdays"] == 20
    assert [(m["name"], m["form"], m["copies"], m["deferrable"]) for m in row["materials"]] == [
        ("申请书", "original", 1, False),
        ("营业执照复印件", "copy", 1, True),
        ("场所平面图", "copy", 1, True),
    ]
    assert all(isinstance(m["id"], int) for m in row["materials"])


def test_matters_filter_by_item_unit_and_search(d):
    client = api_as(d.clerk)

    def codes(**params):
        response = client.get(MATTERS, params)
        assert response.status_code == 200, response.content
        return {row["code"] for row in response.json()["results"]}

    assert codes(item=d.matter.item_id) == {d.matter.code}
    assert codes(unit=d.other_matter.item.unit_id) == {d.other_matter.code}
    assert codes(q=d.matter.code.lower()) == {d.matter.code}
    assert codes(q=d.other_matter.name) == {d.other_matter.code}
    assert client.get(MATTERS, {"unit": "9" * 30}).status_code == 400


def test_an_unpublished_matter_is_not_listed(d):
    unpublished = wf.matter(unit=d.window.unit)
    unpublished.current = None
    unpublished.save(update_fields=["current"])
    response = api_as(d.clerk).get(MATTERS, {"page_size": 100})
    assert unpublished.code not in {row["code"] for row in response.json()["results"]}


# ---------------------------------------------------------------------------------------------
# Accepting a case
# ---------------------------------------------------------------------------------------------


def test_accept_answers_201_with_receipt_and_deadlines(d):
    response = _post(d.clerk, CASES, _accept_body(d))
    assert response.status_code == 201, response.content
    data = response.json()
    case = Case.objects.get(pk=data["id"])
    assert data["receipt_no"] == case.receipt_no
    assert data["receipt_no"].startswith("SL20260513-")
    assert data["state"] == "accepted"
    # 5 working days after Wednesday May 13: 14, 15, 18, 19, 20
    assert data["deadline"] == "2026-05-20"
    assert data["statutory_deadline"] == case.statutory_deadline.isoformat()
    assert case.window == d.window  # the clerk's only window
    assert case.applicant_kind == "person"
    assert data["workdays_used"] == 0
    assert data["timing"] == "open"
    assert data["remaining_workdays"] == 5
    assert data["early"] is False
    assert [e["kind"] for e in data["events"]] == ["accept"]


def test_an_enterprise_is_recognised_by_its_credit_code(d):
    code = wf.credit_code()
    response = _post(d.clerk, CASES, _accept_body(d, applicant_id=code, applicant_name="甬味公司"))
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert case.applicant_kind == "enterprise"
    assert case.credit_code == code
    assert response.json()["applicant_id_masked"] == code


def test_a_person_id_number_is_never_shown_in_clear(d):
    number = wf.id_number()
    response = _post(d.clerk, CASES, _accept_body(d, applicant_id=number))
    assert response.status_code == 201, response.content
    assert number not in response.content.decode()
    assert response.json()["applicant_id_masked"].startswith(number[:6])


def test_a_clerk_of_several_windows_names_the_window(d):
    d.second_window.clerks.add(d.clerk)
    response = _post(d.clerk, CASES, _accept_body(d))
    assert response.status_code == 400
    assert "window" in response.json()
    response = _post(d.clerk, CASES, _accept_body(d, window=d.second_window.pk))
    assert response.status_code == 201, response.content
    assert Case.objects.get(pk=response.json()["id"]).window == d.second_window


def test_another_units_window_is_refused_naming_the_window(d):
    response = _post(d.clerk, CASES, _accept_body(d, window=d.other_window.pk))
    assert response.status_code == 400
    assert "window" in response.json()
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"accepted_on": "2026-05-14"}, "accepted_on"),  # never the future
        ({"accepted_on": "13/05/2026"}, "accepted_on"),
        ({"matter": "NO-SUCH-MATTER"}, "matter"),
        ({"matter": "M\x00"}, "matter"),
        ({"matter": 7}, "matter"),
        ({"applicant_id": "330203197001010000"}, "applicant_id"),
        ({"applicant_phone": "12"}, "applicant_phone"),
        ({"applicant_name": ""}, "applicant_name"),
        ({"applicant_kind": "robot"}, "applicant_kind"),
        ({"deferred_materials": ["x"]}, "deferred_materials"),
        ({"supply_by": "tomorrow"}, "supply_by"),
    ],
)
def test_every_refusal_is_a_400_naming_the_field(d, overrides, field):
    response = _post(d.clerk, CASES, _accept_body(d, **overrides))
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Case.objects.exists()


def test_another_units_matter_is_refused_naming_the_matter(d):
    response = _post(d.clerk, CASES, _accept_body(d, matter=d.other_matter.code))
    assert response.status_code == 400
    assert "matter" in response.json()


def test_deferred_acceptance_records_the_missing_materials(d):
    deferrable = d.matter.current.materials.filter(deferrable=True).first()
    body = _accept_body(
        d,
        deferred_materials=[deferrable.pk],
        supply_by="2026-05-18",
        deferral_promise="本人承诺于5月18日前补交营业执照复印件",
    )
    response = _post(d.clerk, CASES, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["supply_by"] == "2026-05-18"
    assert [(m["material"], m["supplied_on"]) for m in data["missing_materials"]] == [
        (deferrable.pk, None)
    ]
    response = _post(
        d.clerk,
        _case_url(Case.objects.get(pk=data["id"]), "supply"),
        {"date": "2026-05-13", "materials": [deferrable.pk]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["missing_materials"][0]["supplied_on"] == "2026-05-13"
    assert response.json()["events"][-1]["kind"] == "supply"


def test_deferral_without_a_supply_date_or_of_a_required_material_is_refused(d):
    required = d.matter.current.materials.filter(deferrable=False).first()
    deferrable = d.matter.current.materials.filter(deferrable=True).first()
    response = _post(d.clerk, CASES, _accept_body(d, deferred_materials=[deferrable.pk]))
    assert response.status_code == 400
    assert {"supply_by", "deferral_promise"} <= set(response.json())
    response = _post(
        d.clerk,
        CASES,
        _accept_body(
            d, deferred_materials=[required.pk], supply_by="2026-05-15", deferral_promise="承诺"
        ),
    )
    assert response.status_code == 400
    assert "deferred_materials" in response.json()


# ---------------------------------------------------------------------------------------------
# The clock: pause, resume, complete, deliver
# ---------------------------------------------------------------------------------------------


def test_pauses_move_the_deadline_and_early_completion_shows(d):
    # accepted (back-entered) on Monday May 11: due on the 5th working day after, May 18
    case = wf.accepted_case(
        actor=d.clerk, window=d.window, matter=d.matter, accepted_on=D(2026, 5, 11)
    )
    assert case.deadline == D(2026, 5, 18)
    response = _post(
        d.clerk,
        _case_url(case, "pause"),
        {"date": "2026-05-12", "kind": "site_survey", "reason": "现场勘查经营场所"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "paused"
    assert response.json()["pauses"][0]["kind"] == "site_survey"

    response = _post(d.clerk, _case_url(case, "resume"), {"date": "2026-05-13"})
    assert response.status_code == 200, response.content
    # the working days after May 12 up to and including May 13 (one) do not count
    assert response.json()["deadline"] == "2026-05-19"
    assert response.json()["pauses"][0]["ended_on"] == "2026-05-13"

    response = _post(
        d.clerk, _case_url(case, "complete"), {"date": "2026-05-13", "outcome": "approved"}
    )
    assert response.status_code == 200, response.content
    response = api_as(d.clerk).get(_case_url(case))
    data = response.json()
    assert data["state"] == "completed"
    assert data["deadline"] == "2026-05-19"
    assert data["workdays_used"] == 1  # May 12 and 13, less the paused May 13
    assert data["early"] is True
    assert data["timing"] == "early"
    assert data["remaining_workdays"] is None
    assert [e["kind"] for e in data["events"]] == ["accept", "pause", "resume", "complete"]

    response = _post(d.clerk, _case_url(case, "deliver"), {"date": "2026-05-13"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "delivered"
    assert response.json()["delivered_on"] == "2026-05-13"


def test_while_paused_the_deadline_shown_counts_the_pause_up_to_today(d):
    case = wf.accepted_case(
        actor=d.clerk, window=d.window, matter=d.matter, accepted_on=D(2026, 5, 11)
    )
    _post(
        d.clerk,
        _case_url(case, "pause"),
        {"date": "2026-05-11", "kind": "hearing", "reason": "听证"},
    )
    data = api_as(d.clerk).get(_case_url(case)).json()
    assert data["state"] == "paused"
    # May 12 and 13 paused so far: May 18 moves by two working days
    assert data["deadline"] == "2026-05-20"
    assert data["workdays_used"] == 0


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("resume", {"date": "2026-05-13"}),  # not paused
        ("deliver", {"date": "2026-05-13"}),  # not completed
        ("accept", {"accepted_on": "2026-05-13"}),  # already accepted
        ("refuse", {"date": "2026-05-13", "reason": "不符合"}),
    ],
)
def test_a_move_the_lifecycle_refuses_is_a_409_and_changes_nothing(d, action, body):
    case = wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter)
    events = CaseEvent.objects.filter(case=case).count()
    response = _post(d.clerk, _case_url(case, action), body)
    assert response.status_code == 409, response.content
    assert "detail" in response.json()
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    assert CaseEvent.objects.filter(case=case).count() == events


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("pause", {"date": "2026-05-13", "kind": "nap", "reason": "x"}, "kind"),
        ("pause", {"date": "2026-05-13", "kind": "hearing"}, "reason"),
        ("pause", {"date": "2026-05-13", "kind": "hearing", "reason": "   "}, "reason"),
        ("pause", {"date": "2026-05-14", "kind": "hearing", "reason": "听证"}, "date"),
        ("pause", {"date": "2026-05-01", "kind": "hearing", "reason": "听证"}, "date"),
        ("complete", {"date": "2026-05-13", "outcome": "maybe"}, "outcome"),
        ("complete", {"date": "2026-05-13", "outcome": "denied"}, "note"),
        ("complete", {"outcome": "approved"}, "date"),
        ("supply", {"date": "2026-05-13", "materials": [1]}, "materials"),
        ("supply", {"date": "2026-05-13", "materials": []}, "materials"),
    ],
)
def test_a_refused_value_is_a_400_naming_the_field(d, action, body, field):
    case = wf.accepted_case(
        actor=d.clerk, window=d.window, matter=d.matter, accepted_on=D(2026, 5, 11)
    )
    response = _post(d.clerk, _case_url(case, action), body)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    assert not CasePause.objects.filter(case=case).exists()


def test_correction_then_acceptance(d):
    body = _accept_body(d, received_on="2026-05-12", missing=["申请书未签字", "缺少场所平面图"])
    del body["accepted_on"]
    response = _post(d.clerk, f"{CASES}correction/", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["state"] == "correction"
    assert data["deadline"] is None
    assert data["timing"] is None
    case = Case.objects.get(pk=data["id"])
    response = _post(d.clerk, _case_url(case, "accept"), {"accepted_on": "2026-05-13"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "accepted"
    assert response.json()["deadline"] == "2026-05-20"


def test_correction_then_refusal(d):
    case = wf.correction_case(actor=d.clerk, window=d.window, matter=d.matter)
    response = _post(
        d.clerk, _case_url(case, "refuse"), {"date": "2026-05-13", "reason": "不属于受理范围"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "refused"
    assert response.json()["refusal_reason"] == "不属于受理范围"


# ---------------------------------------------------------------------------------------------
# The list: filters and the clerk's queue
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def queue(d):
    """Cases of the clerk's window with deadlines on either side of today, one completed early,
    one paused, one asked for corrections; and a case of the other unit's window."""
    make = wf.accepted_case
    q = d
    # 5 working days: accepted Apr 28 → due May 8 (劳动节 in between, before the make-up Saturday)
    q.overdue = make(
        actor=d.clerk,
        window=d.window,
        matter=d.matter,
        accepted_on=D(2026, 4, 28),
        applicant_name="超期甲",
    )
    # accepted May 7 → 8, 9 (make-up Saturday), 11, 12, 13: due today
    q.due_today = make(
        actor=d.clerk,
        window=d.window,
        matter=d.matter,
        accepted_on=D(2026, 5, 7),
        applicant_name="今天乙",
    )
    q.fresh = make(actor=d.clerk, window=d.window, matter=d.matter, applicant_name="新件丙")
    q.done = make(
        actor=d.clerk,
        window=d.window,
        matter=d.matter,
        accepted_on=D(2026, 5, 11),
        applicant_name="办结丁",
    )
    services.case_complete(actor=d.clerk, case=q.done, on=D(2026, 5, 12), outcome="approved")
    q.paused = make(
        actor=d.clerk,
        window=d.window,
        matter=d.matter,
        accepted_on=D(2026, 5, 12),
        applicant_name="中止戊",
    )
    services.case_pause(
        actor=d.clerk, case=q.paused, on=D(2026, 5, 13), kind="inspection", reason="抽样检验"
    )
    q.asked = wf.correction_case(
        actor=d.clerk, window=d.window, matter=d.matter, applicant_name="补正己"
    )
    q.other = make(
        actor=d.other_clerk, window=d.other_window, matter=d.other_matter, applicant_name="别家庚"
    )
    return q


def _ids(user, **params):
    response = api_as(user).get(CASES, {"page_size": 100, **params})
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_list_filters(queue):
    q, clerk = queue, queue.clerk
    by_state = set(_ids(clerk, state="accepted"))
    assert by_state == {q.overdue.pk, q.due_today.pk, q.fresh.pk}
    assert set(_ids(clerk, timing="overdue")) == {q.overdue.pk}
    assert set(_ids(clerk, timing="due_soon")) == {q.due_today.pk}
    assert set(_ids(clerk, timing="open")) == {q.fresh.pk, q.paused.pk}
    assert set(_ids(clerk, timing="early")) == {q.done.pk}
    assert set(_ids(clerk, timing="late")) == set()
    assert set(_ids(clerk, accepted_from="2026-05-11", accepted_to="2026-05-12")) == {
        q.done.pk,
        q.paused.pk,
    }
    assert set(_ids(clerk, q="今天")) == {q.due_today.pk}
    assert set(_ids(clerk, q=q.fresh.receipt_no)) == {q.fresh.pk}
    assert set(_ids(clerk, window=q.window.pk)) == set(_ids(clerk))
    assert _ids(clerk, window=q.other_window.pk) == []
    assert q.other.pk not in _ids(clerk)


def test_the_timing_shown_agrees_with_the_filter(queue):
    rows = api_as(queue.clerk).get(CASES, {"page_size": 100}).json()["results"]
    timing = {row["id"]: row["timing"] for row in rows}
    assert timing[queue.overdue.pk] == "overdue"
    assert timing[queue.due_today.pk] == "due_soon"
    assert timing[queue.fresh.pk] == "open"
    assert timing[queue.done.pk] == "early"
    assert timing[queue.asked.pk] is None
    overdue = next(row for row in rows if row["id"] == queue.overdue.pk)
    assert overdue["remaining_workdays"] < 0


def test_the_clerks_queue_puts_the_nearest_deadline_first(queue):
    ids = _ids(queue.clerk, state="accepted", ordering="deadline")
    assert ids == [queue.overdue.pk, queue.due_today.pk, queue.fresh.pk]


def test_bad_filters_are_400_naming_the_parameter(queue):
    client = api_as(queue.clerk)
    for params, name in [
        ({"timing": "soonish"}, "timing"),
        ({"state": "lost"}, "state"),
        ({"window": "x"}, "window"),
        ({"accepted_from": "yesterday"}, "accepted_from"),
    ]:
        response = client.get(CASES, params)
        assert response.status_code == 400, params
        assert name in response.json(), response.json()


def test_the_unit_and_the_committee_follow_the_cases(world, queue):
    unit_admin, committee = world.users.unit_admin, world.users.committee
    own = {
        queue.overdue.pk,
        queue.due_today.pk,
        queue.fresh.pk,
        queue.done.pk,
        queue.paused.pk,
        queue.asked.pk,
    }
    assert set(_ids(unit_admin)) == own
    assert set(_ids(committee)) == own | {queue.other.pk}


# ---------------------------------------------------------------------------------------------
# Query budgets: a list costs the same whatever its length
# ---------------------------------------------------------------------------------------------


def _more_cases(d, n):
    for _ in range(n):
        case = wf.accepted_case(
            actor=d.clerk, window=d.window, matter=d.matter, accepted_on=D(2026, 5, 11)
        )
        services.case_pause(actor=d.clerk, case=case, on=D(2026, 5, 12), kind="other", reason="x")


@pytest.mark.parametrize("role", ["window_clerk", "unit_admin", "committee"])
def test_the_case_list_does_not_grow_with_its_rows(world, d, role):
    user = d.clerk if role == "window_clerk" else None
    from guanqing.accounts.models import User

    user = user or User.objects.get(username=role)
    _more_cases(d, 3)
    api_list_queries(user, CASES)  # the calendar's years are read once per process
    few, rows_few = api_list_queries(user, CASES)
    _more_cases(d, 12)
    many, rows_many = api_list_queries(user, CASES)
    assert (rows_few, rows_many) == (3, 15)
    assert many == few
    # the list reads what its rows show: no clerk, no missing materials (the detail's)
    assert few <= 7


def test_the_matter_list_does_not_grow_with_its_rows(d):
    few, rows_few = api_list_queries(d.clerk, MATTERS)
    for _ in range(10):
        wf.matter(unit=d.window.unit)
    many, rows_many = api_list_queries(d.clerk, MATTERS)
    assert rows_many == rows_few + 10
    assert many == few
    assert few <= 5


def test_the_endpoints_need_a_signed_in_user(d, api):
    case = wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter)
    for url in (MATTERS, CASES, _case_url(case)):
        assert api.get(url).status_code in (401, 403)
    assert api.post(_case_url(case, "complete"), {}, format="json").status_code in (401, 403)
    assert api.post(CASES, {}, format="json").status_code in (401, 403)


def test_the_lists_choice_labels_are_the_models_in_each_language(d):
    """The lists' `*_display` fields read the labels without calling `get_*_display` per row:
    the same text, in the language asked for."""
    from django.utils import translation

    wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter)
    client = api_as(d.clerk)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            cases = client.get(CASES).json()["results"]
            matters = client.get(MATTERS).json()["results"]
            for row in cases:
                case = Case.objects.get(pk=row["id"])
                assert row["state_display"] == case.get_state_display()
                assert row["applicant_kind_display"] == case.get_applicant_kind_display()
            for row in matters:
                matter = Matter.objects.select_related("current").get(pk=row["id"])
                assert row["kind_display"] == matter.current.get_kind_display()
                forms = {m.pk: m.get_form_display() for m in matter.current.materials.all()}
                assert {m["id"]: m["form_display"] for m in row["materials"]} == forms
        assert cases and matters
