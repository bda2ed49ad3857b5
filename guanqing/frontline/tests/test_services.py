"""The problem loop's services: 受理 with its errors named, 派单/退单/改派 and who is told, one
extension, 办结 with the merged problems following, 回访 not before its day, and the reporter's
one-time rating code (不满意 reopens once).

Today is pinned to Wednesday 2026-05-13 (劳动节 2026: May 1–5 off, Saturday May 9 worked).
"""

from __future__ import annotations

import datetime
import decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from guanqing.core.errors import Conflict
from guanqing.core.models import AuditEvent, Notification
from guanqing.core.services import OutOfScope
from guanqing.frontline import selectors, services
from guanqing.frontline.choices import (
    ProblemEventKind,
    ProblemSource,
    ProblemState,
    Satisfaction,
    Urgency,
)
from guanqing.frontline.models import Extension, Problem, ProblemEvent
from guanqing.frontline.tests import factories as ff
from guanqing.testing import factories as f

D = datetime.date
TODAY = D(2026, 5, 13)


@pytest.fixture
def w(world, official_calendar, pinned_today):
    world.cat = ff.category(unit=world.unit)
    world.other_admin = f.UserFactory(
        username="other_unit_admin", role="unit_admin", unit=world.other_unit
    )
    world.committee = world.users.committee
    world.admin = world.users.unit_admin
    return world


def notes(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def kinds(problem) -> list[str]:
    return list(selectors.problem_timeline(problem).values_list("kind", flat=True))


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


# --- 受理 --------------------------------------------------------------------------------------


def test_a_public_report_is_received_numbered_and_due_by_its_urgency(w):
    enquiry = ff.category(unit=w.unit, urgency=Urgency.ENQUIRY)
    first = ff.reported(category=w.cat)
    second = ff.reported(category=enquiry, received_on=D(2026, 4, 30))
    third = ff.reported(category=w.cat)
    assert (first.public_id, third.public_id) == ("NT20260513-0001", "NT20260513-0002")
    assert second.public_id == "NT20260430-0001"
    assert first.state == ProblemState.RECEIVED and first.urgency == Urgency.PROBLEM
    # 13 working days after Wed 13 May: 14, 15, 18–22, 25–29, 1 June
    assert first.deadline == D(2026, 6, 1)
    # 3 working days after Thu 30 April, over 劳动节 (1–5 May): 6, 7, 8 May
    assert second.deadline == D(2026, 5, 8)
    event = ProblemEvent.objects.get(problem=first)
    assert (event.kind, event.public, event.note) == (ProblemEventKind.REPORT, True, "已受理")


def test_the_reporter_is_kept_encrypted_and_never_in_the_log_in_clear(w):
    problem = ff.reported(category=w.cat, reporter_email="wang@example.com")
    problem.refresh_from_db()
    assert problem.reporter_phone == ff.PHONE and problem.reporter_name == "王小明"
    assert ff.PHONE not in problem.reporter_phone_encrypted
    logged = str(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert ff.PHONE not in logged and "王小明" not in logged and "wang@example.com" not in logged
    assert "138****1234" in logged


def test_an_emergency_is_due_the_same_day(w):
    urgent = ff.category(unit=w.unit, urgency=Urgency.EMERGENCY)
    assert ff.reported(category=urgent).deadline == TODAY


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"description": ""}, "description"),
        ({"lat": "29.87"}, "long"),
        ({"lat": "95", "long": "121.5"}, "lat"),
        ({"lat": "29.8", "long": "东经"}, "long"),
        ({"address": ""}, "address"),
        ({"media_url": "javascript:alert(1)"}, "media_url"),
        ({"reporter_phone": "12345"}, "reporter_phone"),
        ({"reporter_email": "not-an-address"}, "reporter_email"),
        ({"received_on": D(2026, 5, 14)}, "received_on"),
    ],
)
def test_a_report_is_refused_naming_the_field_and_writes_nothing(w, changes, field):
    with pytest.raises(ValidationError) as exc:
        ff.reported(category=w.cat, **changes)
    assert field in errors_of(exc)
    assert not Problem.objects.exists() and not ProblemEvent.objects.exists()


def test_an_unknown_source_is_refused(w):
    with pytest.raises(ValidationError) as exc:
        ff.reported(category=w.cat, actor=w.committee, source="fax")
    assert "source" in errors_of(exc)


def test_an_inactive_or_unknown_category_is_refused(w):
    stale = ff.category(is_active=False)
    for category in (stale, 999_999, None):
        with pytest.raises(ValidationError) as exc:
            ff.reported(category=category)
        assert "category" in errors_of(exc)


def test_coordinates_alone_locate_a_public_report(w):
    problem = ff.reported(category=w.cat, address="", lat="29.868336", long=121.54399)
    assert (problem.lat, problem.long) == (
        decimal.Decimal("29.868336"),
        decimal.Decimal("121.543990"),
    )


def test_without_an_account_only_the_public_and_open311_may_report(w):
    with pytest.raises(PermissionDenied):
        ff.reported(category=w.cat, source=ProblemSource.HOTLINE)
    with pytest.raises(PermissionDenied):
        ff.reported(category=w.cat, actor=w.users.member)
    assert ff.reported(category=w.cat, actor=w.users.window_clerk, source="window").reported_by


def test_an_outreach_problem_needs_an_outreach_of_the_actors_scope(w):
    with pytest.raises(ValidationError) as exc:
        ff.reported(category=w.cat, actor=w.admin, source=ProblemSource.OUTREACH)
    assert "outreach" in errors_of(exc)


# --- 派单目录 and 派单 ---------------------------------------------------------------------------


def test_the_district_rule_comes_before_the_default(w):
    district_unit = f.UnitFactory(name="海曙区住建局")
    from guanqing.frontline.models import DispatchRule
    from guanqing.registry.models import Division

    community = Division.objects.get(code="330203001001")
    district = Division.objects.get(code="330203000000")
    DispatchRule.objects.create(category=w.cat, district=district, unit=district_unit)
    here = ff.reported(category=w.cat, division=community)
    elsewhere = ff.reported(category=w.cat)
    assert services.default_unit(here) == district_unit
    assert services.default_unit(elsewhere) == w.unit


def test_dispatch_tells_the_units_admins_only(w):
    problem = ff.reported(category=w.cat)
    services.problem_dispatch(actor=w.committee, problem=problem, unit=w.unit)
    problem.refresh_from_db()
    assert (problem.state, problem.unit, problem.assigned_on) == (
        ProblemState.ASSIGNED,
        w.unit,
        TODAY,
    )
    assert notes(w.admin) == ["frontline_problem_dispatch"]
    assert notes(w.other_admin) == [] and notes(w.committee) == []


def test_only_the_committee_dispatches(w):
    problem = ff.reported(category=w.cat)
    with pytest.raises(PermissionDenied):
        services.problem_dispatch(actor=w.admin, problem=problem, unit=w.unit)
    with pytest.raises(ValidationError) as exc:
        services.problem_dispatch(actor=w.committee, problem=problem, unit=None)
    assert "unit" in errors_of(exc)
    assert Problem.objects.get().state == ProblemState.RECEIVED


def test_another_units_admin_finds_nothing(w):
    problem = ff.assigned(category=w.cat, unit=w.unit)
    for call in (
        lambda: services.problem_accept(actor=w.other_admin, problem=problem),
        lambda: services.problem_return(actor=w.other_admin, problem=problem, reason="不归我们"),
    ):
        with pytest.raises(OutOfScope):
            call()
    assert Problem.objects.get().state == ProblemState.ASSIGNED


def test_return_and_reassign(w):
    problem = ff.assigned(category=w.cat, unit=w.unit)
    with pytest.raises(ValidationError) as exc:
        services.problem_return(actor=w.admin, problem=problem, reason=" ")
    assert "reason" in errors_of(exc)
    services.problem_return(actor=w.admin, problem=problem, reason="不属于本单位职责")
    assert notes(w.committee) == ["frontline_problem_returned"]
    with pytest.raises(ValidationError) as exc:
        services.problem_reassign(actor=w.committee, problem=problem, unit=w.unit)
    assert "unit" in errors_of(exc)
    services.problem_reassign(actor=w.committee, problem=problem, unit=w.other_unit)
    problem.refresh_from_db()
    assert (problem.state, problem.unit) == (ProblemState.ASSIGNED, w.other_unit)
    assert notes(w.other_admin) == ["frontline_problem_reassign"]
    assert kinds(problem) == ["report", "dispatch", "return", "reassign"]


def test_progress_notes_public_or_not(w):
    problem = ff.handling(category=w.cat, unit_admin=w.admin)
    services.problem_progress(actor=w.admin, problem=problem, note="已联系供电公司")
    services.problem_progress(actor=w.admin, problem=problem, note="正在更换灯具", public=True)
    public = selectors.problem_timeline(problem, public_only=True)
    assert [e.note for e in public if e.kind == "progress"] == ["正在更换灯具"]
    with pytest.raises(ValidationError) as exc:
        services.problem_progress(actor=w.admin, problem=problem, note="")
    assert "note" in errors_of(exc)


# --- 延期 -------------------------------------------------------------------------------------


def test_one_extension_approved_moves_the_deadline_by_working_days(w):
    problem = ff.handling(category=w.cat, unit_admin=w.admin)
    with pytest.raises(ValidationError) as exc:
        services.extension_request(actor=w.admin, problem=problem, workdays=11, reason="需协调")
    assert "workdays" in errors_of(exc)
    services.extension_request(actor=w.admin, problem=problem, workdays=3, reason="需协调供电")
    assert notes(w.committee) == ["frontline_extension_requested"]
    with pytest.raises(Conflict):
        services.extension_request(actor=w.admin, problem=problem, workdays=2, reason="再延")
    with pytest.raises(PermissionDenied):
        services.extension_decide(actor=w.admin, problem=problem, approved=True)
    services.extension_decide(actor=w.committee, problem=problem, approved=True)
    problem.refresh_from_db()
    assert problem.deadline == D(2026, 6, 4)  # 1 June + 2, 3, 4 June
    assert Extension.objects.get().decision == "approved"
    with pytest.raises(Conflict):
        services.extension_decide(actor=w.committee, problem=problem, approved=False, note="不")
    assert notes(w.admin) == ["frontline_extension_decided", "frontline_problem_dispatch"]


def test_a_refused_extension_keeps_the_deadline_and_needs_a_reason(w):
    problem = ff.handling(category=w.cat, unit_admin=w.admin)
    services.extension_request(actor=w.admin, problem=problem, workdays=3, reason="需协调供电")
    with pytest.raises(ValidationError) as exc:
        services.extension_decide(actor=w.committee, problem=problem, approved=False)
    assert "note" in errors_of(exc)
    services.extension_decide(
        actor=w.committee, problem=problem, approved=False, note="可在时限内办结"
    )
    problem.refresh_from_db()
    assert problem.deadline == D(2026, 6, 1)


# --- 并单 and 办结 ----------------------------------------------------------------------------


def test_merged_problems_follow_the_master_and_every_reporter_gets_a_code(w):
    master = ff.handling(category=w.cat, unit_admin=w.admin)
    twin = ff.reported(category=w.cat, reporter_phone="13905740000")
    no_reporter = ff.reported(category=w.cat, reporter_name="", reporter_phone="")
    services.problem_merge(actor=w.committee, problem=twin, into=master, note="同一路灯")
    services.problem_merge(actor=w.committee, problem=no_reporter, into=master)
    twin.refresh_from_db()
    assert (twin.state, twin.master) == (ProblemState.MERGED, master)
    answered = services.problem_answer(actor=w.admin, problem=master, answer="已更换灯具")
    assert set(answered.rating_codes) == {master.public_id, twin.public_id}
    for row in (master, twin, no_reporter):
        row.refresh_from_db()
        assert (row.state, row.answer, row.closed_on, row.unit) == (
            ProblemState.CLOSED,
            "已更换灯具",
            TODAY,
            w.unit,
        )
    assert kinds(twin) == ["report", "merge", "answer"]
    assert kinds(master)[-1] == "answer" and kinds(master).count("merge") == 2
    assert not no_reporter.rating_code_hash and twin.rating_code_hash


def test_merge_refusals_name_into(w):
    master = ff.handling(category=w.cat, unit_admin=w.admin)
    done = ff.closed(category=w.cat, unit_admin=w.admin)
    problem = ff.reported(category=w.cat)
    for into in (problem, done):
        with pytest.raises(ValidationError) as exc:
            services.problem_merge(actor=w.committee, problem=problem, into=into)
        assert "into" in errors_of(exc)
    first = ff.reported(category=w.cat)
    services.problem_merge(actor=w.committee, problem=first, into=problem)
    with pytest.raises(ValidationError) as exc:
        services.problem_merge(actor=w.committee, problem=master, into=first)
    assert "into" in errors_of(exc)
    # merging a master moves its merged ones along
    services.problem_merge(actor=w.committee, problem=problem, into=master)
    first.refresh_from_db()
    assert first.master == master
    with pytest.raises(PermissionDenied):
        services.problem_merge(actor=w.admin, problem=ff.reported(category=w.cat), into=master)


def test_an_answer_needs_text_and_a_day_not_before_dispatch_nor_after_today(w):
    problem = ff.handling(category=w.cat, unit_admin=w.admin)
    for kwargs, field in (
        ({"answer": " "}, "answer"),
        ({"answer": "好", "on": D(2026, 5, 12)}, "on"),
        ({"answer": "好", "on": D(2026, 5, 14)}, "on"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.problem_answer(actor=w.admin, problem=problem, **kwargs)
        assert field in errors_of(exc)
    assert Problem.objects.get().state == ProblemState.HANDLING


# --- 回访 -------------------------------------------------------------------------------------


def test_callback_not_before_the_working_day_after_closing(w, time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 8, 10, tzinfo=datetime.UTC))
    problem = ff.closed(category=w.cat, unit_admin=w.admin)  # closed Friday 8 May
    time_machine.move_to(datetime.datetime(2026, 5, 13, 2, tzinfo=datetime.UTC))
    with pytest.raises(ValidationError) as exc:
        services.problem_callback(actor=w.committee, problem=problem, note="满意", on=D(2026, 5, 8))
    assert "on" in errors_of(exc)
    # Saturday 9 May is worked in lieu of 劳动节: the callback is due then
    services.problem_callback(actor=w.committee, problem=problem, note="群众满意", on=D(2026, 5, 9))
    problem.refresh_from_db()
    assert problem.callback_on == D(2026, 5, 9)
    with pytest.raises(Conflict):
        services.problem_callback(actor=w.committee, problem=problem, note="再访")


# --- 评价 -------------------------------------------------------------------------------------


def test_every_unusable_code_gets_the_same_answer(w):
    problem = ff.closed(category=w.cat, unit_admin=w.admin)
    code = problem.rating_codes[problem.public_id]
    answers = set()
    # the code with its last character changed (to one it does not already have, in any case)
    other_last = "y" if code[-1].lower() == "x" else "x"
    for bad in ("", None, "0000", "A" * 16, code.lower()[:-1] + other_last):
        with pytest.raises(services.ProblemCodeInvalid) as exc:
            services.problem_rate(code=bad, satisfaction=Satisfaction.SATISFIED)
        answers.add(str(exc.value))
    services.problem_rate(code=f" {code[:4]}-{code[4:].lower()} ", satisfaction="satisfied")
    with pytest.raises(services.ProblemCodeInvalid) as exc:
        services.problem_rate(code=code, satisfaction=Satisfaction.SATISFIED)
    answers.add(str(exc.value))
    assert len(answers) == 1
    problem.refresh_from_db()
    assert (problem.satisfaction, problem.rated_on, problem.rating_code_hash) == (
        Satisfaction.SATISFIED,
        TODAY,
        "",
    )
    assert code not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_a_reissued_code_replaces_the_earlier_one(w):
    problem = ff.closed(category=w.cat, unit_admin=w.admin)
    old = problem.rating_codes[problem.public_id]
    with pytest.raises(PermissionDenied):
        services.problem_rating_code(actor=w.admin, problem=problem)
    new = services.problem_rating_code(actor=w.committee, problem=problem)
    assert new != old and len(new) == services.CODE_LENGTH
    with pytest.raises(services.ProblemCodeInvalid):
        services.problem_rate(code=old, satisfaction=Satisfaction.BASIC)
    with pytest.raises(ValidationError) as exc:
        services.problem_rate(code=new, satisfaction="great")
    assert "satisfaction" in errors_of(exc)
    services.problem_rate(code=new, satisfaction=Satisfaction.BASIC)
    with pytest.raises(Conflict):
        services.problem_rating_code(actor=w.committee, problem=problem)


def test_dissatisfied_reopens_once_to_the_same_unit(w, time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 29, 2, tzinfo=datetime.UTC))
    problem = ff.closed(category=w.cat, unit_admin=w.admin)
    code = problem.rating_codes[problem.public_id]
    time_machine.move_to(datetime.datetime(2026, 4, 30, 2, tzinfo=datetime.UTC))
    services.problem_rate(code=code, satisfaction=Satisfaction.DISSATISFIED, note="灯还是不亮")
    problem.refresh_from_db()
    assert (problem.state, problem.unit, problem.reopened_on, problem.closed_on) == (
        ProblemState.HANDLING,
        w.unit,
        D(2026, 4, 30),
        None,
    )
    # 13 working days from Thu 30 April over 劳动节: 6–8, 9 (Sat, worked), 11–15, 18–21 May
    assert problem.deadline == D(2026, 5, 21)
    reopen = selectors.problem_timeline(problem).get(kind=ProblemEventKind.REOPEN)
    assert reopen.public and "不满意" in reopen.note
    assert "frontline_problem_reopened" in notes(w.admin)
    # answered again, rated 不满意 again: recorded only
    time_machine.move_to(datetime.datetime(2026, 5, 13, 2, tzinfo=datetime.UTC))
    again = services.problem_answer(actor=w.admin, problem=problem, answer="已更换整套灯具")
    services.problem_rate(
        code=again.rating_codes[problem.public_id], satisfaction=Satisfaction.DISSATISFIED
    )
    problem.refresh_from_db()
    assert (problem.state, problem.satisfaction, problem.reopened_on) == (
        ProblemState.CLOSED,
        Satisfaction.DISSATISFIED,
        D(2026, 4, 30),
    )
    assert kinds(problem).count("reopen") == 1


# --- selectors --------------------------------------------------------------------------------


def test_the_units_queue_is_due_soon_first_and_the_desk_sorts_the_rest(w):
    enquiry = ff.category(unit=w.unit, urgency=Urgency.ENQUIRY)
    later = ff.handling(category=w.cat, unit_admin=w.admin)
    sooner = ff.assigned(category=enquiry, unit=w.unit)
    other = ff.assigned(category=w.cat, unit=w.other_unit)
    returned = ff.assigned(category=w.cat, unit=w.unit)
    services.problem_return(actor=w.admin, problem=returned, reason="不属于本单位")
    waiting = ff.reported(category=w.cat)
    assert list(selectors.problem_queue(w.admin)) == [sooner, later]
    assert set(selectors.problem_queue(w.committee)) == {later, sooner, other, returned, waiting}
    desk = selectors.dispatch_desk()
    assert list(desk.unassigned) == [waiting] and list(desk.returned) == [returned]
    assert list(selectors.dispatch_desk(D(2026, 5, 19)).overdue) == [sooner]


def test_the_desks_overdue_problems_come_in_one_order_across_their_states(w, time_machine):
    """Read state by state and merged: the same first problems, in the same order, as one query
    over every state sorted would give, ties on the deadline broken by the date received."""
    made = []
    for day in (20, 13, 27, 13, 6):
        time_machine.move_to(datetime.datetime(2026, 4, day, 2, tzinfo=datetime.UTC), tick=False)
        made.append(ff.assigned(category=w.cat, unit=w.unit))
        made.append(ff.handling(category=w.cat, unit_admin=w.admin))
        returned = ff.assigned(category=w.cat, unit=w.unit)
        services.problem_return(actor=w.admin, problem=returned, reason="不属于本单位")
        made.append(returned)
    today = D(2026, 6, 30)
    overdue = selectors.dispatch_desk(today).overdue
    one_query = list(
        selectors._due_first(
            Problem.objects.filter(state__in=selectors.ESCALATED_STATES, deadline__lt=today)
        )
    )
    assert len(one_query) == len(made)
    assert overdue[:4] == one_query[:4]
    assert overdue[:100] == one_query
    assert list(overdue) == one_query and overdue.exists()
    assert overdue.ids(5) == [p.pk for p in one_query[:5]]
    assert overdue.count() == len(made)
    with pytest.raises(TypeError):
        overdue[2:4]


def test_the_timeline_is_in_the_site_language_the_errors_in_the_users(w):
    problem = ff.reported(category=w.cat)
    with translation.override("en"):
        services.problem_dispatch(actor=w.committee, problem=problem, unit=w.unit)
        with pytest.raises(ValidationError) as exc:
            services.problem_return(actor=w.admin, problem=problem, reason="")
    assert selectors.problem_timeline(problem).last().note == f"交{w.unit.name}办理"
    assert errors_of(exc)["reason"] == ["Give the reason for sending it back"]
