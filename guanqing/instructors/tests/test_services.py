"""The services: appointing (the unit's own active cadre, a village, one appointed term at a time,
the default days from the setting), ending (the lifecycle, the dates), the work log (not in the
future, inside the term and one month, no overlap) and raising a village problem into the
frontline loop; every refusal names its field and changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanqing.core.errors import Conflict
from guanqing.core.models import AuditEvent
from guanqing.core.services import OutOfScope
from guanqing.frontline.choices import ProblemSource, ProblemState
from guanqing.frontline.models import Problem
from guanqing.instructors import services
from guanqing.instructors.choices import TermState
from guanqing.instructors.models import InstructorSettings, InstructorTerm, RaisedProblem, WorkLog
from guanqing.instructors.tests.helpers import D, category, log, other_term, second_member, term
from guanqing.registry.choices import MemberStatus


@pytest.fixture
def w(world, official_calendar, pinned_today):
    return world


def errors(excinfo) -> dict:
    return excinfo.value.message_dict


# --- appoint -------------------------------------------------------------------------------------


def appoint(w, actor=None, **kw):
    data = {
        "member": w.member,
        "village": w.community,
        "starts_on": D(2026, 3, 1),
        "ends_on": D(2028, 2, 29),
    } | kw
    return services.term_appoint(actor=actor or w.users.unit_admin, **data)


def test_a_unit_appoints_its_cadre_with_the_default_days(w):
    InstructorSettings.objects.create(days_per_month=16)
    t = appoint(w)
    assert (t.unit, t.member, t.village, t.state) == (
        w.unit,
        w.member,
        w.community,
        TermState.APPOINTED,
    )
    assert t.required_days == 16
    assert AuditEvent.objects.filter(object_id=str(t.pk), action="create").exists()


def test_the_days_may_be_set_for_the_term(w):
    assert appoint(w, required_days=12).required_days == 12


@pytest.mark.parametrize("days", [0, 32])
def test_days_outside_a_month_are_refused(w, days):
    with pytest.raises(ValidationError) as exc:
        appoint(w, required_days=days)
    assert "required_days" in errors(exc)


def test_a_unit_cannot_appoint_another_units_cadre(w):
    with pytest.raises(ValidationError) as exc:
        appoint(w, member=w.other_member)
    assert "member" in errors(exc)
    assert not InstructorTerm.objects.exists()


def test_the_committee_appoints_for_any_unit(w):
    t = appoint(w, actor=w.users.committee, member=w.other_member)
    assert t.unit == w.other_unit


def test_a_cadre_is_stationed_in_one_village_at_a_time(w):
    appoint(w)
    with pytest.raises(ValidationError) as exc:
        appoint(w, village=w.other_community)
    assert "member" in errors(exc)


def test_a_cadre_who_left_is_not_appointed(w):
    w.member.status = MemberStatus.TRANSFERRED
    w.member.save()
    with pytest.raises(ValidationError) as exc:
        appoint(w)
    assert "member" in errors(exc)


def test_the_village_is_a_village_or_community(w):
    with pytest.raises(ValidationError) as exc:
        appoint(w, village=w.street)
    assert "village" in errors(exc)


def test_the_term_ends_after_it_starts(w):
    with pytest.raises(ValidationError) as exc:
        appoint(w, ends_on=D(2026, 2, 28))
    assert "ends_on" in errors(exc)


@pytest.mark.parametrize("role", ["member", "community_worker", "window_clerk", "system_admin"])
def test_other_roles_do_not_appoint(w, role):
    with pytest.raises(PermissionDenied):
        appoint(w, actor=getattr(w.users, role))


# --- end ---------------------------------------------------------------------------------------


def test_ending_a_term_early(w):
    t = term(w)
    log(t, D(2026, 5, 4))
    services.term_end(actor=w.users.unit_admin, term=t, on=D(2026, 5, 10), reason="调任")
    t.refresh_from_db()
    assert (t.state, t.ends_on, t.end_reason) == (TermState.ENDED, D(2026, 5, 10), "调任")


def test_ending_an_ended_term_is_a_conflict_that_changes_nothing(w):
    t = term(w, state=TermState.ENDED, ends=D(2026, 4, 30))
    with pytest.raises(Conflict):
        services.term_end(actor=w.users.unit_admin, term=t, on=D(2026, 4, 1))
    t.refresh_from_db()
    assert t.ends_on == D(2026, 4, 30)


@pytest.mark.parametrize(
    "on", [D(2025, 12, 31), D(2028, 1, 1), D(2026, 5, 3)], ids=["before", "after", "logs"]
)
def test_the_end_date_is_inside_the_term_and_after_the_log(w, on):
    t = term(w)
    log(t, D(2026, 5, 4))
    with pytest.raises(ValidationError) as exc:
        services.term_end(actor=w.users.unit_admin, term=t, on=on)
    assert "on" in errors(exc)
    t.refresh_from_db()
    assert t.state == TermState.APPOINTED


def test_another_units_term_is_out_of_scope(w):
    with pytest.raises(OutOfScope):
        services.term_end(actor=w.users.unit_admin, term=other_term(w))


# --- log -----------------------------------------------------------------------------------------


def record(w, t, actor=None, **kw):
    data = {"starts_on": D(2026, 5, 11), "work": "走访农户"} | kw
    return services.log_record(actor=actor or w.users.member, term=t, **data)


def test_the_instructor_logs_a_day(w):
    entry = record(w, term(w))
    assert (entry.starts_on, entry.ends_on, entry.days) == (D(2026, 5, 11), D(2026, 5, 11), 1)
    assert entry.recorded_by == w.users.member


def test_a_range_of_days_counts_each_day(w):
    entry = record(w, term(w), starts_on=D(2026, 5, 4), ends_on=D(2026, 5, 8))
    assert entry.days == 5


def test_the_unit_may_log_for_its_cadre(w):
    assert record(w, term(w), actor=w.users.unit_admin).days == 1


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"starts_on": D(2026, 5, 14)}, "starts_on"),  # tomorrow
        ({"starts_on": D(2026, 5, 12), "ends_on": D(2026, 5, 14)}, "ends_on"),
        ({"starts_on": D(2025, 12, 31)}, "starts_on"),  # before the term
        ({"starts_on": D(2026, 5, 8), "ends_on": D(2026, 5, 7)}, "ends_on"),
        ({"starts_on": D(2026, 4, 29), "ends_on": D(2026, 5, 2)}, "ends_on"),  # two months
        ({"work": "  "}, "work"),
    ],
)
def test_refused_entries_name_their_field(w, kw, field):
    t = term(w)
    with pytest.raises(ValidationError) as exc:
        record(w, t, **kw)
    assert field in errors(exc)
    assert not WorkLog.objects.exists()


def test_today_is_allowed(w):
    assert record(w, term(w), starts_on=D(2026, 5, 13)).days == 1


def test_after_the_term_ends_is_refused(w):
    t = term(w, ends=D(2026, 5, 10))
    with pytest.raises(ValidationError) as exc:
        record(w, t, starts_on=D(2026, 5, 10), ends_on=D(2026, 5, 11))
    assert "ends_on" in errors(exc)
    assert record(w, t, starts_on=D(2026, 5, 10)).days == 1


def test_entries_may_not_overlap_but_may_touch(w):
    t = term(w)
    log(t, D(2026, 5, 4), D(2026, 5, 6))
    with pytest.raises(ValidationError) as exc:
        record(w, t, starts_on=D(2026, 5, 6), ends_on=D(2026, 5, 7))
    assert "starts_on" in errors(exc)
    assert record(w, t, starts_on=D(2026, 5, 7), ends_on=D(2026, 5, 8)).days == 2


def test_another_instructors_term_is_out_of_scope(w):
    mate = second_member(w)
    t = term(w, member=mate)
    with pytest.raises(OutOfScope):
        record(w, t)


def test_the_committee_does_not_write_logs(w):
    with pytest.raises(PermissionDenied):
        record(w, term(w), actor=w.users.committee)


def test_an_ended_term_takes_no_log(w):
    t = term(w, state=TermState.ENDED, ends=D(2026, 5, 12))
    with pytest.raises(Conflict):
        record(w, t)
    assert not WorkLog.objects.exists()


# --- raise a problem ---------------------------------------------------------------------------


def test_raising_a_problem_puts_it_into_the_frontline_loop(w):
    category()
    t = term(w)
    raised = services.problem_raise(
        actor=w.users.unit_admin, term=t, title="村道破损", description="村口道路多处破损"
    )
    problem = Problem.objects.get(pk=raised.problem_id)
    assert problem.source == ProblemSource.INSTRUCTOR
    assert problem.division == w.community
    assert problem.state == ProblemState.RECEIVED
    assert raised.public_id == problem.public_id
    assert raised.term == t


def test_a_named_category_is_used(w):
    category()
    wanted = category("water", "供水")
    raised = services.problem_raise(
        actor=w.users.unit_admin,
        term=term(w),
        title="水压不足",
        description="高处农户",
        category="water",
    )
    assert Problem.objects.get(pk=raised.problem_id).category == wanted


def test_the_frontline_refusal_names_its_field_and_nothing_is_kept(w):
    category()
    with pytest.raises(ValidationError) as exc:
        services.problem_raise(actor=w.users.unit_admin, term=term(w), title="", description="x")
    assert "title" in errors(exc)
    assert not Problem.objects.exists()
    assert not RaisedProblem.objects.exists()


def test_an_unknown_category_is_refused(w):
    category()
    with pytest.raises(ValidationError) as exc:
        services.problem_raise(
            actor=w.users.unit_admin, term=term(w), title="t", description="d", category="nope"
        )
    assert "category" in errors(exc)


def test_an_ended_term_raises_nothing(w):
    category()
    t = term(w, state=TermState.ENDED, ends=D(2026, 5, 1))
    with pytest.raises(Conflict):
        services.problem_raise(actor=w.users.unit_admin, term=t, title="t", description="d")
    assert not Problem.objects.exists()


def test_another_units_term_raises_nothing(w):
    category()
    with pytest.raises(OutOfScope):
        services.problem_raise(
            actor=w.users.unit_admin, term=other_term(w), title="t", description="d"
        )


# --- settings ----------------------------------------------------------------------------------


def test_the_committee_sets_the_days(w):
    services.settings_update(actor=w.users.committee, days_per_month=15)
    assert InstructorSettings.current().days_per_month == 15
    with pytest.raises(ValidationError) as exc:
        services.settings_update(actor=w.users.committee, days_per_month=40)
    assert "days_per_month" in errors(exc)
    with pytest.raises(PermissionDenied):
        services.settings_update(actor=w.users.unit_admin, days_per_month=10)
