"""The 好差评 part of the daily job: a follow-up whose re-rating code expired unused is closed
(lapse); the unit's administrators are told once of a 差评 still being verified or rectified past
its deadline. A second run changes nothing.

Today is pinned to Wednesday 2026-05-13: a 差评 given today is due Wednesday 2026-05-20; a code
fed back today expires after 2026-06-12.
"""

from __future__ import annotations

import datetime

import pytest

from guanqing.core import daily
from guanqing.core.models import AuditEvent, Notification
from guanqing.testing import factories as f
from guanqing.window import rating_services, services
from guanqing.window.choices import FeedbackMethod, FollowUpState
from guanqing.window.models import FollowUp
from guanqing.window.rating_services import RatingsDailyResult
from guanqing.window.tests import factories as wf

D = datetime.date
TODAY = wf.TODAY
DUE = D(2026, 5, 20)
LAST_DAY = D(2026, 6, 12)


@pytest.fixture
def d(world, official_calendar, pinned_today):
    desk = wf.desk(world)
    desk.admin = world.users.unit_admin
    desk.other_admin = f.UserFactory(
        username="other_unit_admin", role="unit_admin", unit=world.other_unit
    )
    return desk


def bad(d):
    return wf.bad_rating(actor=d.clerk, window=d.window, matter=d.matter)


def awaiting(d):
    """A 差评 verified, rectified and fed back today without a rating: (follow-up, code)."""
    follow_up = bad(d)
    rating_services.follow_up_verify(actor=d.admin, follow_up=follow_up, on=TODAY, finding="属实")
    rating_services.follow_up_rectify(actor=d.admin, follow_up=follow_up, on=TODAY, measures="整改")
    return rating_services.follow_up_feed_back(
        actor=d.admin, follow_up=follow_up, on=TODAY, method=FeedbackMethod.PHONE, note="已告知"
    )


def state(follow_up) -> tuple:
    row = FollowUp.objects.get(pk=follow_up.pk)
    return row.state, row.closed_on, row.overdue_notified_on


def overdue_notes(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind="window_follow_up_overdue").values_list(
            "dedupe_key", flat=True
        )
    )


def test_the_job_is_registered_for_tick():
    names = [job.name for job in daily.jobs()]
    assert "window.ratings_daily" in names
    assert names.index("window.ratings_daily") == names.index("window.cases_daily") + 1


def test_an_unused_re_rating_code_lapses_the_day_after_it_expires(d):
    follow_up, code = awaiting(d)
    assert rating_services.ratings_daily(LAST_DAY) == RatingsDailyResult(lapsed=0, overdue=0)
    assert state(follow_up)[:2] == (FollowUpState.AWAITING, None)

    after = LAST_DAY + datetime.timedelta(days=1)
    assert rating_services.ratings_daily(after) == RatingsDailyResult(lapsed=1, overdue=0)
    assert state(follow_up)[:2] == (FollowUpState.CLOSED, after)
    event = AuditEvent.objects.filter(object_type="window.followup").order_by("id").last()
    assert (event.actor, event.actor_username) == (None, services.SYSTEM)
    assert event.changes["state"][1] == str(FollowUpState.CLOSED.label)

    events = AuditEvent.objects.count()
    assert rating_services.ratings_daily(after) == RatingsDailyResult()
    assert rating_services.ratings_daily(after + datetime.timedelta(days=1)) == RatingsDailyResult()
    assert AuditEvent.objects.count() == events


def test_a_follow_up_the_applicant_re_rated_does_not_lapse(d):
    follow_up, code = awaiting(d)
    rating_services.rating_submit_code(code=code, level=5)
    assert state(follow_up)[:2] == (FollowUpState.CLOSED, TODAY)
    assert rating_services.ratings_daily(LAST_DAY + datetime.timedelta(days=1)).lapsed == 0
    assert state(follow_up)[:2] == (FollowUpState.CLOSED, TODAY)


def test_the_unit_is_told_once_of_a_follow_up_past_its_deadline(d, world):
    follow_up = bad(d)
    assert follow_up.rectify_due == DUE
    assert rating_services.ratings_daily(DUE) == RatingsDailyResult()
    assert not overdue_notes(d.admin)

    day_after = DUE + datetime.timedelta(days=1)
    assert rating_services.ratings_daily(day_after) == RatingsDailyResult(lapsed=0, overdue=1)
    assert overdue_notes(d.admin) == [f"window:follow_up:{follow_up.pk}:overdue"]
    note = Notification.objects.get(recipient=d.admin, kind="window_follow_up_overdue")
    case = follow_up.rating.case
    for part in (d.window.name, case.receipt_no, d.matter.name, str(DUE)):
        assert part in note.text
    assert not overdue_notes(d.other_admin)
    assert not overdue_notes(d.clerk)
    assert state(follow_up) == (FollowUpState.VERIFY, None, day_after)

    # once: not again the same day, nor later, nor after it moves on to rectification
    assert rating_services.ratings_daily(day_after) == RatingsDailyResult()
    rating_services.follow_up_verify(actor=d.admin, follow_up=follow_up, on=TODAY, finding="属实")
    assert rating_services.ratings_daily(day_after + datetime.timedelta(days=1)).overdue == 0
    assert len(overdue_notes(d.admin)) == 1


def test_follow_ups_rectified_appealed_or_closed_are_not_chased(d):
    rectified = bad(d)
    rating_services.follow_up_verify(actor=d.admin, follow_up=rectified, on=TODAY, finding="属实")
    rating_services.follow_up_rectify(actor=d.admin, follow_up=rectified, on=TODAY, measures="整改")
    appealed = bad(d)
    rating_services.follow_up_appeal(actor=d.admin, follow_up=appealed, on=TODAY, reason="恶意")
    in_rectification = bad(d)
    rating_services.follow_up_verify(
        actor=d.admin, follow_up=in_rectification, on=TODAY, finding="属实"
    )
    result = rating_services.ratings_daily(DUE + datetime.timedelta(days=1))
    assert result == RatingsDailyResult(lapsed=0, overdue=1)
    assert overdue_notes(d.admin) == [f"window:follow_up:{in_rectification.pk}:overdue"]
    assert state(rectified)[2] is None
    assert state(appealed)[2] is None


def test_the_job_says_what_it_did():
    line = rating_services.describe_ratings_daily(RatingsDailyResult(lapsed=2, overdue=3))
    assert "2" in line and "3" in line


def test_a_limit_running_into_a_year_the_calendar_lacks_waits_for_it(world, official_calendar):
    """A 差评 on 2026-12-28 with 5 working days to rectify runs into 2027, which the calendar does
    not hold: the rating is kept, its limit left open (never guessed, never overdue), and the
    daily job counts it once 2027 is entered."""
    import datetime as dt

    import time_machine as tm

    from guanqing.conftest import client_for
    from guanqing.core.calendar.workdays import forget_cached_years
    from guanqing.core.models import CalendarDay
    from guanqing.window.models import FollowUp
    from guanqing.window.rating_services import ratings_daily

    with tm.travel(dt.datetime(2026, 12, 28, 10, 0), tick=False):
        desk = wf.desk(world)
        short = wf.matter(unit=desk.window.unit, promised=5, statutory=5)
        follow_up = wf.bad_rating(
            actor=desk.clerk,
            window=desk.window,
            matter=short,
            accepted_on=dt.date(2026, 12, 21),
            completed_on=dt.date(2026, 12, 28),
        )
        assert follow_up.rectify_due is None
        ratings_daily(dt.date(2026, 12, 28))
        assert FollowUp.objects.get(pk=follow_up.pk).rectify_due is None
        page = client_for(world.users.unit_admin).get(f"/window/ratings/follow-ups/{follow_up.pk}/")
        assert "待录入下一年日历" in page.content.decode()

    day = dt.date(2027, 1, 1)
    CalendarDay.objects.bulk_create(
        CalendarDay(
            date=day + dt.timedelta(days=n),
            is_workday=(day + dt.timedelta(days=n)).weekday() < 5 and n > 0,
        )
        for n in range(365)
    )
    forget_cached_years()
    with tm.travel(dt.datetime(2027, 1, 4, 10, 0), tick=False):
        ratings_daily(dt.date(2027, 1, 4))
    # 12-29, 12-30, 12-31, then 2027-01-04 and 01-05 (01-01 entered as a holiday)
    assert FollowUp.objects.get(pk=follow_up.pk).rectify_due == dt.date(2027, 1, 5)
