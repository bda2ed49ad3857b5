"""The 党员进社区 API end to end: registration and its confirmation, activities with sign-up (409
when full), the organiser's code, check-in and out, hours by hand, ratings, the unit's roster,
the figures, and lists whose query count does not grow with the page."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from guanqing.community.models import Registration
from guanqing.community.tests import code_now, community_world
from guanqing.community.tests import factories as cf
from guanqing.conftest import api_as, api_list_queries
from guanqing.testing import factories as f

API = "/api/v1/community"
# a day ahead within the year activities may be posted for
SOON = timezone.localdate() + datetime.timedelta(days=60)


@pytest.fixture
def cw(world):
    return community_world(world)


def test_member_registers_and_the_worker_confirms(world):
    member = api_as(world.users.member)
    response = member.post(f"{API}/registrations/", {"role": "warmth", "note": "周末有空"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["community"] == world.community.code and body["status"] == "pending"
    assert body["role_display"] == "爱心温暖输送员"
    again = member.post(f"{API}/registrations/", {"role": "policy"})
    assert again.status_code == 400 and "term" in again.json()
    worker = api_as(world.users.community_worker)
    confirmed = worker.post(f"{API}/registrations/{body['id']}/confirm/")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "confirmed"
    assert Registration.objects.get(pk=body["id"]).decided_by == world.users.community_worker


def test_a_bad_term_or_role_names_the_field(world):
    member = api_as(world.users.member)
    assert (
        "term" in member.post(f"{API}/registrations/", {"role": "warmth", "term": "2026H3"}).json()
    )
    assert "role" in member.post(f"{API}/registrations/", {"role": "mayor"}).json()


def test_rejection_without_a_reason_names_the_field(cw):
    response = api_as(cw.users.community_worker).post(
        f"{API}/registrations/{cw.pending.pk}/reject/", {"reason": ""}, format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()


def test_worker_posts_an_activity_in_beijing_time(world):
    response = api_as(world.users.community_worker).post(
        f"{API}/activities/",
        {
            "title": "政策宣讲",
            "role": "policy",
            "starts_at": f"{SOON}T09:00:00",
            "ends_at": f"{SOON}T11:30:00",
            "place": "社区会议室",
            "places": 20,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["starts_at"].endswith("+08:00") and body["length_hours"] == "2.5"
    assert body["community"] == world.community.code and body["places_left"] == 20


def test_the_sign_up_that_finds_the_activity_full_answers_409(world):
    activity = cf.ActivityFactory(community=world.community, places=1)
    first = api_as(world.users.member).post(f"{API}/activities/{activity.pk}/signup/")
    assert first.status_code == 201, first.content
    late = f.UserFactory(role="member", member=f.MemberFactory(home_community=world.community))
    second = api_as(late).post(f"{API}/activities/{activity.pk}/signup/")
    assert second.status_code == 409
    assert "名额已满" in second.json()["detail"]


def test_organiser_shows_the_code_and_the_member_checks_in_and_out(cw):
    shown = api_as(cw.users.community_worker).get(f"{API}/activities/{cw.live.pk}/code/")
    assert shown.status_code == 200, shown.content
    code = shown.json()["code"]
    assert len(code) == 6 and shown.json()["qr"].endswith(code)
    member = api_as(cw.users.member)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = member.post(f"{API}/activities/{cw.live.pk}/check-in/", {"code": wrong})
    assert refused.status_code == 400 and "code" in refused.json()
    checked_in = member.post(f"{API}/activities/{cw.live.pk}/check-in/", {"code": code})
    assert checked_in.status_code == 201, checked_in.content
    out = member.post(f"{API}/activities/{cw.live.pk}/check-out/", {"code": code_now(cw.live)})
    assert out.status_code == 200, out.content
    assert out.json()["checked_out_at"] is not None and out.json()["hours"] == "0.0"


def test_hours_above_the_activitys_length_are_refused_naming_hours(cw):
    worker = api_as(cw.users.community_worker)
    body = {"activity": cw.activity.pk, "member": cw.member.pk, "reason": "补录"}
    too_many = worker.post(f"{API}/hours/", {**body, "hours": "2.6"}, format="json")
    assert too_many.status_code == 400 and "hours" in too_many.json()
    fits = worker.post(f"{API}/hours/", {**body, "hours": "2.5"}, format="json")
    assert fits.status_code == 201, fits.content
    assert fits.json()["added_by_name"] == str(cw.users.community_worker)
    two_decimals = worker.post(f"{API}/hours/", {**body, "hours": "0.25"}, format="json")
    assert two_decimals.status_code == 400 and "hours" in two_decimals.json()


def test_hours_for_a_member_who_did_not_sign_up_read_like_a_missing_member(cw):
    worker = api_as(cw.users.community_worker)
    body = {"activity": cw.live.pk, "hours": "1.0", "reason": "补录"}
    stranger = worker.post(f"{API}/hours/", {**body, "member": cw.other_member.pk}, format="json")
    missing = worker.post(f"{API}/hours/", {**body, "member": 999_999}, format="json")
    assert stranger.status_code == missing.status_code == 400
    assert [m.replace(str(cw.other_member.pk), "#") for m in stranger.json()["member"]] == [
        m.replace("999999", "#") for m in missing.json()["member"]
    ]


def test_rating_is_created_then_changed(cw):
    worker = api_as(cw.users.community_worker)
    body = {"member": cw.neighbour.pk, "term": cw.term.label, "grade": "excellent"}
    created = worker.post(f"{API}/ratings/", body, format="json")
    assert created.status_code == 201, created.content
    changed = worker.post(f"{API}/ratings/", {**body, "grade": "basic", "comment": "较少参加"})
    assert changed.status_code == 200 and changed.json()["grade_display"] == "基本称职"
    assert changed.json()["id"] == created.json()["id"]


def test_rating_a_member_not_registered_here_names_member(cw):
    response = api_as(cw.users.community_worker).post(
        f"{API}/ratings/",
        {"member": cw.colleague.pk, "term": cw.term.label, "grade": "competent"},
        format="json",
    )
    assert response.status_code == 400 and "member" in response.json()


def test_the_unit_sees_who_has_not_registered_with_hours_and_ratings(cw):
    unit_admin = api_as(cw.users.unit_admin)
    rows = unit_admin.get(f"{API}/roster/").json()["results"]
    by_member = {row["member"]: row for row in rows}
    assert set(by_member) == {cw.member.pk, cw.colleague.pk, cw.neighbour.pk}
    own = by_member[cw.member.pk]
    assert (own["registration_status"], own["rating_grade"]) == ("confirmed", "excellent")
    assert (own["checkin_hours"], own["manual_hours"]) == ("0.0", "0.5")
    missing = unit_admin.get(f"{API}/roster/", {"missing": "true"}).json()["results"]
    assert [row["member"] for row in missing] == [cw.colleague.pk]  # pending is not registered
    assert unit_admin.get(f"{API}/roster/", {"unit": cw.other_unit.pk}).status_code == 404
    assert unit_admin.get(f"{API}/roster/", {"term": "2026Q1"}).status_code == 400


def test_figures_count_registrations_rate_hours_and_person_times(cw):
    moment = cw.activity.ends_at
    cw.attendance.checked_out_at = moment
    cw.attendance.hours = Decimal("2.5")
    cw.attendance.save()
    today = timezone.localdate()
    params = {"from": str(cw.term.start), "to": str(today)}
    committee = api_as(cw.users.committee).get(f"{API}/figures/", params).json()
    assert committee["registrations"]["total"] == 5
    rate = committee["report_rate"][-1]
    by_unit = {row["unit"]["id"]: row for row in rate["by_unit"]}
    assert (by_unit[cw.unit.pk]["members"], by_unit[cw.unit.pk]["confirmed"]) == (3, 2)
    assert by_unit[cw.unit.pk]["rate"] == "66.7"
    assert committee["hours"] == {"checkin": "2.5", "manual": "1.0", "total": "3.5"}
    assert committee["volunteer_person_times"] == 2
    grades = {row["value"]: row["count"] for row in committee["ratings"]["by_grade"]}
    assert (grades["excellent"], grades["competent"]) == (1, 1)

    worker = api_as(cw.users.community_worker).get(f"{API}/figures/", params).json()
    assert worker["registrations"]["total"] == 3
    assert worker["hours"] == {"checkin": "2.5", "manual": "0.5", "total": "3.0"}
    assert worker["volunteer_person_times"] == 1

    unit = api_as(cw.users.unit_admin).get(f"{API}/figures/", params).json()
    assert [row["unit"]["id"] for row in unit["report_rate"][-1]["by_unit"]] == [cw.unit.pk]
    assert unit["hours"]["manual"] == "0.5"


def test_figures_refuse_a_reversed_range(cw):
    response = api_as(cw.users.committee).get(
        f"{API}/figures/", {"from": "2026-07-01", "to": "2026-01-01"}
    )
    assert response.status_code == 400 and "to" in response.json()


def _more(world, n):
    """n more rows of every kind in 徐家漕社区, for 市纪委's members."""
    for _ in range(n):
        member = f.MemberFactory(unit=world.unit, home_community=world.community)
        activity = cf.ActivityFactory(
            community=world.community, created_by=world.users.community_worker
        )
        cf.RegistrationFactory(member=member)
        cf.SignupFactory(activity=activity, member=member)
        cf.AttendanceFactory(activity=activity, member=member)
        cf.ManualHoursFactory(
            activity=activity, member=member, added_by=world.users.community_worker
        )
        cf.RatingFactory(member=member, rated_by=world.users.community_worker)


@pytest.mark.parametrize(
    ("url", "role"),
    [
        ("registrations/", "community_worker"),
        ("activities/", "community_worker"),
        ("signups/", "community_worker"),
        ("attendances/", "community_worker"),
        ("hours/", "community_worker"),
        ("ratings/", "unit_admin"),
        ("roster/", "unit_admin"),
    ],
)
def test_list_queries_do_not_grow_with_the_page(world, url, role):
    user = getattr(world.users, role)
    _more(world, 3)
    small, rows_small = api_list_queries(user, f"{API}/{url}")
    _more(world, 12)
    large, rows_large = api_list_queries(user, f"{API}/{url}")
    assert rows_large > rows_small
    assert large == small, (small, large)


def test_a_member_who_never_registered_is_among_the_missing(cw):
    stranger = f.MemberFactory(
        unit=cw.unit, branch=cw.org, home_community=cw.community, name="孙八"
    )
    unit_admin = api_as(cw.users.unit_admin)
    missing = unit_admin.get(f"{API}/roster/", {"missing": "true"}).json()["results"]
    assert [row["member"] for row in missing] == [cw.colleague.pk, stranger.pk]
    assert {row["registration_status"] for row in missing} == {"pending", None}


def test_a_pending_registration_has_no_decider_yet(cw):
    rows = (
        api_as(cw.users.community_worker)
        .get(f"{API}/registrations/", {"status": "pending"})
        .json()["results"]
    )
    assert rows and all(row["decided_by_name"] is None for row in rows)
    worker = api_as(cw.users.community_worker)
    confirmed = worker.post(f"{API}/registrations/{cw.pending.pk}/confirm/", format="json")
    assert confirmed.status_code == 200, confirmed.content
    row = worker.get(f"{API}/registrations/{cw.pending.pk}/").json()
    assert row["decided_by_name"] == str(cw.users.community_worker)
