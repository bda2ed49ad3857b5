"""The care part of the demo, read from the shared small demo (scale 0.05): a year of events
across units, their obligations on the official calendar, most met on time, some late, a few
waived, a few open and overdue (escalated); the demo member's own three; every row as the services
and the lifecycle would leave it."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from guanqing.accounts.models import User
from guanqing.care import rules
from guanqing.care.choices import ObligationState, Timing
from guanqing.care.demo import MIN_EVENTS
from guanqing.care.models import CareEvent, Obligation

SCALE = 0.05

pytestmark = [
    pytest.mark.shared_demo(scale=SCALE),
    pytest.mark.django_db,
    pytest.mark.usefixtures("pinned_today", "official_calendar"),
]


def test_a_year_of_care_events_and_their_obligations(pinned_today, shared_demo):
    summary = shared_demo.parts["care"]
    today = pinned_today
    events = list(CareEvent.objects.select_related("rule"))
    obligations = list(Obligation.objects.select_related("event", "event__rule"))
    assert summary.events == len(events) >= MIN_EVENTS
    assert summary.obligations == len(obligations) == len(events)
    assert len({e.unit_id for e in events}) > 5
    assert len({(e.member_id, e.rule_id, e.occurred_on) for e in events}) == len(events)
    for e in events:
        assert today - datetime.timedelta(days=366) <= e.occurred_on <= today
        assert e.sensitive == e.rule.sensitive
    timings = Counter()
    for o in obligations:
        event = o.event
        assert o.unit_id == event.unit_id
        assert (o.action, o.actor_kind) == (event.rule.action, event.rule.actor_kind)
        assert o.due_on == rules.due_on(event.occurred_on, o.limit_workdays)
        if o.state == ObligationState.MET:
            assert event.occurred_on <= o.met_on <= today
            assert o.done_note
        if o.state == ObligationState.WAIVED:
            assert o.waived_reason
        if o.state == ObligationState.OPEN and rules.escalates_on(o.due_on) <= today:
            assert o.escalated_on == rules.escalates_on(o.due_on)  # escalated, once, that day
        if o.escalated_on is not None:
            assert o.escalated_on == rules.escalates_on(o.due_on)
        timings[rules.timing(o.state, o.due_on, o.met_on, today)] += 1
    assert timings[Timing.ON_TIME] > timings[Timing.LATE] > 0
    assert timings[Timing.WAIVED] > 0
    assert timings[Timing.OVERDUE] > 0
    assert (summary.on_time, summary.late, summary.waived, summary.overdue, summary.pending) == (
        timings[Timing.ON_TIME],
        timings[Timing.LATE],
        timings[Timing.WAIVED],
        timings[Timing.OVERDUE],
        timings[Timing.PENDING],
    )
    # the daily job that ran after the builders found nothing left to escalate
    assert Obligation.objects.filter(
        state="open", due_on__lt=today, escalated_on__isnull=True
    ).count() == sum(
        1
        for o in obligations
        if o.state == "open" and o.due_on < today and rules.escalates_on(o.due_on) > today
    )
    demo_member = User.objects.get(username="member_demo").member_id
    mine = {
        e.rule.code: rules.timing(o.state, o.due_on, o.met_on, today)
        for o in obligations
        for e in [o.event]
        if e.member_id == demo_member
    }
    assert mine == {
        "incentive-commendation": Timing.ON_TIME,
        "visit-bereavement": Timing.LATE,
        "visit-hospital": Timing.PENDING,
    }
