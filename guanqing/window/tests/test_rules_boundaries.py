"""Every edge of the case clock, pinned with hand-picked dates.

Each case sits on an edge — a pause that begins on the acceptance day or the day before, a pause
that ends where the next begins, the deadline day itself, the non-working day right after it, a
setting of zero — so that moving an edge by one (`<` for `<=`, `- 2` for `- 1`, `and` for `or`)
fails a test. `docs/testing.md` records the mutation run these tests answer. No result here
depends on the day the tests run: "today" is passed in, or pinned with time-machine.
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from guanqing.window.rules import (
    Timing,
    deadline,
    paused_workdays,
    receipt_number,
    remaining_workdays,
    timing,
    workdays_used,
)
from guanqing.window.tests.test_rules import seeded_calendar  # noqa: F401 (the fixture)

D = datetime.date
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.usefixtures("seeded_calendar")


def at(day: datetime.date, hour: int = 10):
    """Pin the clock to `hour` o'clock Beijing time on `day`."""
    moment = datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)
    return time_machine.travel(moment, tick=False)


# --- pauses: validation ---------------------------------------------------------------------------


def test_a_pause_may_begin_on_the_acceptance_day_but_not_before():
    # 3 days from Monday 2 March 2026 (3, 4, 5); paused on the 2nd, resumed on the 3rd: one day
    assert deadline(D(2026, 3, 2), 3, [(D(2026, 3, 2), D(2026, 3, 3))]) == D(2026, 3, 6)
    with pytest.raises(ValueError, match="before the case"):
        deadline(D(2026, 3, 2), 3, [(D(2026, 3, 1), D(2026, 3, 3))])


def test_a_pause_that_ends_before_it_begins_is_refused():
    with pytest.raises(ValueError, match="ends"):
        paused_workdays([(D(2026, 3, 4), D(2026, 3, 3))])
    with pytest.raises(ValueError, match="ends"):
        deadline(D(2026, 3, 2), 3, [(D(2026, 3, 4), D(2026, 3, 3))])


def test_pauses_may_touch_but_not_overlap():
    touching = [(D(2026, 3, 3), D(2026, 3, 5)), (D(2026, 3, 5), D(2026, 3, 9))]
    assert paused_workdays(touching) == 4  # 4, 5, then 6, 9 March
    with pytest.raises(ValueError, match="overlap"):
        paused_workdays([(D(2026, 3, 3), D(2026, 3, 5)), (D(2026, 3, 4), D(2026, 3, 9))])
    # given in any order
    with pytest.raises(ValueError, match="overlap"):
        paused_workdays([(D(2026, 3, 4), D(2026, 3, 9)), (D(2026, 3, 3), D(2026, 3, 5))])


def test_only_the_last_pause_may_be_running():
    last = [(D(2026, 3, 3), D(2026, 3, 5)), (D(2026, 3, 9), None)]
    # 4, 5 March, then 10, 11 March
    assert paused_workdays(last, until=D(2026, 3, 11)) == 4
    assert paused_workdays(list(reversed(last)), until=D(2026, 3, 11)) == 4
    with pytest.raises(ValueError) as exc:
        paused_workdays(
            [(D(2026, 3, 3), None), (D(2026, 3, 9), D(2026, 3, 10))], until=D(2026, 3, 11)
        )
    assert str(exc.value) == "only the last pause may still be running"
    with pytest.raises(ValueError, match="only the last pause may still be running"):
        paused_workdays(
            [(D(2026, 3, 3), None), (D(2026, 3, 9), D(2026, 3, 10)), (D(2026, 3, 12), None)],
            until=D(2026, 3, 13),
        )


def test_paused_resumed_and_paused_again_the_same_day():
    # resumed the day it began, then paused again that day and still running: given in any order
    day = D(2026, 3, 3)
    for pauses in ([(day, day), (day, None)], [(day, None), (day, day)]):
        assert paused_workdays(pauses, until=D(2026, 3, 5)) == 2  # 4, 5 March
        assert deadline(D(2026, 3, 2), 3, pauses, today=D(2026, 3, 5)) == D(2026, 3, 9)
    for pauses in ([(day, day), (day, D(2026, 3, 4))], [(day, D(2026, 3, 4)), (day, day)]):
        assert paused_workdays(pauses) == 1  # 4 March


def test_no_pause_no_days():
    assert paused_workdays([]) == 0
    assert paused_workdays((), until=D(2026, 3, 2)) == 0


# --- a running pause and today ---------------------------------------------------------------------


def test_a_running_pause_ends_today_when_no_day_is_given():
    running = [(D(2026, 4, 29), None)]
    with at(D(2026, 5, 6)):
        assert paused_workdays(running) == 2  # 30 April, 6 May
        assert deadline(D(2026, 4, 27), 5, running) == D(2026, 5, 9)
    # 00:30 in Beijing already belongs to that Beijing date
    with at(D(2026, 5, 7), hour=0):
        assert paused_workdays(running) == 3


def test_the_day_given_wins_over_today():
    running = [(D(2026, 4, 29), None)]
    with at(D(2026, 6, 1)):
        assert paused_workdays(running, until=D(2026, 5, 6)) == 2
        assert deadline(D(2026, 4, 27), 5, running, today=D(2026, 5, 6)) == D(2026, 5, 9)
        # a running pause seen before it began stops nothing
        assert paused_workdays(running, until=D(2026, 4, 20)) == 0


def test_ended_pauses_ignore_today():
    ended = [(D(2026, 4, 29), D(2026, 5, 6))]
    with at(D(2026, 4, 30)):
        assert paused_workdays(ended) == 2
        assert paused_workdays(ended, until=D(2026, 4, 30)) == 2


# --- workdays used ---------------------------------------------------------------------------------


def test_workdays_used_ends_at_the_day_asked_about():
    accepted = D(2026, 3, 2)  # Monday
    assert workdays_used(accepted, D(2026, 3, 3)) == 1
    assert workdays_used(accepted, D(2026, 3, 7)) == 4  # Saturday: 3–6 March
    with pytest.raises(ValueError, match="before the acceptance"):
        workdays_used(accepted, D(2026, 3, 1))


def test_workdays_used_counts_a_pause_only_up_to_the_day_asked_about():
    accepted = D(2026, 3, 2)
    pause = [(D(2026, 3, 3), D(2026, 3, 10))]  # 4, 5, 6, 9, 10 March stopped
    # asked on 5 March: 3 March ran, 4 and 5 were stopped
    assert workdays_used(accepted, D(2026, 3, 5), pause) == 1
    # asked on the pause's first day: nothing stopped yet
    assert workdays_used(accepted, D(2026, 3, 3), pause) == 1
    # a pause that begins after the day asked about takes nothing away
    assert workdays_used(accepted, D(2026, 3, 3), [(D(2026, 3, 5), D(2026, 3, 10))]) == 1
    assert workdays_used(accepted, D(2026, 3, 4), [(D(2026, 3, 6), None)]) == 2
    # asked on 12 March: 3, 11, 12 ran
    assert workdays_used(accepted, D(2026, 3, 12), pause) == 3


def test_workdays_used_with_a_running_pause_does_not_depend_on_today():
    running = [(D(2026, 3, 3), None)]
    for today in (D(2026, 3, 4), D(2026, 3, 31)):
        with at(today):
            # asked on 10 March: only 3 March ran
            assert workdays_used(D(2026, 3, 2), D(2026, 3, 10), running) == 1


# --- remaining working days, timing -----------------------------------------------------------------


def test_remaining_workdays_on_both_sides_of_the_deadline():
    due = D(2026, 3, 6)  # Friday
    assert remaining_workdays(due, D(2026, 3, 5)) == 1
    assert remaining_workdays(due, due) == 0
    assert remaining_workdays(due, D(2026, 3, 7)) == -1  # Saturday
    assert remaining_workdays(due, D(2026, 3, 9)) == -1
    assert remaining_workdays(due, D(2026, 3, 11)) == -3


def test_a_deadline_on_a_non_working_day():
    # a 即办件 back-entered on a Saturday is due that Saturday
    due = D(2026, 3, 7)
    assert remaining_workdays(due, D(2026, 3, 6)) == 0  # no working day left before it
    assert timing(deadline=due, today=D(2026, 3, 6)) == Timing.DUE_SOON
    assert remaining_workdays(due, D(2026, 3, 8)) == -1  # Sunday: passed
    assert timing(deadline=due, today=D(2026, 3, 8)) == Timing.OVERDUE
    assert remaining_workdays(due, D(2026, 3, 9)) == -1


def test_timing_edges():
    due = D(2026, 3, 6)
    assert timing(deadline=due, today=D(2026, 3, 4)) == Timing.OPEN  # 2 left
    assert timing(deadline=due, today=D(2026, 3, 5)) == Timing.DUE_SOON  # 1 left
    assert timing(deadline=due, today=due) == Timing.DUE_SOON
    assert timing(deadline=due, today=D(2026, 3, 7)) == Timing.OVERDUE
    assert timing(deadline=due, today=D(2026, 3, 4), due_soon_workdays=1) == Timing.OPEN
    assert timing(deadline=due, today=D(2026, 3, 2), due_soon_workdays=4) == Timing.DUE_SOON
    assert timing(deadline=due, today=D(2026, 3, 2), due_soon_workdays=3) == Timing.OPEN


def test_completion_decides_once_there_is_one():
    due = D(2026, 3, 6)
    # completed early, asked long after the deadline; completed late, asked before it
    assert timing(deadline=due, completed_on=D(2026, 3, 5), today=D(2026, 4, 1)) == Timing.EARLY
    assert timing(deadline=due, completed_on=D(2026, 3, 7), today=D(2026, 3, 1)) == Timing.LATE
    assert timing(deadline=due, completed_on=due, today=D(2026, 3, 9)) == Timing.ON_TIME
    assert timing(deadline=due, completed_on=D(2026, 3, 2), today=due) == Timing.EARLY


def test_a_negative_due_soon_setting_is_refused():
    with pytest.raises(ValueError) as exc:
        timing(deadline=D(2026, 3, 6), today=D(2026, 3, 5), due_soon_workdays=-1)
    assert str(exc.value) == "due_soon_workdays must be 0 or more"
    with pytest.raises(ValueError, match="due_soon_workdays"):
        timing(
            deadline=D(2026, 3, 6),
            completed_on=D(2026, 3, 5),
            today=D(2026, 3, 5),
            due_soon_workdays=-1,
        )


def test_timing_values_are_the_agreed_names():
    assert [t.value for t in Timing] == ["early", "on_time", "late", "open", "due_soon", "overdue"]
    assert all(t.label for t in Timing)


# --- deadlines: edges ------------------------------------------------------------------------------


def test_a_negative_limit_is_refused():
    with pytest.raises(ValueError):
        deadline(D(2026, 3, 2), -1)


def test_an_iterator_of_pauses_is_read_once_and_whole():
    pauses = iter([(D(2026, 3, 3), D(2026, 3, 5)), (D(2026, 3, 9), D(2026, 3, 10))])
    # the clock runs 3, 6, 9 March; 4, 5 and 10 March are stopped: due 10 March
    assert deadline(D(2026, 3, 2), 3, pauses) == D(2026, 3, 10)


# --- receipt numbers -------------------------------------------------------------------------------


def test_receipt_numbers_start_at_one():
    assert receipt_number(1, D(2026, 5, 13), 1) == "SL20260513-0001-0001"
    with pytest.raises(ValueError) as exc:
        receipt_number(0, D(2026, 5, 13), 1)
    assert str(exc.value) == "the window and the running number start at 1"
    with pytest.raises(ValueError, match="start at 1"):
        receipt_number(1, D(2026, 5, 13), 0)
    with pytest.raises(ValueError, match="start at 1"):
        receipt_number(-3, D(2026, 5, 13), -3)
