"""The services: the catalogue (the committee only, every field checked, a change applies to the
events recorded afterwards), recording an event (the unit's own member, a member only itself, an
active rule, a day from 2000 to today; once per member, rule and day), meeting and waiving (the
lifecycle, the dates, the text required) and the daily escalation (once, the working day after the
deadline); every refusal names its field and changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from guanqing.care import services
from guanqing.care.choices import EventSource, ObligationState
from guanqing.care.models import CareEvent, CareRule, Obligation
from guanqing.care.tests.helpers import PLAIN, SENSITIVE, D, other_record, record, rule
from guanqing.core.errors import Conflict
from guanqing.core.models import AuditEvent, Notification
from guanqing.core.services import OutOfScope
from guanqing.registry.choices import MemberStatus
from guanqing.testing import factories as f


@pytest.fixture
def w(world, official_calendar, pinned_today):
    return world


def errors(excinfo) -> dict:
    return excinfo.value.message_dict


# --- the catalogue -------------------------------------------------------------------------------

RULE = {
    "system": "help",
    "code": "help-housing",
    "name": "住房困难",
    "description": "",
    "actor_kind": "party_office",
    "action": "help",
    "limit_workdays": 15,
    "sensitive": False,
    "is_active": True,
    "sort_order": 7,
}


def test_the_committee_adds_a_rule_to_the_catalogue(w):
    saved = services.care_rule_save(actor=w.users.committee, **RULE)
    assert CareRule.objects.get(code="help-housing").name == "住房困难"
    assert AuditEvent.objects.filter(object_id=str(saved.pk), action="create").exists()


@pytest.mark.parametrize("role", ["unit_admin", "member", "fund_officer", "system_admin"])
def test_only_the_committee_edits_the_catalogue(w, role):
    with pytest.raises(PermissionDenied):
        services.care_rule_save(actor=getattr(w.users, role), **RULE)
    assert not CareRule.objects.filter(code="help-housing").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("system", "other"),
        ("actor_kind", "mayor"),
        ("action", "dance"),
        ("code", "Not A Slug"),
        ("code", PLAIN),  # already used
        ("name", "   "),
        ("name", "长" * 61),
        ("description", "长" * 501),
        ("limit_workdays", 0),
        ("limit_workdays", 61),
        ("limit_workdays", True),
        ("sort_order", -1),
        ("sensitive", "yes"),
    ],
)
def test_a_bad_rule_value_is_refused_naming_its_field(w, field, value):
    before = CareRule.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.care_rule_save(actor=w.users.committee, **(RULE | {field: value}))
    assert set(errors(excinfo)) == {field}
    assert CareRule.objects.count() == before


def test_a_changed_limit_applies_to_events_recorded_afterwards(w):
    first = record(w, PLAIN, on=D(2026, 5, 11))
    services.care_rule_save(actor=w.users.committee, rule=rule(PLAIN), limit_workdays=10)
    second = record(w, PLAIN, on=D(2026, 5, 12))
    assert first.obligations.get().due_on == D(2026, 5, 14)  # three working days, as given
    assert first.obligations.get().limit_workdays == 3
    assert second.obligations.get().due_on == D(2026, 5, 26)  # ten working days
    assert second.obligations.get().limit_workdays == 10


def test_a_rule_switched_off_takes_no_new_events(w):
    services.care_rule_save(actor=w.users.committee, rule=rule(PLAIN), is_active=False)
    with pytest.raises(ValidationError) as excinfo:
        record(w, PLAIN)
    assert set(errors(excinfo)) == {"rule"}


# --- recording an event --------------------------------------------------------------------------


def test_recording_an_event_makes_its_obligation_due(w):
    event = record(w, SENSITIVE, on=D(2026, 5, 11), note="住院手术")
    o = event.obligations.get()
    assert (event.unit, event.source, event.sensitive, event.recorded_by) == (
        w.unit,
        EventSource.UNIT,
        True,
        w.users.unit_admin,
    )
    assert (o.unit, o.action, o.actor_kind, o.limit_workdays, o.state) == (
        w.unit,
        "visit",
        "party_office",
        5,
        ObligationState.OPEN,
    )
    assert o.due_on == D(2026, 5, 18)  # Mon 11 May + 5 working days (the weekend skipped)
    assert AuditEvent.objects.filter(object_id=str(event.pk), action="create").exists()
    assert AuditEvent.objects.filter(object_id=str(o.pk), root_id=str(event.pk)).exists()


def test_recording_the_same_event_twice_makes_one_event_and_one_obligation(w):
    first = services.care_event_record(
        actor=w.users.unit_admin, member=w.member, rule=rule(PLAIN), occurred_on=D(2026, 5, 11)
    )
    again = services.care_event_record(
        actor=w.users.committee, member=w.member, rule=rule(PLAIN), occurred_on=D(2026, 5, 11)
    )
    assert first[1] is True
    assert again == (first[0], False)
    assert CareEvent.objects.count() == 1
    assert Obligation.objects.count() == 1


def test_another_day_or_rule_is_another_event(w):
    record(w, PLAIN, on=D(2026, 5, 11))
    record(w, PLAIN, on=D(2026, 5, 12))
    record(w, SENSITIVE, on=D(2026, 5, 11))
    assert CareEvent.objects.count() == Obligation.objects.count() == 3


def test_the_database_refuses_a_second_copy_of_an_event(w):
    event = record(w)
    with pytest.raises(IntegrityError), transaction.atomic():
        CareEvent.objects.create(
            member=event.member, unit=event.unit, rule=event.rule, occurred_on=event.occurred_on
        )


def test_a_race_lost_on_the_unique_constraint_returns_the_winner(w, monkeypatch):
    """Two requests both find no event; the rival inserts first: the second gets its event."""
    winner = {}
    real_due_on = services.rules.due_on

    def rival_commits_first(occurred_on, limit):
        # between our look-up and our insert, the rival request records the same event
        winner["event"] = services._insert_event(
            w.users.committee, w.member, rule(PLAIN), occurred_on, "", D(2026, 5, 14), False
        )
        return real_due_on(occurred_on, limit)

    monkeypatch.setattr(services.rules, "due_on", rival_commits_first)
    event, created = services.care_event_record(
        actor=w.users.unit_admin, member=w.member, rule=rule(PLAIN), occurred_on=D(2026, 5, 11)
    )
    assert (event, created) == (winner["event"], False)
    assert CareEvent.objects.count() == Obligation.objects.count() == 1


def test_a_unit_records_only_for_its_own_members(w):
    with pytest.raises(ValidationError) as excinfo:
        record(w, member=w.other_member)
    assert set(errors(excinfo)) == {"member"}
    assert not CareEvent.objects.exists()


def test_the_committee_records_for_any_unit(w):
    event = other_record(w)
    assert event.unit == w.other_unit


@pytest.mark.parametrize(
    ("on", "field"),
    [(D(2026, 5, 14), "occurred_on"), (D(1999, 12, 31), "occurred_on"), (None, "occurred_on")],
)
def test_the_day_is_from_2000_to_today(w, on, field):
    with pytest.raises(ValidationError) as excinfo:
        services.care_event_record(
            actor=w.users.unit_admin, member=w.member, rule=rule(PLAIN), occurred_on=on
        )
    assert set(errors(excinfo)) == {field}


def test_a_note_too_long_is_refused(w):
    with pytest.raises(ValidationError) as excinfo:
        record(w, note="长" * 2001)
    assert set(errors(excinfo)) == {"note"}


def test_a_member_reports_its_own_event_and_its_unit_is_told(w):
    event, created = services.care_event_record(
        actor=w.users.member, member=w.member.pk, rule=rule(PLAIN), occurred_on=D(2026, 5, 12)
    )
    assert created and event.source == EventSource.MEMBER
    assert event.obligations.get().state == ObligationState.OPEN
    note = Notification.objects.get(recipient=w.users.unit_admin)
    assert note.kind == "care_event_reported"
    assert "直系亲属去世" in note.text


def test_a_sensitive_report_does_not_name_the_rule_in_the_notification(w):
    services.care_event_record(
        actor=w.users.member, member=w.member, rule=rule(SENSITIVE), occurred_on=D(2026, 5, 12)
    )
    note = Notification.objects.get(recipient=w.users.unit_admin)
    assert "住院" not in note.text


def test_a_member_reports_only_for_itself(w):
    colleague = f.MemberFactory(unit=w.unit, branch=w.org, name="王五")
    with pytest.raises(ValidationError) as excinfo:
        services.care_event_record(
            actor=w.users.member, member=colleague, rule=rule(PLAIN), occurred_on=D(2026, 5, 12)
        )
    assert set(errors(excinfo)) == {"member"}


@pytest.mark.parametrize("role", ["community_worker", "window_clerk", "fund_officer"])
def test_other_roles_record_nothing(w, role):
    with pytest.raises(PermissionDenied):
        record(w, actor=getattr(w.users, role))


def test_a_year_missing_from_the_calendar_is_named_not_guessed(w):
    from guanqing.core.calendar.workdays import forget_cached_years
    from guanqing.core.models import CalendarDay

    CalendarDay.objects.filter(date__year=2026, date__month__gte=5).delete()
    forget_cached_years()
    with pytest.raises(ValidationError) as excinfo:
        record(w)
    assert set(errors(excinfo)) == {"occurred_on"}
    assert not CareEvent.objects.exists()


def test_a_retired_member_may_still_be_visited_by_the_committee(w):
    w.member.status = MemberStatus.RETIRED
    w.member.save()
    assert record(w, "visit-retired", actor=w.users.committee).member == w.member


# --- meeting and waiving -------------------------------------------------------------------------


def test_meeting_an_obligation_records_what_was_done(w):
    o = record(w, on=D(2026, 5, 11)).obligations.get()
    services.obligation_meet(actor=w.users.unit_admin, obligation=o, done_note="上门慰问")
    o.refresh_from_db()
    assert (o.state, o.met_on, o.done_note, o.done_by) == (
        ObligationState.MET,
        D(2026, 5, 13),
        "上门慰问",
        w.users.unit_admin,
    )
    assert not o.late
    assert AuditEvent.objects.filter(object_id=str(o.pk), action="update").exists()


def test_met_after_the_deadline_is_late(w):
    # three working days after Wed 6 May: Thu, Fri and Sat 9 May (worked in lieu of Labour Day)
    o = record(w, on=D(2026, 5, 6)).obligations.get()
    services.obligation_meet(
        actor=w.users.unit_admin, obligation=o, done_note="x", on=D(2026, 5, 12)
    )
    o.refresh_from_db()
    assert o.due_on == D(2026, 5, 9)
    assert o.late


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"done_note": "  "}, "done_note"),
        ({"done_note": "x", "on": D(2026, 5, 14)}, "on"),
        ({"done_note": "x", "on": D(2026, 5, 10)}, "on"),  # before the event
        ({"done_note": "长" * 2001}, "done_note"),
    ],
)
def test_a_bad_meeting_is_refused_naming_its_field(w, kw, field):
    o = record(w, on=D(2026, 5, 11)).obligations.get()
    with pytest.raises(ValidationError) as excinfo:
        services.obligation_meet(actor=w.users.unit_admin, obligation=o, **kw)
    assert set(errors(excinfo)) == {field}
    o.refresh_from_db()
    assert o.state == ObligationState.OPEN


def test_waiving_needs_a_reason(w):
    o = record(w).obligations.get()
    with pytest.raises(ValidationError) as excinfo:
        services.obligation_waive(actor=w.users.unit_admin, obligation=o, reason=" ")
    assert set(errors(excinfo)) == {"reason"}
    services.obligation_waive(actor=w.users.unit_admin, obligation=o, reason="本人已调离")
    o.refresh_from_db()
    assert (o.state, o.waived_reason, o.waived_by, o.waived_on) == (
        ObligationState.WAIVED,
        "本人已调离",
        w.users.unit_admin,
        D(2026, 5, 13),
    )


def test_the_committee_may_waive_too(w):
    o = other_record(w).obligations.get()
    services.obligation_waive(actor=w.users.committee, obligation=o, reason="重复")
    o.refresh_from_db()
    assert o.state == ObligationState.WAIVED


@pytest.mark.parametrize("role", ["member", "fund_officer", "community_worker"])
def test_only_the_unit_and_the_committee_meet_or_waive(w, role):
    o = record(w).obligations.get()
    with pytest.raises(PermissionDenied):
        services.obligation_meet(actor=getattr(w.users, role), obligation=o, done_note="x")
    with pytest.raises(PermissionDenied):
        services.obligation_waive(actor=getattr(w.users, role), obligation=o, reason="x")


def test_another_units_obligation_is_out_of_scope(w):
    o = other_record(w).obligations.get()
    with pytest.raises(OutOfScope):
        services.obligation_meet(actor=w.users.unit_admin, obligation=o, done_note="x")
    with pytest.raises(OutOfScope):
        services.obligation_waive(actor=w.users.unit_admin, obligation=o, reason="x")


@pytest.mark.parametrize("first", ["meet", "waive"])
def test_a_closed_obligation_refuses_another_move(w, first):
    o = record(w).obligations.get()
    if first == "meet":
        services.obligation_meet(actor=w.users.unit_admin, obligation=o, done_note="x")
    else:
        services.obligation_waive(actor=w.users.unit_admin, obligation=o, reason="x")
    o.refresh_from_db()
    state = o.state
    with pytest.raises(Conflict):
        services.obligation_meet(actor=w.users.unit_admin, obligation=o, done_note="y")
    with pytest.raises(Conflict):
        services.obligation_waive(actor=w.users.unit_admin, obligation=o, reason="y")
    o.refresh_from_db()
    assert o.state == state


# --- the daily job -------------------------------------------------------------------------------


def test_an_overdue_obligation_escalates_once_the_working_day_after_its_deadline(w):
    o = record(w, on=D(2026, 5, 5)).obligations.get()  # Labour Day: due Fri 8 May
    assert o.due_on == D(2026, 5, 8)
    assert services.care_daily(D(2026, 5, 8)).escalated == 0  # the deadline itself
    # Sat 9 May 2026 is a working day in lieu of the holiday: the working day after the deadline
    assert services.care_daily(D(2026, 5, 9)).escalated == 1
    o.refresh_from_db()
    assert o.escalated_on == D(2026, 5, 9)
    assert o.state == ObligationState.OPEN
    note = Notification.objects.get(recipient=w.users.unit_admin)
    assert note.kind == "care_obligation_escalated"
    assert "报单位党委" in note.text
    # running it again, that day or later, writes nothing more
    assert services.care_daily(D(2026, 5, 9)).escalated == 0
    assert services.care_daily(D(2026, 5, 13)).escalated == 0
    o.refresh_from_db()
    assert o.escalated_on == D(2026, 5, 9)
    assert Notification.objects.filter(kind="care_obligation_escalated").count() == 1
    assert AuditEvent.objects.filter(object_id=str(o.pk), actor_username="system").count() == 1


def test_a_met_or_waived_obligation_never_escalates(w):
    met = record(w, on=D(2026, 5, 5)).obligations.get()
    waived = record(w, SENSITIVE, on=D(2026, 5, 5)).obligations.get()
    services.obligation_meet(
        actor=w.users.unit_admin, obligation=met, done_note="x", on=D(2026, 5, 12)
    )
    services.obligation_waive(actor=w.users.unit_admin, obligation=waived, reason="x")
    assert services.care_daily(D(2026, 5, 13)).escalated == 0
    assert not Obligation.objects.filter(escalated_on__isnull=False).exists()


def test_the_daily_job_is_registered_and_describes_itself(w):
    from guanqing.core import daily

    job = next(j for j in daily.jobs() if j.name == "care.obligations_daily")
    assert "0" in job.describe(job.run(D(2026, 5, 13)))
