"""The 党员进社区 pages: registration and its confirmation, sign-up (full shown in place), check-in
and out with the organiser's code, hours added by hand (the cap beside the field), ratings, the
unit roster with its 报到率, scope (404) and query counts that do not grow with the page."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanqing.community.models import ActivitySignup, Attendance, ManualHours, Rating, Registration
from guanqing.community.rules import Term
from guanqing.community.tests import code_now, community_world
from guanqing.community.tests import factories as cf
from guanqing.conftest import client_for
from guanqing.testing import factories as f

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def cw(world):
    return community_world(world)


def _hx(target: str) -> dict:
    return {**HX, "HTTP_HX_TARGET": target}


def test_member_registers_and_shows_as_confirmed_once_the_worker_confirms(world):
    member = client_for(world.users.member)
    term = Term.of(timezone.localdate())
    sent = member.post(
        "/community/", {"role": "warmth", "note": "周末可以陪老人聊天", "term": term.label}
    )
    assert sent.status_code == 302
    registration = Registration.objects.get(member=world.member)
    assert registration.status == "pending" and registration.community == world.community
    assert 'data-key="registration-status">待确认' in member.get("/community/").content.decode()

    worker = client_for(world.users.community_worker)
    listed = worker.get("/community/registrations/").content.decode()
    assert "张三" in listed and "周末可以陪老人聊天" in listed
    answer = worker.post(
        f"/community/registrations/{registration.pk}/confirm/", **_hx(f"reg-{registration.pk}")
    )
    assert answer.status_code == 200
    assert 'data-key="status">已确认' in answer.content.decode()

    page = member.get("/community/").content.decode()
    assert 'data-key="registration-status">已确认' in page
    assert "爱心温暖输送员" in page


def test_a_rejection_without_a_reason_is_refused_beside_the_field(cw):
    worker = client_for(cw.users.community_worker)
    answer = worker.post(
        f"/community/registrations/{cw.pending.pk}/reject/",
        {f"reg{cw.pending.pk}-reason": ""},
        **_hx(f"reg-{cw.pending.pk}"),
    )
    assert answer.status_code == 422
    assert "请填写不通过原因" in answer.content.decode()
    cw.pending.refresh_from_db()
    assert cw.pending.status == "pending"


def test_renewal_form_preselects_last_terms_role(world):
    last = Term.of(timezone.localdate()).previous()
    cf.RegistrationFactory(member=world.member, year=last.year, half=last.half, role="policy")
    page = client_for(world.users.member).get("/community/").content.decode()
    assert 'value="policy" checked' in page


def test_signing_up_for_a_full_activity_shows_the_message_in_place(world):
    activity = cf.ActivityFactory(community=world.community, places=1)
    cf.SignupFactory(activity=activity, member=f.MemberFactory(home_community=world.community))
    member = client_for(world.users.member)
    assert "名额已满" in member.get("/community/").content.decode()
    answer = member.post(
        f"/community/activities/{activity.pk}/signup/", **_hx(f"activity-{activity.pk}")
    )
    assert answer.status_code == 409
    body = answer.content.decode()
    assert 'id="activity-' in body and "名额已满，请选择其他活动" in body
    assert not ActivitySignup.objects.filter(activity=activity, member=world.member).exists()


def test_signing_up_takes_a_place_and_the_card_says_so(world):
    activity = cf.ActivityFactory(community=world.community, places=3)
    answer = client_for(world.users.member).post(
        f"/community/activities/{activity.pk}/signup/", **_hx(f"activity-{activity.pk}")
    )
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "已报名" in body and "<strong>2</strong> / 3" in body


def test_check_in_then_out_with_the_current_code_gives_hours(cw):
    member = client_for(cw.users.member)
    page = member.get(f"/community/checkin/?a={cw.live.pk}&code={code_now(cw.live)}")
    assert page.status_code == 200
    assert page.context["form"]["code"].value() == code_now(cw.live)
    assert str(page.context["form"]["activity"].value()) == str(cw.live.pk)

    checked_in = member.post(
        "/community/checkin/", {"activity": cw.live.pk, "code": code_now(cw.live)}, follow=True
    )
    assert "签到成功" in checked_in.content.decode()
    later = timezone.now() + datetime.timedelta(minutes=40)
    with mock.patch("django.utils.timezone.now", return_value=later):
        checked_out = member.post(
            "/community/checkin/",
            {"activity": cw.live.pk, "code": code_now(cw.live, at=later)},
            follow=True,
        )
    attendance = Attendance.objects.get(activity=cw.live, member=cw.member)
    assert attendance.hours == Decimal("0.6")
    assert "签退成功" in checked_out.content.decode() and "0.6 小时" in checked_out.content.decode()


def test_a_wrong_code_is_refused_beside_the_code_field(cw):
    wrong = f"{(int(code_now(cw.live)) + 1) % 1_000_000:06d}"
    answer = client_for(cw.users.member).post(
        "/community/checkin/", {"activity": cw.live.pk, "code": wrong}
    )
    assert answer.status_code == 200
    assert "签到码错误或已过期" in " ".join(answer.context["form"].errors["code"])
    assert not Attendance.objects.filter(activity=cw.live, member=cw.member).exists()


def test_manual_hours_over_the_cap_show_the_error_beside_the_field_and_write_nothing(cw):
    worker = client_for(cw.users.community_worker)
    before = ManualHours.objects.count()
    answer = worker.post(
        f"/community/activities/{cw.activity.pk}/hours/",
        {"member": cw.member.pk, "hours": "2.6", "reason": "忘记签退"},
    )
    assert answer.status_code == 200
    errors = answer.context["hours_form"].errors
    assert "hours" in errors and "最多还可补录 2.5 小时" in errors["hours"][0]
    assert 'id="id_hours_error"' in answer.content.decode()
    assert ManualHours.objects.count() == before
    fits = worker.post(
        f"/community/activities/{cw.activity.pk}/hours/",
        {"member": cw.member.pk, "hours": "2.5", "reason": "忘记签退"},
    )
    assert fits.status_code == 302 and ManualHours.objects.count() == before + 1


def test_a_worker_of_another_community_gets_404_on_an_activity(cw):
    other = client_for(cw.other_worker)
    assert other.get(f"/community/activities/{cw.activity.pk}/").status_code == 404
    assert other.get(f"/community/activities/{cw.activity.pk}/code/").status_code == 404
    posted = other.post(
        f"/community/activities/{cw.activity.pk}/hours/",
        {"member": cw.member.pk, "hours": "0.5", "reason": "x"},
    )
    assert posted.status_code == 404
    assert other.get(f"/community/activities/{cw.other_activity.pk}/").status_code == 200


def test_the_code_page_shows_the_current_code_and_polls(cw):
    page = client_for(cw.users.community_worker).get(f"/community/activities/{cw.live.pk}/code/")
    body = page.content.decode()
    code = code_now(cw.live)
    assert f"{code[:3]}<span" in body and 'hx-trigger="every 30s"' in body
    assert f"/community/checkin/?a={cw.live.pk}&amp;code={code}" in body
    partial = client_for(cw.users.community_worker).get(
        f"/community/activities/{cw.live.pk}/code/", **_hx("code-box")
    )
    assert partial.content.decode().lstrip().startswith('<div id="code-box"')


def test_worker_rates_a_member_row_by_row(cw):
    worker = client_for(cw.users.community_worker)
    page = worker.get("/community/ratings/").content.decode()
    assert "钱七" in page and "李四" not in page
    answer = worker.post(
        f"/community/ratings/{cw.neighbour.pk}/",
        {
            "term": cw.term.label,
            f"m{cw.neighbour.pk}-grade": "competent",
            f"m{cw.neighbour.pk}-comment": "积极",
        },
        **_hx(f"rate-{cw.neighbour.pk}"),
    )
    assert answer.status_code == 200 and "已保存" in answer.content.decode()
    assert Rating.objects.get(member=cw.neighbour).grade == "competent"
    refused = worker.post(
        f"/community/ratings/{cw.neighbour.pk}/",
        {"term": cw.term.label, f"m{cw.neighbour.pk}-grade": ""},
        **_hx(f"rate-{cw.neighbour.pk}"),
    )
    assert refused.status_code == 422 and "field__error" in refused.content.decode()
    assert (
        worker.post(
            f"/community/ratings/{cw.other_member.pk}/", {"term": cw.term.label}
        ).status_code
        == 404
    )


def test_the_unit_roster_shows_only_its_members_and_its_report_rate(cw):
    f.MemberFactory(unit=cw.unit, branch=cw.org, home_community=cw.community, name="孙八")
    page = client_for(cw.users.unit_admin).get("/community/roster/")
    body = page.content.decode()
    for name in ("张三", "王五", "钱七", "孙八"):
        assert name in body
    for name in ("李四", "赵六"):
        assert name not in body
    # 市纪委: 张三 and 钱七 confirmed, 王五 pending, 孙八 not registered
    assert page.context["rate"] == Decimal("50.0")
    assert 'data-key="rate">50.0' in body
    assert [row["m"].name for row in page.context["rows"]][:2] == ["孙八", "王五"]
    missing = client_for(cw.users.unit_admin).get("/community/roster/?show=missing")
    assert [row["m"].name for row in missing.context["rows"]] == ["孙八"]


def test_the_committee_sees_the_city_by_unit_and_any_unit(cw):
    committee = client_for(cw.users.committee)
    city = committee.get("/community/roster/").content.decode()
    assert "市纪委" in city and "市发改委" in city and "bars__fill" in city
    one = committee.get(f"/community/roster/?unit={cw.other_unit.pk}").content.decode()
    assert "李四" in one and "张三" not in one
    assert committee.get("/community/roster/?unit=999999").status_code == 404


def test_figures_show_the_scopes_numbers(cw):
    page = client_for(cw.users.community_worker).get("/community/figures/")
    assert page.status_code == 200
    assert page.context["f"]["volunteer_person_times"] >= 1
    assert "报到率" in page.content.decode()


def _queries(client, url: str) -> int:
    client.get(url)  # the session and the caches of the first request are not the page's
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_unit_members(world, n: int) -> None:
    for i in range(n):
        member = f.MemberFactory(unit=world.unit, branch=world.org, home_community=world.community)
        if i % 2:
            cf.RegistrationFactory(member=member)
            cf.RatingFactory(member=member, rated_by=world.users.community_worker)


def test_roster_query_count_does_not_grow_with_the_page(world):
    client = client_for(world.users.unit_admin)
    _add_unit_members(world, 5)
    small = _queries(client, "/community/roster/?per_page=100")
    _add_unit_members(world, 20)
    big = _queries(client, "/community/roster/?per_page=100")
    assert small == big


def _add_activities(world, n: int) -> None:
    for _i in range(n):
        activity = cf.ActivityFactory(
            community=world.community, created_by=world.users.community_worker
        )
        cf.SignupFactory(activity=activity, member=world.member)
        cf.AttendanceFactory(activity=activity, member=world.member)


def test_activity_list_query_count_does_not_grow_with_the_page(world):
    client = client_for(world.users.community_worker)
    _add_activities(world, 5)
    small = _queries(client, "/community/activities/?per_page=100")
    _add_activities(world, 20)
    big = _queries(client, "/community/activities/?per_page=100")
    assert small == big


def test_after_checking_out_the_pages_offer_nothing_more_for_that_activity(cw):
    cf.AttendanceFactory(
        activity=cw.live,
        member=cw.member,
        checked_out_at=cw.live.starts_at + datetime.timedelta(minutes=10),
        hours=Decimal("0.1"),
    )
    member = client_for(cw.users.member)
    checkin = member.get(f"/community/checkin/?a={cw.live.pk}")
    assert "您已签退" in checkin.content.decode()
    assert cw.live.pk not in dict(checkin.context["form"].fields["activity"].choices)
    card = member.get("/community/").content.decode()
    start = card.index(f'id="activity-{cw.live.pk}"')
    this_card = card[start : card.index("</li>", start)]
    assert "已签退" in this_card
    assert "取消报名" not in this_card and "去签到" not in this_card
