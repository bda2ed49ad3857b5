"""The training pages as users meet them: the committee's plans, form, plan page (the list with
additions and exemptions, the solve run as a task and its outcome or its reasons, the move
history), a session's board with moves and swaps refused in the checker's words, the calendar; a
unit administrator's people with roles and unavailable dates; a member's own rotation; the menu
and home sections; one language; query counts that do not grow with the people."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.conftest import client_for
from guanqing.core.models import Notification
from guanqing.core.tests.test_i18n import english_client
from guanqing.registry.models import Member, Unit
from guanqing.testing import factories as f
from guanqing.training import services, tasks
from guanqing.training.choices import Inclusion, LeaderRole, PlanState, SolveStatus
from guanqing.training.models import Assignment, AssignmentMove, Participant, Plan

D = datetime.date
CJK = re.compile(r"[\u4e00-\u9fff]+")


@pytest.fixture
def w(world, official_calendar, pinned_today):
    world.member.rank = "division"
    world.member.save(update_fields=["rank"])
    return world


def plan_values(**over):
    values = {
        "year": 2026,
        "title": "处级干部轮训",
        "venue": "市委党校",
        "sessions_count": 3,
        "classes_per_session": 2,
        "days_per_session": 2,
        "class_capacity": 5,
        "unit_share": "0.50",
        "required_ranks": ["division"],
        "first_date": D(2026, 9, 21),
        "last_date": D(2026, 12, 31),
        "time_limit_seconds": 5,
    }
    values.update(over)
    return values


def cadres(w, n, unit=None):
    return [f.MemberFactory(unit=unit or w.unit, rank="division") for _ in range(n)]


def built_plan(w, *, own=5, other=3, **over) -> Plan:
    """A draft plan with its list: 张三 and `own` more of the unit, `other` of the other unit."""
    cadres(w, own)
    cadres(w, other, unit=w.other_unit)
    plan = services.plan_save(actor=w.users.committee, **plan_values(**over))
    services.participants_build(actor=w.users.committee, plan=plan)
    return plan


def solved_plan(w, **over) -> Plan:
    plan = built_plan(w, **over)
    services.plan_solve(actor=w.users.committee, plan=plan)
    plan.refresh_from_db()
    return plan


def form_data(**over):
    data = {
        "year": "2026",
        "title": "处级干部轮训",
        "venue": "市委党校",
        "sessions_count": "3",
        "classes_per_session": "2",
        "days_per_session": "2",
        "class_capacity": "5",
        "unit_share": "0.30",
        "required_ranks": ["division"],
        "first_date": "2026-09-21",
        "last_date": "2026-12-31",
        "starts": "",
        "time_limit_seconds": "5",
        "weight_balance": "10",
        "weight_preference": "5",
        "weight_spread": "3",
    }
    data.update(over)
    return data


def field_errors(html: str, field: str) -> list[str]:
    return re.findall(rf'<p class="field__error" id="id_{field}_error">([^<]*)</p>', html)


# --- the committee: plans and the plan form ------------------------------------------------------


def test_the_committee_makes_a_plan_with_proposed_session_dates(w):
    client = client_for(w.users.committee)
    response = client.post("/training/new/", form_data())
    plan = Plan.objects.get()
    assert response.status_code == 302 and response.url == f"/training/{plan.pk}/"
    assert plan.weights == {"balance": 10, "preference": 5, "spread": 3}
    starts = [s.start_date for s in plan.sessions.order_by("number")]
    assert starts == [D(2026, 9, 21), D(2026, 9, 28), D(2026, 10, 8)]  # the holiday stepped over
    listing = client.get("/training/").content.decode()
    assert f'data-plan="{plan.pk}"' in listing and 'data-state="draft"' in listing
    page = client.get(f"/training/{plan.pk}/").content.decode()
    assert page.count("data-session=") == 3
    assert "2026-10-08、2026-10-09" in page


def test_the_committee_fixes_the_session_dates_itself(w):
    client = client_for(w.users.committee)
    client.post("/training/new/", form_data(starts="2026-10-12\n2026-10-19, 2026-11-02"))
    plan = Plan.objects.get()
    assert [s.start_date for s in plan.sessions.order_by("number")] == [
        D(2026, 10, 12),
        D(2026, 10, 19),
        D(2026, 11, 2),
    ]
    edit = client.get(f"/training/{plan.pk}/edit/").content.decode()
    assert "2026-10-12\n2026-10-19\n2026-11-02" in edit


@pytest.mark.parametrize(
    ("over", "field", "words"),
    [
        ({"last_date": "2026-09-01"}, "last_date", "最晚结束日期不能早于最早开班日期"),
        ({"first_date": "2027-01-04"}, "first_date", "最早开班日期须在计划年度内"),
        ({"starts": "2026-10-12 10/19"}, "starts", "不是日期"),
        ({"starts": "2026-10-12 2026-10-19"}, "starts", "须给出 3 期的开班日期"),
        ({"starts": "2026-10-03 2026-10-12 2026-10-19"}, "starts", "不是可培训的工作日"),
        ({"required_ranks": []}, "required_ranks", ""),
        ({"sessions_count": "0"}, "sessions_count", ""),
    ],
)
def test_the_plan_form_names_the_field_it_refuses(w, over, field, words):
    response = client_for(w.users.committee).post("/training/new/", form_data(**over))
    assert response.status_code == 400
    errors = field_errors(response.content.decode(), field)
    assert errors and words in errors[0]
    assert not Plan.objects.exists()


def test_a_scheduled_plan_is_not_edited(w):
    plan = solved_plan(w)
    client = client_for(w.users.committee)
    response = client.post(f"/training/{plan.pk}/edit/", form_data(title="改名"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.title == "处级干部轮训"
    assert "只有草稿状态的计划可以修改" in client.get(response.url).content.decode()
    exempted = client.post(
        f"/training/{plan.pk}/participants/",
        {"kind": "exempt", "member": w.member.pk, "reason": "病休"},
        follow=True,
    )
    assert "只有草稿状态的计划可以调整参训名单" in exempted.content.decode()
    assert not plan.participants.get(member=w.member).exempt


# --- the list of who must attend ------------------------------------------------------------


def test_additions_and_exemptions_need_a_reason_and_can_be_undone(w):
    plan = built_plan(w)
    section = f.MemberFactory(unit=w.unit, rank="section", name="王科长")
    client = client_for(w.users.committee)
    url = f"/training/{plan.pk}/participants/"

    refused = client.post(url, {"kind": "add", "member": section.pk, "reason": " "})
    assert refused.status_code == 400
    assert field_errors(refused.content.decode(), "reason") == ["增列和免训须写明理由"]
    assert not plan.participants.filter(member=section).exists()

    assert (
        client.post(url, {"kind": "add", "member": section.pk, "reason": "新任"}).status_code == 302
    )
    client.post(url, {"kind": "exempt", "member": w.member.pk, "reason": "病休"})
    added = plan.participants.get(member=section)
    assert (added.inclusion, added.added_reason) == (Inclusion.ADDED, "新任")
    exempt = plan.participants.get(member=w.member)
    assert (exempt.exempt, exempt.exempt_reason) == (True, "病休")
    page = client.get(f"/training/{plan.pk}/").content.decode()
    assert "新任" in page and "病休" in page
    # adding another keeps both
    other = f.MemberFactory(unit=w.other_unit, rank="section")
    client.post(url, {"kind": "add", "member": other.pk, "reason": "挂职"})
    assert plan.participants.filter(inclusion=Inclusion.ADDED).count() == 2
    assert plan.participants.get(member=w.member).exempt

    client.post(url, {"undo": f"exempt:{w.member.pk}"})
    client.post(url, {"undo": f"add:{section.pk}"})
    assert not plan.participants.get(member=w.member).exempt
    assert not plan.participants.filter(member=section).exists()
    assert plan.participants.filter(member=other).exists()


def test_the_committee_searches_cadres_with_the_picker_others_may_not(w):
    plan = built_plan(w, own=1, other=1)
    page = client_for(w.users.committee).get(f"/training/{plan.pk}/").content.decode()
    assert 'hx-get="/registry/pick/training-members/"' in page and 'name="member_q"' in page
    found = client_for(w.users.committee).get("/registry/pick/training-members/", {"q": "张三"})
    assert found.status_code == 200 and "张三" in found.content.decode()
    refused = client_for(w.users.unit_admin).get("/registry/pick/training-members/", {"q": "张三"})
    assert refused.status_code == 403


# --- solving ------------------------------------------------------------------------------------


def test_the_solve_button_runs_the_task_stores_the_outcome_and_notifies(w):
    plan = built_plan(w)
    client = client_for(w.users.committee)
    response = client.post(f"/training/{plan.pk}/solve/")
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.SCHEDULED
    assert plan.solve_status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    required = plan.participants.required().count()
    assert Assignment.objects.filter(participant__plan=plan).count() == required
    # the member is told its dates, the committee member who asked the outcome
    mine = Notification.objects.get(recipient=w.users.member, kind="training_scheduled")
    assert "市委党校" in mine.text
    told = Notification.objects.get(recipient=w.users.committee, kind="training_solved")
    assert plan.get_solve_status_display() in told.text
    page = client.get(f"/training/{plan.pk}/").content.decode()
    assert f'data-outcome="{plan.solve_status}"' in page
    assert "差距" in page and "data-solving" not in page
    assert not tasks.solving(plan)


def test_a_second_solve_is_refused_while_one_is_under_way(w):
    plan = built_plan(w)
    cache.set(tasks._key(plan.pk), tasks.PENDING)  # a solve queued for a worker
    client = client_for(w.users.committee)
    response = client.post(f"/training/{plan.pk}/solve/", follow=True)
    html = response.content.decode()
    assert "这个计划正在排期，请等本次排期结束" in html
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT and plan.solve_status == ""
    # the page polls the fragment every 2 s while the solve is under way
    assert 'hx-trigger="every 2s"' in html and "求解中…" in html
    fragment = client.get(f"/training/{plan.pk}/solve/status/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in fragment.content.decode()
    # once done, the fragment asks htmx to reload the page
    cache.delete(tasks._key(plan.pk))
    done = client.get(f"/training/{plan.pk}/solve/status/", HTTP_HX_REQUEST="true")
    assert done.headers.get("HX-Refresh") == "true"


def test_a_plan_without_a_schedule_shows_the_reasons_in_words(w):
    plan = built_plan(w)
    everyone = plan.participants.get(member=w.member)
    services.unavailability_add(
        actor=w.users.committee,
        participant=everyone,
        start=D(2026, 9, 1),
        end=D(2026, 12, 31),
        reason="援外",
    )
    client = client_for(w.users.committee)
    client.post(f"/training/{plan.pk}/solve/")
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT and plan.solve_status == SolveStatus.INFEASIBLE
    html = client.get(f"/training/{plan.pk}/").content.decode()
    callout = html.split('data-outcome="INFEASIBLE"', 1)[1].split("</div>", 1)[0]
    assert "张三" in callout  # the cadre every session conflicts with, by name
    assert "没有找到满足全部规则的排期" in callout
    told = Notification.objects.get(recipient=w.users.committee, kind="training_solved")
    assert "张三" in told.text


# --- the board: moves and swaps ----------------------------------------------------------------


def test_the_board_shows_each_class_with_its_people(w):
    plan = solved_plan(w)
    a = Assignment.objects.select_related("session", "participant__member").get(
        participant__member=w.member
    )
    html = client_for(w.users.committee).get(f"/training/{plan.pk}/sessions/{a.session.number}/")
    html = html.content.decode()
    assert html.count("data-class=") == 2
    row = html.split(f'data-assignment="{a.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "张三" in row and "市纪委" in row and "处级" in row
    assert f'data-class="{a.class_number}"' in html.split(f'data-assignment="{a.pk}"', 1)[0]


def _full_session(plan, unit):
    """The session where the unit already has its most (its cap under the 30 % rule)."""
    counts = {}
    for a in Assignment.objects.filter(participant__plan=plan, participant__unit=unit):
        counts[a.session_id] = counts.get(a.session_id, 0) + 1
    return max(counts, key=counts.get)


def test_a_refused_move_shows_the_checkers_reason_in_the_form(w):
    plan = solved_plan(w, own=8, unit_share="0.30", sessions_count=6)  # 9: at most 2 a session
    full = plan.sessions.get(pk=_full_session(plan, w.unit))
    mover = (
        Assignment.objects.filter(participant__plan=plan, participant__unit=w.unit)
        .exclude(session=full)
        .select_related("participant__member")
        .first()
    )
    response = client_for(w.users.committee).post(
        f"/training/{plan.pk}/move/",
        {
            "member": mover.participant.member_id,
            "session": full.number,
            "class_number": 1,
            "back": 1,
        },
    )
    assert response.status_code == 400
    errors = field_errors(response.content.decode(), "session")
    assert errors and "市纪委" in errors[0] and "30%" in errors[0]
    mover.refresh_from_db()
    assert mover.session_id != full.pk and not mover.fixed
    assert not AssignmentMove.objects.exists()


def test_an_accepted_move_is_fixed_and_kept_in_the_history(w):
    plan = solved_plan(w, own=2, other=1, unit_share="1.00")
    a = Assignment.objects.select_related("session").get(participant__member=w.member)
    target = 1 if a.session.number != 1 else 2
    klass = 2 if a.class_number == 1 else 1
    client = client_for(w.users.committee)
    response = client.post(
        f"/training/{plan.pk}/move/",
        {"member": w.member.pk, "session": target, "class_number": klass, "back": a.session.number},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.session.number, a.class_number, a.fixed) == (target, klass, True)
    board = client.get(response.url).content.decode()
    assert "data-fixed" in board.split(f'data-assignment="{a.pk}"', 1)[1].split("</tr>", 1)[0]
    page = client.get(f"/training/{plan.pk}/").content.decode()
    history = page.split('data-key="history"', 1)[1]
    assert "张三" in history and f"第 {target} 期 {klass} 班" in history


def test_a_member_outside_the_plan_is_refused_beside_the_field(w):
    plan = solved_plan(w, own=1, other=1)
    stranger = f.MemberFactory(unit=w.unit, rank="section")
    response = client_for(w.users.committee).post(
        f"/training/{plan.pk}/move/", {"member": stranger.pk, "session": 1, "class_number": 1}
    )
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "member") == ["该干部在本计划中尚未排期"]


def test_a_swap_exchanges_two_cadres(w):
    plan = solved_plan(w, own=2, other=2, unit_share="1.00")
    mine = Assignment.objects.select_related("session").get(participant__member=w.member)
    other = (
        Assignment.objects.filter(participant__plan=plan, participant__unit=w.other_unit)
        .exclude(session=mine.session)
        .select_related("session", "participant")
        .first()
    )
    before = ((mine.session_id, mine.class_number), (other.session_id, other.class_number))
    response = client_for(w.users.committee).post(
        f"/training/{plan.pk}/swap/",
        {"first": w.member.pk, "second": other.participant.member_id, "back": 1},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.session_id, mine.class_number) == before[1]
    assert (other.session_id, other.class_number) == before[0]
    assert AssignmentMove.objects.filter(swap_with__isnull=False).count() == 2


def test_a_swap_with_oneself_is_refused(w):
    plan = solved_plan(w, own=1, other=1)
    response = client_for(w.users.committee).post(
        f"/training/{plan.pk}/swap/", {"first": w.member.pk, "second": w.member.pk}
    )
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "second") == ["请选择另一名干部"]


# --- the calendar -----------------------------------------------------------------------------


def test_the_calendar_marks_training_days_holidays_and_make_up_days(w):
    plan = built_plan(w, allow_makeup_saturdays=False)
    html = client_for(w.users.committee).get(f"/training/{plan.pk}/calendar/").content.decode()
    # 2026-09-21 (Mon) opens session 1; 10-08 session 3 after the National Day holiday
    assert re.search(r'data-date="2026-09-21" data-sessions="1"', html)
    assert re.search(r'data-date="2026-10-08" data-sessions="3"', html)
    assert 'cal-day--holiday" data-date="2026-10-01"' in html
    assert 'cal-day--makeup" data-date="2026-10-10"' in html
    assert 'data-month="2026-9"' in html and 'data-month="2026-10"' in html
    # a unit administrator and a member read the same calendar
    for role in ("unit_admin", "member"):
        assert (
            client_for(getattr(w.users, role)).get(f"/training/{plan.pk}/calendar/").status_code
            == 200
        )


# --- a unit administrator's people --------------------------------------------------------------


def test_the_unit_page_lists_only_the_units_people_with_their_sessions(w):
    plan = solved_plan(w, own=2, other=2)
    html = client_for(w.users.unit_admin).get("/training/unit/").content.decode()
    own = set(plan.participants.filter(unit=w.unit).values_list("pk", flat=True))
    shown = {int(pk) for pk in re.findall(r'data-participant="(\d+)"', html)}
    assert shown == own
    a = Assignment.objects.select_related("session").get(participant__member=w.member)
    row = html.split(f'data-participant="{a.participant_id}"', 1)[1].split("</tr>", 1)[0]
    assert f"第 {a.session.number} 期" in row and a.session.days[0] in row


def test_the_unit_sets_roles_and_enters_unavailable_dates_for_its_people_only(w):
    plan = built_plan(w, own=2, other=1)
    client = client_for(w.users.unit_admin)
    own = plan.participants.get(member=w.member)
    other = plan.participants.filter(unit=w.other_unit).first()

    assert (
        client.post(
            f"/training/participants/{own.pk}/role/", {"leader_role": "principal"}
        ).status_code
        == 302
    )
    own.refresh_from_db()
    assert own.leader_role == LeaderRole.PRINCIPAL
    assert (
        client.post(
            f"/training/participants/{other.pk}/role/", {"leader_role": "deputy"}
        ).status_code
        == 404
    )

    url = f"/training/unit/?plan={plan.pk}"
    refused = client.post(
        url, {"participant": own.pk, "start": "2026-10-20", "end": "2026-10-12", "reason": "出差"}
    )
    assert refused.status_code == 400
    assert field_errors(refused.content.decode(), "end") == ["结束日期不能早于起始日期"]
    foreign = client.post(
        url, {"participant": other.pk, "start": "2026-10-12", "end": "2026-10-20", "reason": "x"}
    )
    assert foreign.status_code == 400
    assert field_errors(foreign.content.decode(), "participant")
    done = client.post(
        url, {"participant": own.pk, "start": "2026-10-12", "end": "2026-10-20", "reason": "出差"}
    )
    assert done.status_code == 302
    html = client.get(url).content.decode()
    assert "出差" in html.split('data-key="unavailable"', 1)[1]
    assert own.unavailabilities.get().source == "unit"


# --- a member's own rotation --------------------------------------------------------------------


def test_a_member_on_no_plan_sees_a_clear_empty_state(w):
    html = client_for(w.users.member).get("/training/mine/").content.decode()
    assert 'data-key="empty"' in html and "您不在任何轮训计划的参训名单中" in html


def test_a_member_enters_its_dates_and_months_while_the_plan_is_a_draft(w):
    plan = built_plan(w, own=1, other=1)
    me = plan.participants.get(member=w.member)
    client = client_for(w.users.member)
    html = client.get("/training/mine/").content.decode()
    assert 'data-key="preference-form"' in html and "尚未排期" in html

    assert (
        client.post(
            f"/training/participants/{me.pk}/preference/", {f"p{me.pk}-months": ["10", "11"]}
        ).status_code
        == 302
    )
    assert me.preference.months == [10, 11]
    refused = client.post(
        f"/training/participants/{me.pk}/unavailable/",
        {f"u{me.pk}-start": "2026-10-12", f"u{me.pk}-end": "2026-10-13", f"u{me.pk}-reason": " "},
    )
    assert refused.status_code == 400
    assert re.search(rf'id="id_u{me.pk}-reason_error">', refused.content.decode())
    client.post(
        f"/training/participants/{me.pk}/unavailable/",
        {
            f"u{me.pk}-start": "2026-10-12",
            f"u{me.pk}-end": "2026-10-13",
            f"u{me.pk}-reason": "年假",
        },
    )
    assert me.unavailabilities.get().source == "member"
    other = plan.participants.filter(unit=w.other_unit).first()
    assert (
        client.post(
            f"/training/participants/{other.pk}/preference/", {f"p{other.pk}-months": ["3"]}
        ).status_code
        == 404
    )


def test_a_member_reads_its_session_dates_venue_and_class_once_scheduled(w):
    plan = solved_plan(w, own=1, other=1)
    a = Assignment.objects.select_related("session").get(participant__member=w.member)
    client = client_for(w.users.member)
    html = client.get("/training/mine/").content.decode()
    assert f"第 {a.session.number} 期 {a.class_number} 班" in html
    assert "、".join(a.session.days) in html and "市委党校" in html
    assert 'data-key="preference-form"' not in html  # no longer a draft
    me = plan.participants.get(member=w.member)
    response = client.post(
        f"/training/participants/{me.pk}/preference/", {f"p{me.pk}-months": ["3"]}
    )
    assert response.status_code == 302
    assert not Participant.objects.filter(pk=me.pk, preference__isnull=False).exists()


# --- who may do what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "url", "reason"),
    [
        ("unit_admin", "/training/", "只有机关工委制定轮训计划"),
        ("member", "/training/unit/", "只有单位党务管理员查看本单位参训"),
        ("committee", "/training/mine/", "只有参训干部本人查看我的轮训"),
        ("window_clerk", "/training/mine/", "只有参训干部本人查看我的轮训"),
    ],
)
def test_a_forbidden_role_is_told_why(w, role, url, reason):
    response = client_for(getattr(w.users, role)).get(url)
    assert response.status_code == 403
    assert reason in response.content.decode()


def test_a_unit_administrator_and_a_member_may_not_solve_or_move(w):
    plan = built_plan(w, own=1, other=1)
    for role in ("unit_admin", "member"):
        client = client_for(getattr(w.users, role))
        assert client.post(f"/training/{plan.pk}/solve/").status_code == 403
        assert client.post(f"/training/{plan.pk}/move/", {}).status_code == 403
        assert client.get(f"/training/{plan.pk}/").status_code == 403
    assert client_for(w.users.committee).get("/training/999999/").status_code == 404


# --- menu and home ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "link", "label"),
    [
        ("committee", "/training/", "轮训计划"),
        ("unit_admin", "/training/unit/", "本单位参训"),
        ("member", "/training/mine/", "我的轮训"),
    ],
)
def test_the_menu_shows_each_role_its_page(w, role, link, label):
    html = client_for(getattr(w.users, role)).get("/").content.decode()
    nav = (
        html.split('class="sidenav', 1)[1].split("</nav>", 1)[0]
        if 'class="sidenav' in html
        else html
    )
    assert f'href="{link}"' in nav and label in nav


def test_home_sections_show_each_role_its_training_work(w):
    plan = solved_plan(w, own=2, other=1)
    committee = client_for(w.users.committee).get("/").content.decode()
    section = committee.split('id="home-trainingcity"', 1)[1].split("</section>", 1)[0]
    required = plan.participants.required().count()
    assert f'href="/training/{plan.pk}/"' in section and f">{required}<" in section
    unit = client_for(w.users.unit_admin).get("/").content.decode()
    section = unit.split('id="home-trainingunit"', 1)[1].split("</section>", 1)[0]
    assert f"/training/unit/?plan={plan.pk}" in section
    assert f">{plan.participants.filter(unit=w.unit).count()}<" in section
    a = Assignment.objects.select_related("session").get(participant__member=w.member)
    member = client_for(w.users.member).get("/").content.decode()
    section = member.split('id="home-trainingmine"', 1)[1].split("</section>", 1)[0]
    assert a.session.days[0] in section and 'href="/training/mine/"' in section


def test_a_member_on_no_plan_has_no_training_section(w):
    assert 'id="home-trainingmine"' not in client_for(w.users.member).get("/").content.decode()


# --- query counts -------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_board_and_the_unit_page_do_not_grow_with_the_people(w, django_assert_max_num_queries):
    plan = solved_plan(w, own=2, other=1, class_capacity=100)
    committee, unit_admin = client_for(w.users.committee), client_for(w.users.unit_admin)
    board = f"/training/{plan.pk}/sessions/1/"
    unit = f"/training/unit/?plan={plan.pk}"
    committee.get(board)
    unit_admin.get(unit)
    few = (_queries(committee, board), _queries(unit_admin, unit))

    # many more of the unit, each with a date it cannot attend, re-solved
    plan.state = PlanState.DRAFT
    plan.save(update_fields=["state"])
    cadres(w, 60)
    services.participants_build(actor=w.users.committee, plan=plan)
    for p in plan.participants.filter(unit=w.unit)[:30]:
        services.unavailability_add(
            actor=w.users.committee,
            participant=p,
            start=D(2026, 12, 1),
            end=D(2026, 12, 2),
            reason="x",
        )
    services.plan_solve(actor=w.users.committee, plan=plan)
    assert Assignment.objects.filter(participant__plan=plan, session__number=1).count() > 15
    assert (_queries(committee, board), _queries(unit_admin, unit)) == few
    with django_assert_max_num_queries(few[0]):
        committee.get(board)
    with django_assert_max_num_queries(few[1]):
        unit_admin.get(unit)


# --- one language -------------------------------------------------------------------------------


def _own_words(html: str, url: str) -> str:
    """The page's main part; on the home page, the training section only (the others are
    other apps')."""
    main = html.split("<main", 1)[-1].split("</main>", 1)[0]
    if url != "/":
        return main
    section = re.search(r'<section[^>]*id="home-training\w+".*?</section>', main, re.S)
    assert section, "no training section on the home page"
    return section.group(0)


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("committee", "/training/"),
        ("committee", "/training/new/"),
        ("committee", "/training/{plan}/"),
        ("committee", "/training/{plan}/edit/"),
        ("committee", "/training/{plan}/sessions/1/"),
        ("committee", "/training/{plan}/calendar/"),
        ("committee", "/"),
        ("unit_admin", "/training/unit/"),
        ("unit_admin", "/"),
        ("member", "/training/mine/"),
        ("member", "/"),
    ],
)
def test_pages_read_english_for_an_english_user(w, role, url):
    plan = built_plan(w, own=2, other=1)
    services.participants_build(
        actor=w.users.committee,
        plan=plan,
        exemptions=[(Member.objects.filter(unit=w.other_unit, rank="division").first(), "病休")],
    )
    html = english_client(getattr(w.users, role)).get(url.format(plan=plan.pk)).content.decode()
    main = _own_words(html, url)
    # data (names, units, the plan's title and venue, reasons, holidays) may be Chinese
    data = ["处级干部轮训", "市委党校", "病休", "国庆节", "中秋节", "、"]
    data += list(Member.objects.values_list("name", flat=True))
    data += list(Unit.objects.values_list("name", flat=True))
    for text in sorted(data, key=len, reverse=True):
        main = main.replace(text, "")
    assert not CJK.findall(main), CJK.findall(main)[:20]


def test_a_scheduled_plan_reads_english_too(w):
    plan = solved_plan(w, own=2, other=1)
    a = Assignment.objects.get(participant__member=w.member)
    client = client_for(w.users.committee)
    client.post(
        f"/training/{plan.pk}/move/",
        {"member": w.member.pk, "session": 1 if a.session.number != 1 else 2, "class_number": 1},
    )
    data = ["处级干部轮训", "市委党校", "、"]
    data += list(Member.objects.values_list("name", flat=True))
    data += list(Unit.objects.values_list("name", flat=True))
    for role, url in (
        ("committee", f"/training/{plan.pk}/"),
        ("committee", f"/training/{plan.pk}/sessions/1/"),
        ("unit_admin", "/training/unit/"),
        ("member", "/training/mine/"),
        ("member", "/"),
    ):
        html = english_client(getattr(w.users, role)).get(url).content.decode()
        main = _own_words(html, url)
        for text in sorted(data, key=len, reverse=True):
            main = main.replace(text, "")
        assert not CJK.findall(main), (url, CJK.findall(main)[:20])
