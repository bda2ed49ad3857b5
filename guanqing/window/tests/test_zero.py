"""The "六零" checklist: the committee's items, a window's monthly self-check against the system's
evidence (overdue, late, 差评), the pages (board, sheet, item editor), the API, who may do what
(written out by hand) and the query budgets of the board, the sheet and the list.

Today is pinned to Wednesday 2026-05-13: May is the current month, April and March past ones,
June a future one.
"""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.conftest import api_as, client_for
from guanqing.core.errors import Conflict
from guanqing.core.models import AuditEvent
from guanqing.core.services import OutOfScope
from guanqing.window import demo_zero, services
from guanqing.window import zero_selectors as selectors
from guanqing.window import zero_services as zs
from guanqing.window.choices import FollowUpState, RatingChannel, RatingRound, ZeroMeasure
from guanqing.window.models import FollowUp, QuestionSet, Rating, ZeroCheck, ZeroItem
from guanqing.window.tests import factories as wf

D = datetime.date
MAY, APRIL, MARCH, JUNE = D(2026, 5, 1), D(2026, 4, 1), D(2026, 3, 1), D(2026, 6, 1)
MARCH_2, MAY_12 = D(2026, 3, 2), D(2026, 5, 12)
DEFAULTS = importlib.import_module(
    "guanqing.window.migrations.0003_default_questions_and_zero_items"
)


@pytest.fixture
def z(world, official_calendar, pinned_today):
    """The world's desk (two windows of the world's unit, one of the other unit) and the six
    default items (recreated if a transactional test elsewhere flushed them)."""
    if not ZeroItem.objects.exists():
        for i, (name, description, measure) in enumerate(DEFAULTS.ZERO_ITEMS):
            ZeroItem.objects.create(
                name=name, description=description, measure=measure, sort_order=i
            )
    if QuestionSet.current() is None:
        QuestionSet.objects.create(number=1)
    d = wf.desk(world)
    d.users = world.users
    d.items = {item.name: item for item in ZeroItem.objects.all()}
    d.backlog = d.items["零积压"]  # overdue
    d.complaints = d.items["零投诉"]  # bad_ratings
    return d


def all_met(items=None, **overrides):
    """An answer for every active item: met, unless `overrides` (item -> (met, note)) say not."""
    rows = []
    for item in items or ZeroItem.objects.filter(is_active=True):
        met, note = overrides.get(item.name, (True, ""))
        rows.append({"item": item.pk, "met": met, "note": note})
    return rows


def overdue_case(z, *, accepted_on=MARCH_2, window=None, clerk=None):
    """A case accepted on a Monday in March (5 working days promised), never completed."""
    return wf.accepted_case(
        actor=clerk or z.clerk, window=window or z.window, matter=z.matter, accepted_on=accepted_on
    )


def rate(case, level, *, on=MAY_12, kind=RatingRound.CASE):
    return Rating.objects.create(
        case=case,
        round=kind,
        level=level,
        channel=RatingChannel.KIOSK,
        question_set=QuestionSet.current(),
        rated_on=on,
    )


# ---------------------------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------------------------


def test_the_committee_adds_an_item_last_and_edits_it(z):
    committee = z.users.committee
    item = zs.zero_item_create(actor=committee, name=" 零等待 ", description="叫号后五分钟内受理")
    assert item.name == "零等待"
    assert item.sort_order == max(i.sort_order for i in ZeroItem.objects.exclude(pk=item.pk)) + 1
    zs.zero_item_update(
        actor=committee, item=item, name="零等候", measure=ZeroMeasure.LATE, is_active=False
    )
    item.refresh_from_db()
    assert (item.name, item.measure, item.is_active) == ("零等候", "late", False)
    changes = AuditEvent.objects.filter(object_type="window.zeroitem", object_id=str(item.pk))
    assert list(changes.values_list("action", flat=True).order_by("id")) == ["create", "update"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "\u200b "}, "name"),
        ({"name": "零积压"}, "name"),  # a default item's name
        ({"name": "零" * 21}, "name"),
        ({"name": "零等待", "measure": "complaints"}, "measure"),
        ({"name": "零等待", "description": "要" * 201}, "description"),
        ({"name": "零等待", "sort_order": -1}, "sort_order"),
        ({"name": "零\t等待"}, "name"),
    ],
)
def test_an_item_refused_names_the_field(z, fields, field):
    with pytest.raises(ValidationError) as caught:
        zs.zero_item_create(actor=z.users.committee, **fields)
    assert field in caught.value.message_dict
    assert not ZeroItem.objects.filter(name=fields["name"].strip()).exclude(name="零积压").exists()


@pytest.mark.parametrize("role", ["unit_admin", "window_clerk", "member"])
def test_only_the_committee_edits_items(z, role):
    with pytest.raises(PermissionDenied):
        zs.zero_item_create(actor=getattr(z.users, role), name="零等待")
    with pytest.raises(PermissionDenied):
        zs.zero_item_update(actor=getattr(z.users, role), item=z.backlog, is_active=False)


def test_an_item_with_checks_is_never_deleted_only_deactivated(z):
    zs.zero_check_save(actor=z.clerk, window=z.window, month=APRIL, answers=all_met())
    with pytest.raises(Conflict):
        zs.zero_item_delete(actor=z.users.committee, item=z.backlog)
    assert ZeroItem.objects.filter(pk=z.backlog.pk).exists()
    spare = zs.zero_item_create(actor=z.users.committee, name="零等待")
    zs.zero_item_delete(actor=z.users.committee, item=spare)
    assert not ZeroItem.objects.filter(pk=spare.pk).exists()
    assert AuditEvent.objects.filter(
        object_type="window.zeroitem", object_id=str(spare.pk), action="delete"
    ).exists()


def test_moving_an_item_up_swaps_it_with_the_one_above(z):
    names = list(ZeroItem.objects.order_by("sort_order", "id").values_list("name", flat=True))
    third = ZeroItem.objects.get(name=names[2])
    zs.zero_item_move(actor=z.users.committee, item=third, offset=-1)
    moved = list(ZeroItem.objects.order_by("sort_order", "id").values_list("name", flat=True))
    assert moved == [names[0], names[2], names[1], *names[3:]]
    zs.zero_item_move(actor=z.users.committee, item=ZeroItem.objects.get(name=names[0]), offset=-1)
    assert list(ZeroItem.objects.order_by("sort_order", "id").values_list("name", flat=True)) == (
        moved
    )


# ---------------------------------------------------------------------------------------------
# The monthly self-check
# ---------------------------------------------------------------------------------------------


def test_a_clerk_saves_its_windows_month_and_saving_again_updates_it(z):
    rows = zs.zero_check_save(actor=z.clerk, window=z.window, month=MAY, answers=all_met())
    assert len(rows) == ZeroItem.objects.filter(is_active=True).count() == 6
    assert all(row.met and row.checked_by == z.clerk for row in rows)
    admin = z.users.unit_admin
    zs.zero_check_save(
        actor=admin,
        window=z.window,
        month=D(2026, 5, 20),  # any day of the month is the month
        answers=all_met(零距离=(False, "本月未上门服务")),
    )
    checks = ZeroCheck.objects.filter(window=z.window, month=MAY)
    assert checks.count() == 6
    changed = checks.get(item__name="零距离")
    assert (changed.met, changed.note, changed.checked_by) == (False, "本月未上门服务", admin)
    assert checks.get(item=z.backlog).checked_by == z.clerk  # unchanged rows keep who checked
    updates = AuditEvent.objects.filter(object_type="window.zerocheck", action="update")
    assert updates.count() == 1
    assert updates.get().root_id == str(z.window.pk)


def test_a_month_not_met_needs_a_note(z):
    item = z.items["零差错"]
    with pytest.raises(ValidationError) as caught:
        zs.zero_check_save(
            actor=z.clerk, window=z.window, month=MAY, answers=all_met(零差错=(False, "  "))
        )
    assert list(caught.value.message_dict) == [f"note_{item.pk}"]
    assert not ZeroCheck.objects.exists()


def test_every_active_item_must_be_answered_once_and_no_other(z):
    answers = all_met()
    missing = answers.pop(0)
    inactive = zs.zero_item_create(actor=z.users.committee, name="零等待", is_active=False)
    answers += [answers[0], {"item": inactive.pk, "met": True}, {"item": 999_999, "met": True}]
    with pytest.raises(ValidationError) as caught:
        zs.zero_check_save(actor=z.clerk, window=z.window, month=MAY, answers=answers)
    errors = caught.value.message_dict
    assert set(errors) == {
        f"item_{missing['item']}",
        f"item_{answers[0]['item']}",
        f"item_{inactive.pk}",
        "items",
    }
    assert not ZeroCheck.objects.exists()


def test_a_past_month_may_be_checked_a_future_one_never(z):
    zs.zero_check_save(actor=z.clerk, window=z.window, month=MARCH, answers=all_met())
    zs.zero_check_save(actor=z.clerk, window=z.window, month="2025-12", answers=all_met())
    for month in (JUNE, "2026-06", "2026-13", "May", D(1999, 12, 1)):
        with pytest.raises(ValidationError) as caught:
            zs.zero_check_save(actor=z.clerk, window=z.window, month=month, answers=all_met())
        assert list(caught.value.message_dict) == ["month"]
    assert set(ZeroCheck.objects.values_list("month", flat=True)) == {MARCH, D(2025, 12, 1)}


def test_who_may_save_a_windows_month(z):
    # the committee reads but does not check; a clerk or unit outside the window's scope gets 404
    with pytest.raises(PermissionDenied):
        zs.zero_check_save(actor=z.users.committee, window=z.window, month=MAY, answers=all_met())
    for outsider in (z.second_clerk, z.other_clerk):
        with pytest.raises(OutOfScope):
            zs.zero_check_save(actor=outsider, window=z.window, month=MAY, answers=all_met())
    with pytest.raises(OutOfScope):
        zs.zero_check_save(
            actor=z.users.unit_admin, window=z.other_window, month=MAY, answers=all_met()
        )
    assert not ZeroCheck.objects.exists()


def test_an_overdue_case_rules_out_met_for_backlog_the_evidence_decides(z):
    overdue_case(z)
    with pytest.raises(ValidationError) as caught:
        zs.zero_check_save(actor=z.clerk, window=z.window, month=MAY, answers=all_met())
    assert caught.value.message_dict == {
        f"item_{z.backlog.pk}": ["本月有 1 件逾期办件，不能勾选“零积压”"]
    }
    zs.zero_check_save(
        actor=z.clerk,
        window=z.window,
        month=MAY,
        answers=all_met(零积压=(False, "一件超期，已督办")),
    )
    assert not ZeroCheck.objects.get(item=z.backlog).met
    # the other window of the same unit has no overdue case: it may tick 零积压
    zs.zero_check_save(actor=z.second_clerk, window=z.second_window, month=MAY, answers=all_met())


def test_overdue_in_a_past_month_is_read_at_its_end_and_late_in_the_month_completed(z):
    case = overdue_case(z)  # deadline in March, completed on 12 May
    services.case_complete(actor=z.clerk, case=case, on=D(2026, 5, 12), outcome="approved")
    evidence = {
        month: selectors.evidence_for(z.window.pk, month, today=D(2026, 5, 13))
        for month in (D(2026, 2, 1), MARCH, APRIL, MAY)
    }
    counts = {
        month: {measure: e.count for measure, e in found.items()}
        for month, found in evidence.items()
    }
    assert counts[D(2026, 2, 1)] == {"overdue": 0, "late": 0, "bad_ratings": 0}
    assert counts[MARCH] == {"overdue": 1, "late": 0, "bad_ratings": 0}
    assert counts[APRIL] == {"overdue": 1, "late": 0, "bad_ratings": 0}
    assert counts[MAY] == {"overdue": 0, "late": 1, "bad_ratings": 0}
    assert evidence[MARCH]["overdue"].cases == [(case.pk, case.receipt_no)]


def test_a_case_not_yet_due_at_the_months_end_or_paused_is_not_overdue(z):
    # accepted on 27 April, due in May: not overdue in April
    due_in_may = overdue_case(z, accepted_on=D(2026, 4, 27))
    assert selectors.evidence_for(z.window.pk, APRIL, today=D(2026, 5, 13))["overdue"].count == 0
    assert selectors.evidence_for(z.window.pk, MAY, today=D(2026, 5, 13))["overdue"].count == 1
    services.case_pause(
        actor=z.clerk, case=due_in_may, on=D(2026, 5, 13), kind="hearing", reason="听证"
    )
    assert selectors.evidence_for(z.window.pk, MAY, today=D(2026, 5, 13))["overdue"].count == 0


def test_bad_ratings_count_round_one_levels_two_and_below_not_excluded(z):
    cases = [overdue_case(z, accepted_on=MAY_12) for _ in range(5)]  # due after today
    rate(cases[0], 2)
    rate(cases[1], 1)
    rate(cases[2], 3)  # 基本满意: not a 差评
    rate(cases[3], 1, on=D(2026, 4, 30))  # April's
    excluded = rate(cases[4], 1)
    FollowUp.objects.create(
        rating=excluded,
        state=FollowUpState.EXCLUDED,
        opened_on=D(2026, 5, 12),
        rectify_due=D(2026, 5, 19),
    )
    rate(cases[0], 1, kind=RatingRound.FIX)  # the rating of the fix
    found = selectors.evidence_for(z.window.pk, MAY, today=D(2026, 5, 13))["bad_ratings"]
    assert (found.count, found.cases) == (2, [])  # which cases were rated badly is never named
    with pytest.raises(ValidationError) as caught:
        zs.zero_check_save(actor=z.clerk, window=z.window, month=MAY, answers=all_met())
    assert caught.value.message_dict == {
        f"item_{z.complaints.pk}": ["本月有 2 条差评，不能勾选“零投诉”"]
    }


def test_a_measure_set_on_a_manual_item_applies_at_once(z):
    overdue_case(z)
    services.case_complete(
        actor=z.clerk, case=overdue_case(z), on=D(2026, 5, 12), outcome="approved"
    )
    zs.zero_item_update(actor=z.users.committee, item=z.items["零差错"], measure="late")
    with pytest.raises(ValidationError) as caught:
        zs.zero_check_save(
            actor=z.clerk,
            window=z.window,
            month=MAY,
            answers=all_met(零积压=(False, "督办中")),
        )
    assert caught.value.message_dict == {
        f"item_{z.items['零差错'].pk}": ["本月有 1 件超期办结的办件，不能勾选“零差错”"]
    }


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


def test_the_board_shows_the_windows_in_scope_by_month(z):
    zs.zero_check_save(
        actor=z.clerk, window=z.window, month=APRIL, answers=all_met(零距离=(False, "未上门"))
    )
    zs.zero_check_save(actor=z.clerk, window=z.window, month=MARCH, answers=all_met())
    html = client_for(z.clerk).get("/window/zero/").content.decode()
    assert z.window.name in html
    assert z.second_window.name not in html and z.other_window.name not in html
    assert 'data-month="2026-04" data-status="short"' in html and "5/6" in html
    assert 'data-month="2026-03" data-status="ok"' in html and "6/6" in html
    assert 'data-month="2026-02" data-status="missing"' in html
    assert 'data-month="2026-05" data-status="due"' in html
    assert 'data-month="2025-11"' not in html  # six months: December to May
    assert f'href="/window/zero/{z.window.pk}/2026-04/"' in html
    committee = client_for(z.users.committee).get("/window/zero/").content.decode()
    for window in (z.window, z.second_window, z.other_window):
        assert window.name in committee
    admin = client_for(z.users.unit_admin).get("/window/zero/").content.decode()
    assert z.second_window.name in admin and z.other_window.name not in admin


def test_a_clerk_fills_in_its_month_on_the_sheet(z):
    client = client_for(z.clerk)
    url = f"/window/zero/{z.window.pk}/2026-05/"
    page = client.get(url).content.decode()
    assert f'name="item_{z.backlog.pk}"' in page and "保存自查" in page
    data = {f"item_{item.pk}": "met" for item in ZeroItem.objects.all()}
    data[f"item_{z.items['零距离'].pk}"] = "not_met"
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and "未做到的请写明原因和整改措施" in page
    assert not ZeroCheck.objects.exists()
    data[f"note_{z.items['零距离'].pk}"] = "本月未上门服务"
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == url
    assert ZeroCheck.objects.filter(window=z.window, month=MAY, met=True).count() == 5


def test_the_sheet_shows_the_evidence_and_refuses_met_against_it(z):
    case = overdue_case(z)
    client = client_for(z.clerk)
    url = f"/window/zero/{z.window.pk}/2026-05/"
    page = client.get(url).content.decode()
    assert "逾期未办结 1 件" in page and case.receipt_no in page
    data = {f"item_{item.pk}": "met" for item in ZeroItem.objects.all()}
    page = client.post(url, data).content.decode()
    assert "本月有 1 件逾期办件，不能勾选“零积压”" in page
    assert not ZeroCheck.objects.exists()


def test_the_committee_reads_a_sheet_without_a_form(z):
    zs.zero_check_save(
        actor=z.clerk, window=z.window, month=APRIL, answers=all_met(零距离=(False, "未上门"))
    )
    client = client_for(z.users.committee)
    url = f"/window/zero/{z.window.pk}/2026-04/"
    page = client.get(url).content.decode()
    assert "未上门" in page and '<form method="post" class="form"' not in page
    assert 'name="item_' not in page
    assert client.post(url, {}).status_code == 403


@pytest.mark.parametrize(
    "path",
    ["{other}/2026-05/", "{own}/2026-06/", "{own}/2026-13/", "{own}/1999-12/", "{own}/may/"],
)
def test_a_sheet_outside_scope_or_for_no_such_month_is_not_found(z, path):
    url = "/window/zero/" + path.format(own=z.window.pk, other=z.other_window.pk)
    assert client_for(z.clerk).get(url).status_code == 404


def test_the_committee_edits_items_on_its_page(z):
    client = client_for(z.users.committee)
    response = client.post("/window/zero/items/", {"name": "零积压", "measure": ""})
    assert "已有名为“零积压”的承诺项" in response.content.decode()
    response = client.post(
        "/window/zero/items/", {"name": "零等待", "description": "五分钟内受理", "measure": ""}
    )
    assert response.status_code == 302
    item = ZeroItem.objects.get(name="零等待")
    edit = f"/window/zero/items/{item.pk}/"
    response = client.post(
        edit,
        {"action": "save", "name": "零等待", "measure": "overdue", "sort_order": "0"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.measure, item.is_active, item.sort_order) == ("overdue", False, 0)
    client.post(edit, {"action": "delete"})
    assert not ZeroItem.objects.filter(pk=item.pk).exists()
    zs.zero_check_save(actor=z.clerk, window=z.window, month=MAY, answers=all_met())
    page = client.post(f"/window/zero/items/{z.backlog.pk}/", {"action": "delete"})
    assert "该承诺项已有自查记录，不能删除，可以停用" in page.content.decode()
    assert ZeroItem.objects.filter(pk=z.backlog.pk).exists()


def test_the_board_is_english_for_an_english_user(z):
    from guanqing.core.tests.test_i18n import english_client

    html = english_client(z.clerk).get(f"/window/zero/{z.window.pk}/2026-05/").content.decode()
    assert "Save the self-check" in html
    for chinese in ("六零自查", "保存自查", "系统核对", "做到", "人工核对"):
        assert chinese not in html


# ---------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------


def test_the_api_saves_a_month_and_answers_with_the_sheet(z):
    url = f"/api/v1/window/zero/windows/{z.window.pk}/months/2026-05/"
    response = api_as(z.clerk).put(url, {"items": all_met()}, format="json")
    assert response.status_code == 200, response.data
    lines = {line["name"]: line for line in response.data["lines"]}
    assert response.data["month"] == "2026-05"
    assert lines["零积压"]["evidence"] == 0 and lines["零距离"]["evidence"] is None
    assert all(line["met"] for line in lines.values())
    listed = api_as(z.users.unit_admin).get(
        "/api/v1/window/zero/checks/", {"window": z.window.pk, "month": "2026-05"}
    )
    assert listed.status_code == 200 and listed.data["count"] == 6
    assert {row["month"] for row in listed.data["results"]} == {"2026-05"}


def test_the_api_names_the_field_it_refuses(z):
    overdue_case(z)
    api = api_as(z.clerk)
    base = f"/api/v1/window/zero/windows/{z.window.pk}/months/"
    response = api.put(base + "2026-05/", {"items": all_met()}, format="json")
    assert response.status_code == 400
    assert response.data == {f"item_{z.backlog.pk}": ["本月有 1 件逾期办件，不能勾选“零积压”"]}
    for month in ("2026-06", "2026-5"):
        response = api.put(base + f"{month}/", {"items": all_met()}, format="json")
        assert response.status_code == 400 and list(response.data) == ["month"]
    response = api.put(base + "2026-04/", {"items": [{"item": 1, "met": "maybe"}]}, format="json")
    assert response.status_code == 400 and "items" in response.data
    bad = api_as(z.users.unit_admin).get("/api/v1/window/zero/checks/", {"month": "2026-13"})
    assert bad.status_code == 400 and list(bad.data) == ["month"]
    response = api_as(z.users.committee).post(
        "/api/v1/window/zero/items/", {"name": "零积压"}, format="json"
    )
    assert response.status_code == 400 and list(response.data) == ["name"]
    assert not ZeroCheck.objects.exists()


def test_the_committee_adds_and_deactivates_an_item_through_the_api(z):
    api = api_as(z.users.committee)
    response = api.post(
        "/api/v1/window/zero/items/",
        {"name": "零等待", "description": "五分钟内受理", "measure": "late"},
        format="json",
    )
    assert response.status_code == 201
    pk = response.data["id"]
    response = api.patch(f"/api/v1/window/zero/items/{pk}/", {"is_active": False}, format="json")
    assert response.status_code == 200 and response.data["is_active"] is False
    assert ZeroItem.objects.get(pk=pk).name == "零等待"


# who may do what: role -> status of (list items, create item, patch item, list checks,
# read own window's month, read other unit's window's month, save own month, save other's)
API_MATRIX = {
    "committee": (200, 201, 200, 200, 200, 200, 403, 403),
    "unit_admin": (200, 403, 403, 200, 200, 404, 200, 404),
    "window_clerk": (200, 403, 403, 200, 200, 404, 200, 404),
    "member": (403, 403, 403, 403, 403, 403, 403, 403),
    "community_worker": (403, 403, 403, 403, 403, 403, 403, 403),
    "fund_officer": (403, 403, 403, 403, 403, 403, 403, 403),
    "system_admin": (403, 403, 403, 403, 403, 403, 403, 403),
    "security_admin": (403, 403, 403, 403, 403, 403, 403, 403),
    "audit_admin": (403, 403, 403, 403, 403, 403, 403, 403),
}


@pytest.mark.parametrize("role", list(API_MATRIX))
def test_the_api_permission_matrix(z, role):
    api = api_as(getattr(z.users, role))
    own = f"/api/v1/window/zero/windows/{z.window.pk}/months/2026-05/"
    other = f"/api/v1/window/zero/windows/{z.other_window.pk}/months/2026-05/"
    got = (
        api.get("/api/v1/window/zero/items/").status_code,
        api.post("/api/v1/window/zero/items/", {"name": "零等待"}, format="json").status_code,
        api.patch(
            f"/api/v1/window/zero/items/{z.backlog.pk}/", {"description": "x"}, format="json"
        ).status_code,
        api.get("/api/v1/window/zero/checks/").status_code,
        api.get(own).status_code,
        api.get(other).status_code,
        api.put(own, {"items": all_met()}, format="json").status_code,
        api.put(other, {"items": all_met()}, format="json").status_code,
    )
    assert got == API_MATRIX[role]


def test_the_checks_list_keeps_to_each_roles_scope(z):
    for clerk, window in ((z.clerk, z.window), (z.other_clerk, z.other_window)):
        zs.zero_check_save(actor=clerk, window=window, month=APRIL, answers=all_met())
    seen = {
        role: {
            row["window"]
            for row in api_as(getattr(z.users, role))
            .get("/api/v1/window/zero/checks/")
            .data["results"]
        }
        for role in ("committee", "unit_admin", "window_clerk")
    }
    assert seen == {
        "committee": {z.window.pk, z.other_window.pk},
        "unit_admin": {z.window.pk},
        "window_clerk": {z.window.pk},
    }


# ---------------------------------------------------------------------------------------------
# Query budgets
# ---------------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_board_the_sheet_and_the_list_cost_the_same_for_more_windows_and_checks(z):
    committee = z.users.committee
    page, api = client_for(committee), api_as(committee)
    sheet = f"/window/zero/{z.window.pk}/2026-04/"
    urls = ((page, "/window/zero/"), (page, sheet), (api, "/api/v1/window/zero/checks/"))
    zs.zero_check_save(actor=z.clerk, window=z.window, month=APRIL, answers=all_met())
    page.get("/window/zero/")  # the session's first save is not the page's
    before = tuple(_queries(client, url) for client, url in urls)
    for n in range(5):
        window = wf.window(unit=z.window.unit, name=f"新窗口{n}")
        clerk = wf.clerk(window)
        overdue_case(z, window=window, clerk=clerk)
        for month in (MARCH, APRIL):
            zs.zero_check_save(
                actor=clerk, window=window, month=month, answers=all_met(零积压=(False, "督办"))
            )
    after = tuple(_queries(client, url) for client, url in urls)
    assert after == before
    assert max(after) <= 12


# ---------------------------------------------------------------------------------------------
# The demo's checks
# ---------------------------------------------------------------------------------------------


def test_the_demo_checks_agree_with_the_evidence(z):
    overdue_case(z)  # overdue from March on
    late = overdue_case(z, accepted_on=D(2026, 2, 2))
    services.case_complete(actor=z.clerk, case=late, on=D(2026, 2, 27), outcome="approved")
    rate(late, 1, on=D(2026, 2, 27))
    created = demo_zero.build(D(2026, 5, 13))
    windows_with_clerks = 3
    assert created == windows_with_clerks * 5 * 6
    assert not ZeroCheck.objects.filter(month=MAY).exists()  # left for the clerks
    assert set(ZeroCheck.objects.values_list("month", flat=True)) == {
        D(2025, 12, 1),
        D(2026, 1, 1),
        D(2026, 2, 1),
        MARCH,
        APRIL,
    }
    for check in ZeroCheck.objects.select_related("item"):
        if check.item.measure:
            found = selectors.evidence_for(check.window_id, check.month, today=D(2026, 5, 13))
            assert check.met == (found[check.item.measure].count == 0), check
        if not check.met:
            assert check.note
    backlog = ZeroCheck.objects.filter(window=z.window, item=z.backlog)
    assert {c.month for c in backlog if not c.met} == {MARCH, APRIL}
    late_items = ZeroCheck.objects.filter(window=z.window, month=D(2026, 2, 1), met=False)
    assert set(late_items.values_list("item__name", flat=True)) >= {"零投诉"}
