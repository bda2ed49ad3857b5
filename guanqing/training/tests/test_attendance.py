"""Attendance: the rotating check-in code (accepted only on a day of the member's own session,
refused with the reason otherwise), the organiser's list keeping `attended_days` equal to the
present days (so a re-solve keeps those assignments), and make-ups checked by the checker
(a full class or a unit over its share refused with the checker's words)."""

from __future__ import annotations

import contextlib
import datetime
import re
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanqing.conftest import BUSINESS_TZ
from guanqing.core.models import AuditEvent, Notification
from guanqing.core.services import OutOfScope
from guanqing.testing import factories as f
from guanqing.training import attendance, services
from guanqing.training.choices import AttendanceMethod, AttendanceStatus, PlanState
from guanqing.training.models import Assignment, Attendance, MakeUp, Plan

D = datetime.date
PRESENT, ABSENT, EXCUSED = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.ABSENT,
    AttendanceStatus.EXCUSED,
)


@contextlib.contextmanager
def on(day: datetime.date, hour: int = 10, minute: int = 0):
    """The clock stopped at `hour:minute` Beijing time on `day`."""
    moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BUSINESS_TZ)
    with time_machine.travel(moment, tick=False):
        yield


def build_rota(w, exempt: int = 0):
    """Three sessions of two days from Monday 1 June 2026, two classes of two, the unit share 50 %.
    市纪委 (张三 and a1–a5: 6 cadres, at most 3 a session), 市发改委 (b1–b4: at most 2), placed by
    hand so that session 2 is full (and 市纪委 at its share there) and 市发改委 at its share in
    session 3:

        session 1: class 1 张三 a1 · class 2 b1
        session 2: class 1 a2 a3 · class 2 a4 b2
        session 3: class 1 a5 b3 · class 2 b4
    """
    w.member.rank = "division"
    w.member.save()
    a = [f.MemberFactory(unit=w.unit, rank="division", name=f"甲{n}") for n in range(1, 6)]
    b = [f.MemberFactory(unit=w.other_unit, rank="division", name=f"乙{n}") for n in range(1, 5)]
    extra = [f.MemberFactory(unit=w.unit, rank="division", name="免训人") for _ in range(exempt)]
    committee = w.users.committee
    plan = services.plan_save(
        actor=committee,
        year=2026,
        title="处级干部轮训",
        venue="市委党校",
        sessions_count=3,
        classes_per_session=2,
        days_per_session=2,
        class_capacity=2,
        unit_share="0.50",
        required_ranks=["division"],
        first_date=D(2026, 6, 1),
        last_date=D(2026, 12, 31),
        time_limit_seconds=5,
    )
    services.participants_build(actor=committee, plan=plan, exemptions=[(m, "病休") for m in extra])
    s1, s2, s3 = plan.sessions.order_by("number")
    people = {p.member_id: p for p in plan.participants.all()}
    layout = [
        (w.member, s1, 1),
        (a[0], s1, 1),
        (b[0], s1, 2),
        (a[1], s2, 1),
        (a[2], s2, 1),
        (a[3], s2, 2),
        (b[1], s2, 2),
        (a[4], s3, 1),
        (b[2], s3, 1),
        (b[3], s3, 2),
    ]
    made = {}
    for member, session, klass in layout:
        made[member.pk] = Assignment.objects.create(
            participant=people[member.pk], session=session, class_number=klass
        )
    Plan.objects.filter(pk=plan.pk).update(state=PlanState.SCHEDULED)
    plan.refresh_from_db()
    return SimpleNamespace(
        plan=plan,
        s1=s1,
        s2=s2,
        s3=s3,
        mine=made[w.member.pk],
        a=[made[m.pk] for m in a],
        b=[made[m.pk] for m in b],
        committee=committee,
    )


@pytest.fixture
def w(world, official_calendar):
    cache.clear()
    return world


@pytest.fixture
def r(w):
    return build_rota(w)


def refused(call, **kwargs) -> dict:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.message_dict


def days_attended(assignment) -> int:
    return Assignment.objects.get(pk=assignment.pk).attended_days


# --- the rotating code ------------------------------------------------------------------------


def test_the_sessions_run_on_the_days_the_rota_expects(r):
    assert r.s1.dates == [D(2026, 6, 1), D(2026, 6, 2)]
    assert r.s2.dates[0] > r.s1.dates[-1]
    assert r.s3.dates[0] > r.s2.dates[-1]


def test_the_code_of_the_day_checks_the_member_in_once(w, r):
    day = r.s1.dates[0]
    with on(day):
        code = attendance.current_code(r.s1, day, timezone.now())
        record = attendance.attendance_check_in(actor=w.users.member, assignment=r.mine, code=code)
        again = attendance.attendance_check_in(actor=w.users.member, assignment=r.mine, code=code)
    assert (record.status, record.method, record.day, record.day_number) == (
        PRESENT,
        AttendanceMethod.CODE,
        day,
        1,
    )
    assert again.pk == record.pk
    assert Attendance.objects.filter(participant=r.mine.participant).count() == 1
    assert days_attended(r.mine) == 1
    assert AuditEvent.objects.filter(object_type="training.attendance").count() == 1


def test_the_code_rotates_and_the_previous_one_is_still_accepted(w, r):
    day = r.s1.dates[0]
    with on(day, 10, 0):
        first = attendance.current_code(r.s1, day, timezone.now())
    with on(day, 10, 6):
        assert attendance.current_code(r.s1, day, timezone.now()) != first
        assert attendance.code_matches(first, r.s1, day, timezone.now())
    with on(day, 10, 11):
        assert not attendance.code_matches(first, r.s1, day, timezone.now())
        errors = refused(
            attendance.attendance_check_in, actor=w.users.member, assignment=r.mine, code=first
        )
    assert "code" in errors
    assert days_attended(r.mine) == 0


def test_a_code_is_the_days_own_and_never_stored(r):
    one, two = r.s1.dates
    with on(one):
        now = timezone.now()
        assert attendance.current_code(r.s1, one, now) != attendance.current_code(r.s1, two, now)
        assert attendance.current_code(r.s1, one, now) != attendance.current_code(r.s2, one, now)
    assert all(len(s.code_secret) == 64 for s in r.plan.sessions.all())
    assert len({s.code_secret for s in r.plan.sessions.all()}) == 3


def test_a_wrong_code_is_refused_and_guessing_stops_after_five(w, r):
    day = r.s1.dates[0]
    with on(day):
        right = attendance.current_code(r.s1, day, timezone.now())
        wrong = f"{(int(right) + 1) % 1000000:06d}"
        errors = refused(
            attendance.attendance_check_in, actor=w.users.member, assignment=r.mine, code=wrong
        )
        assert errors["code"] == ["签到码错误或已过期，请输入现场显示的 6 位签到码"]
        for _ in range(4):
            refused(
                attendance.attendance_check_in,
                actor=w.users.member,
                assignment=r.mine,
                code=wrong,
            )
        errors = refused(
            attendance.attendance_check_in, actor=w.users.member, assignment=r.mine, code=right
        )
    assert errors["code"] == ["签到码错误次数过多，请 10 分钟后再试"]
    assert days_attended(r.mine) == 0


def test_the_code_is_refused_on_a_day_that_is_not_the_members(w, r):
    other_day = r.s2.dates[0]
    with on(other_day):
        now = timezone.now()
        own = attendance.code_for(
            attendance._code_key(), r.s1.pk, r.s1.code_secret, other_day, attendance.code_step(now)
        )
        errors = refused(
            attendance.attendance_check_in, actor=w.users.member, assignment=r.mine, code=own
        )
        assert "今天（2026-06-08）不是您的培训日" in errors["day"][0]
        # the code shown at the venue today is another session's
        theirs = attendance.current_code(r.s2, other_day, now)
        errors = refused(
            attendance.attendance_check_in, actor=w.users.member, assignment=r.mine, code=theirs
        )
    assert errors["session"][0].startswith("这是第 2 期的签到码，您参加的是第 1 期")
    assert not Attendance.objects.exists()


def test_a_member_checks_in_only_itself(w, r):
    day = r.s1.dates[0]
    with on(day):
        code = attendance.current_code(r.s1, day, timezone.now())
        with pytest.raises(OutOfScope):
            attendance.attendance_check_in(actor=w.users.member, assignment=r.a[0], code=code)
        with pytest.raises(PermissionDenied):
            attendance.attendance_check_in(actor=r.committee, assignment=r.mine, code=code)


def test_the_organiser_sees_the_code_only_on_a_training_day(r):
    with on(r.s1.dates[1]):
        shown = attendance.session_code(actor=r.committee, session=r.s1)
        assert shown["code"] == attendance.current_code(r.s1, r.s1.dates[1], timezone.now())
    with on(r.s2.dates[0]):
        assert "day" in refused(attendance.session_code, actor=r.committee, session=r.s1)


# --- the organiser's list -----------------------------------------------------------------------


def test_the_organisers_list_keeps_attended_days_equal_to_the_present_days(r):
    one, two = r.s1.dates
    mine, a1, b1 = r.mine.participant_id, r.a[0].participant_id, r.b[0].participant_id
    with on(one):
        changed = attendance.attendance_record(
            actor=r.committee,
            session=r.s1,
            day=one,
            marks={mine: PRESENT, a1: ABSENT, b1: EXCUSED},
        )
    assert changed == 3
    assert [days_attended(x) for x in (r.mine, r.a[0], r.b[0])] == [1, 0, 0]
    with on(two):
        attendance.attendance_record(
            actor=r.committee, session=r.s1, day=two, marks={mine: PRESENT, a1: PRESENT}
        )
        assert days_attended(r.mine) == 2
        # a correction: 张三 was not there on the first day after all
        attendance.attendance_record(actor=r.committee, session=r.s1, day=one, marks={mine: ABSENT})
    assert [days_attended(x) for x in (r.mine, r.a[0])] == [1, 1]
    record = Attendance.objects.get(participant_id=mine, day=one)
    assert (record.status, record.method) == (ABSENT, AttendanceMethod.LIST)
    assert AuditEvent.objects.filter(object_type="training.session").count() == 3


def test_the_list_refuses_a_day_outside_the_session_a_day_to_come_and_strangers(r):
    mine = r.mine.participant_id
    with on(r.s1.dates[0]):
        errors = refused(
            attendance.attendance_record,
            actor=r.committee,
            session=r.s1,
            day=r.s2.dates[0],
            marks={mine: PRESENT},
        )
        assert errors["day"][0].startswith("2026-06-08 不是第 1 期的培训日")
        errors = refused(
            attendance.attendance_record,
            actor=r.committee,
            session=r.s1,
            day=r.s1.dates[1],
            marks={mine: PRESENT},
        )
        assert errors["day"] == ["还没到 2026-06-02，不能提前登记出勤"]
        errors = refused(
            attendance.attendance_record,
            actor=r.committee,
            session=r.s1,
            day=r.s1.dates[0],
            marks={r.a[1].participant_id: PRESENT},
        )
        assert "marks" in errors
        errors = refused(
            attendance.attendance_record,
            actor=r.committee,
            session=r.s1,
            day=r.s1.dates[0],
            marks={mine: "late"},
        )
        assert "marks" in errors
    assert not Attendance.objects.exists()


def test_only_the_committee_keeps_the_list(w, r):
    with on(r.s1.dates[0]), pytest.raises(PermissionDenied):
        attendance.attendance_record(
            actor=w.users.unit_admin,
            session=r.s1,
            day=r.s1.dates[0],
            marks={r.mine.participant_id: PRESENT},
        )


def test_a_re_solve_keeps_the_assignment_of_someone_who_attended(r):
    day = r.s1.dates[0]
    with on(day):
        attendance.attendance_record(
            actor=r.committee, session=r.s1, day=day, marks={r.mine.participant_id: PRESENT}
        )
        result = services.plan_solve(actor=r.committee, plan=r.plan)
    assert result.solved
    kept = Assignment.objects.get(participant_id=r.mine.participant_id)
    assert (kept.session_id, kept.class_number, kept.attended_days) == (r.s1.pk, 1, 1)
    assert Attendance.objects.filter(participant_id=r.mine.participant_id).count() == 1


# --- make-ups -----------------------------------------------------------------------------------


def excused_on_day_two(r, *assignments):
    with on(r.s1.dates[1]):
        attendance.attendance_record(
            actor=r.committee,
            session=r.s1,
            day=r.s1.dates[1],
            marks={a.participant_id: EXCUSED for a in assignments},
        )


def test_the_next_session_with_room_is_offered_with_the_reasons_of_the_others(r):
    excused_on_day_two(r, r.mine)
    with on(r.s1.dates[1], 17):
        options = attendance.makeup_options(Assignment.objects.get(pk=r.mine.pk))
    assert [o.session.number for o in options] == [2, 3]
    full, room = options
    assert full.reasons == [
        "第 2 期第 1 班有 3 人，超过每班 2 人的上限",
        "市纪委 在第 2 期有 4 人参训，按 50% 的规定每期最多 3 人",
    ]
    assert (room.class_number, room.reasons) == (2, [])
    assert attendance.default_makeup(options) is room


def test_a_make_up_moves_the_assignment_keeps_the_history_and_tells_the_member(w, r):
    excused_on_day_two(r, r.mine)
    with on(r.s1.dates[1], 17):
        made = attendance.makeup_assign(actor=r.committee, assignment=r.mine, session=r.s3)
    row = Assignment.objects.get(pk=r.mine.pk)
    assert (row.session_id, row.class_number, row.fixed) == (r.s3.pk, 2, True)
    assert (made.from_session, made.from_class, made.to_session, made.to_class) == (
        r.s1,
        1,
        r.s3,
        2,
    )
    assert made.reason == "第 1 期 2026-06-02 请假"
    assert MakeUp.objects.count() == 1
    note = Notification.objects.get(recipient=w.users.member, kind="training_makeup")
    assert "第 3 期第 2 班" in note.text
    # the day-two record stays where it was
    assert Attendance.objects.get(participant_id=r.mine.participant_id).session == r.s1


def test_a_make_up_into_a_full_session_is_refused_with_the_checkers_words(r):
    excused_on_day_two(r, r.b[0])
    with on(r.s1.dates[1], 17):
        errors = refused(
            attendance.makeup_assign, actor=r.committee, assignment=r.b[0], session=r.s2
        )
    assert errors["session"] == ["第 2 期第 1 班有 3 人，超过每班 2 人的上限"]
    assert Assignment.objects.get(pk=r.b[0].pk).session == r.s1
    assert not MakeUp.objects.exists()


def test_a_make_up_that_breaks_the_unit_share_is_refused(r):
    excused_on_day_two(r, r.b[0])
    with on(r.s1.dates[1], 17):
        errors = refused(
            attendance.makeup_assign, actor=r.committee, assignment=r.b[0], session=r.s3
        )
    assert errors["session"] == ["市发改委 在第 3 期有 3 人参训，按 50% 的规定每期最多 2 人"]
    assert not MakeUp.objects.exists()


def test_a_make_up_needs_an_absence_and_a_later_session_not_yet_begun(r):
    with on(r.s1.dates[1], 17):
        errors = refused(
            attendance.makeup_assign, actor=r.committee, assignment=r.mine, session=r.s3
        )
    assert errors["assignment"] == ["张三 在第 1 期没有缺勤或请假，无需补训"]
    excused_on_day_two(r, r.mine)
    with on(r.s1.dates[1], 17):
        errors = refused(
            attendance.makeup_assign, actor=r.committee, assignment=r.mine, session=r.s1
        )
    assert errors["session"] == ["补训须安排在第 1 期之后、尚未开班的期次"]
    with on(r.s3.dates[1]):  # the third session began yesterday
        errors = refused(
            attendance.makeup_assign, actor=r.committee, assignment=r.mine, session=r.s3
        )
    assert errors["session"] == ["补训须安排在第 1 期之后、尚未开班的期次"]


# --- pages --------------------------------------------------------------------------------------


def test_the_member_checks_in_on_its_page(w, r, client):
    day = r.s1.dates[0]
    client.force_login(w.users.member)
    url = reverse("training:checkin")
    with on(day):
        page = client.get(url)
        assert page.status_code == 200
        assert "第 1 期第 1 班" in page.content.decode()
        wrong = client.post(url, {"code": "000000"})
        code = attendance.current_code(r.s1, day, timezone.now())
        if code != "000000":
            assert wrong.status_code == 200
            assert "签到码错误或已过期" in wrong.content.decode()
        done = client.post(url, {"code": code})
    assert done.status_code == 302
    assert days_attended(r.mine) == 1


def test_the_organisers_page_shows_the_code_and_takes_the_list(r, client):
    day = r.s1.dates[0]
    client.force_login(r.committee)
    url = reverse("training:attendance_day", args=[r.plan.pk, 1, 1])
    with on(day):
        page = client.get(url)
        code = attendance.current_code(r.s1, day, timezone.now())
        assert page.status_code == 200
        body = page.content.decode()
        assert code[:3] in body and code[3:] in body
        assert "张三" in body and "乙1" in body
        box = client.get(
            reverse("training:attendance_code", args=[r.plan.pk, 1]),
            headers={"HX-Request": "true", "HX-Target": "code-box"},
        )
        assert box.status_code == 200 and code[:3] in box.content.decode()
        saved = client.post(
            url, {f"p{r.mine.participant_id}": PRESENT, f"p{r.b[0].participant_id}": ABSENT}
        )
    assert saved.status_code == 302
    assert days_attended(r.mine) == 1
    assert Attendance.objects.get(participant_id=r.b[0].participant_id).status == ABSENT


def test_the_make_up_page_offers_the_default_and_shows_refusals(r, client):
    excused_on_day_two(r, r.b[0])
    client.force_login(r.committee)
    url = reverse("training:makeup", args=[r.b[0].pk])
    with on(r.s1.dates[1], 17):
        page = client.get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert "超过每班 2 人的上限" in body and "每期最多 2 人" in body
        assert 'data-key="no-room"' in body
        answer = client.post(url, {"session": r.s3.pk})
    assert answer.status_code == 422
    assert "市发改委 在第 3 期有 3 人参训" in answer.content.decode()


def test_the_attendance_pages_are_the_committees(w, r, client):
    client.force_login(w.users.unit_admin)
    for url in (
        reverse("training:attendance", args=[r.plan.pk, 1]),
        reverse("training:makeup", args=[r.mine.pk]),
        reverse("training:roster", args=[r.plan.pk, 1]),
    ):
        assert client.get(url).status_code == 403
    client.force_login(w.users.member)
    assert client.get(reverse("training:attendance", args=[r.plan.pk, 1])).status_code == 403


CJK = re.compile(r"[\u4e00-\u9fff]")
DATA = ("处级干部轮训", "市委党校", "张三", "市纪委", "市发改委", "甲", "乙")


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("member", "checkin"),
        ("committee", "day"),
        ("committee", "makeup"),
        ("committee", "completion"),
        ("unit_admin", "completion"),
    ],
)
def test_the_attendance_pages_read_english_for_an_english_user(w, r, role, page):
    excused_on_day_two(r, r.mine)
    urls = {
        "checkin": reverse("training:checkin"),
        "day": reverse("training:attendance_day", args=[r.plan.pk, 1, 2]),
        "makeup": reverse("training:makeup", args=[r.mine.pk]),
        "completion": reverse("training:completion"),
    }
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(getattr(w.users, role))
    with on(r.s1.dates[1], 17):
        response = client.get(urls[page])
    assert response.status_code == 200
    main = response.content.decode().split("<main", 1)[-1].split("</main>", 1)[0]
    for data in DATA:
        main = main.replace(data, "")
    assert not CJK.findall(main), CJK.findall(main)[:20]
