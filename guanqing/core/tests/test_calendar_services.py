"""Entering and amending the official calendar."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from guanqing.core.calendar.services import DayEntry, calendar_day_set, calendar_year_publish
from guanqing.core.calendar.workdays import CalendarYearMissing, add_workdays, is_workday
from guanqing.core.models import AuditEvent, CalendarDay
from guanqing.core.services import ScopeError

D = datetime.date
pytestmark = pytest.mark.usefixtures("official_calendar")

NOTICE_2027 = "国务院办公厅关于2027年部分节假日安排的通知"
SPRING_2027 = [DayEntry(D(2027, 2, d), False, "春节") for d in range(5, 12)] + [
    DayEntry(D(2027, 2, 20), True, "春节"),  # a make-up Saturday
]


def test_the_committee_publishes_next_year_and_deadlines_follow(world):
    with pytest.raises(CalendarYearMissing):
        add_workdays(D(2027, 2, 4), 1)
    rows = calendar_year_publish(
        actor=world.users.committee, year=2027, source=NOTICE_2027, days=SPRING_2027
    )
    assert rows == 365
    assert add_workdays(D(2027, 2, 4), 1) == D(2027, 2, 12)  # Friday 5th to Thursday 11th off
    assert is_workday(D(2027, 2, 20))  # Saturday worked in lieu
    assert not is_workday(D(2027, 2, 13))  # an ordinary Saturday
    event = AuditEvent.objects.get(object_type="core.calendarday", object_id="2027")
    assert (event.action, event.actor, event.message) == (
        "create",
        world.users.committee,
        NOTICE_2027,
    )
    assert event.changes == {"holidays": [None, 7], "makeup_workdays": [None, 1]}


def test_the_system_administrator_may_too_but_nobody_else(world):
    calendar_year_publish(actor=world.users.system_admin, year=2027, source=NOTICE_2027, days=[])
    for role in ("unit_admin", "member", "community_worker", "security_admin", "audit_admin"):
        with pytest.raises(ScopeError):
            calendar_day_set(
                actor=getattr(world.users, role), day=D(2027, 1, 4), is_workday=False, holiday="x"
            )


@pytest.mark.parametrize(
    ("days", "field"),
    [
        ([DayEntry(D(2028, 1, 1), False, "元旦")], "days[0]"),  # another year
        (
            [DayEntry(D(2027, 1, 1), False, "元旦"), DayEntry(D(2027, 1, 1), False, "元旦")],
            "days[1]",
        ),
        ([DayEntry(D(2027, 1, 1), False, " ")], "days[0]"),  # no name
        ([DayEntry(D(2027, 1, 4), True, "元旦")], "days[0]"),  # a Monday cannot be a make-up day
    ],
)
def test_a_bad_notice_line_is_named_and_nothing_is_written(world, days, field):
    with pytest.raises(ValidationError) as exc:
        calendar_year_publish(actor=world.users.committee, year=2027, source=NOTICE_2027, days=days)
    assert field in exc.value.message_dict
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_a_year_already_entered_is_amended_day_by_day_not_published_again(world):
    with pytest.raises(ValidationError) as exc:
        calendar_year_publish(actor=world.users.committee, year=2026, source=NOTICE_2027, days=[])
    assert "year" in exc.value.message_dict


def test_amending_a_day_moves_deadlines_and_is_audited(world):
    # as when the 2020 Spring Festival was extended: Monday 2026-03-02 becomes a holiday
    assert add_workdays(D(2026, 2, 27), 1) == D(2026, 2, 28)
    assert add_workdays(D(2026, 2, 28), 1) == D(2026, 3, 2)
    calendar_day_set(
        actor=world.users.committee,
        day=D(2026, 3, 2),
        is_workday=False,
        holiday="春节（延长）",
        source="国办发明电〔2026〕1号",
    )
    assert add_workdays(D(2026, 2, 28), 1) == D(2026, 3, 3)
    event = AuditEvent.objects.latest("id")
    assert event.action == "update"
    assert event.changes["is_workday"] == [True, False]
    assert event.changes["holiday"] == ["", "春节（延长）"]


def test_a_day_off_a_weekday_needs_a_name(world):
    with pytest.raises(ValidationError) as exc:
        calendar_day_set(actor=world.users.committee, day=D(2026, 3, 4), is_workday=False)
    assert "holiday" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        calendar_day_set(
            actor=world.users.committee, day=D(2030, 3, 4), is_workday=False, holiday="x"
        )
    assert "date" in exc.value.message_dict
