"""`guanqing tick`: reminders to the member when a duty is due soon, to the unit's administrators
when it is overdue, written once however often it runs; notifications read only by their owner."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from guanqing.conftest import api_as
from guanqing.core.models import Notification
from guanqing.testing import factories as f

D = datetime.date
START = D(2024, 1, 1)


def tick(day: datetime.date) -> str:
    out = StringIO()
    call_command("tick", today=day.isoformat(), stdout=out)
    return out.getvalue()


def notes(user) -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(recipient=user).values_list("kind", "dedupe_key"),
        key=lambda n: n[1],
    )


@pytest.fixture
def duties(world):
    """张三 holds a pairing with no visits; 李四 (other unit) holds one; each unit has an admin."""
    world.pairing = f.PairingFactory(
        household=world.household, unit=world.unit, member=world.member, started_on=START
    )
    world.other_pairing = f.PairingFactory(
        household=world.other_household,
        unit=world.other_unit,
        member=world.other_member,
        started_on=START,
    )
    world.other_admin = f.UserFactory(
        username="other_unit_admin", role="unit_admin", unit=world.other_unit
    )
    world.other_member_user = f.UserFactory(
        username="other_member", role="member", member=world.other_member, unit=world.other_unit
    )
    return world


def test_tick_reminds_the_member_of_a_duty_due_soon(duties):
    tick(D(2025, 3, 20))
    assert notes(duties.users.member) == [
        ("due_soon", f"compliance:{duties.pairing.pk}:2025Q1:due_soon")
    ]
    text = Notification.objects.get(recipient=duties.users.member).text
    assert "2025 年第 1 季度" in text and "2025-03-31" in text  # named as on the pages


def test_tick_tells_the_unit_admins_of_an_overdue_duty_and_nobody_else(duties):
    tick(D(2025, 3, 20))
    p = duties.pairing.pk
    assert notes(duties.users.unit_admin) == [
        ("overdue", f"compliance:{p}:2024Q4:overdue"),
        ("overdue", f"compliance:{p}:2025-new_year:overdue"),
    ]
    other = duties.other_pairing.pk
    assert ("overdue", f"compliance:{other}:2024Q4:overdue") in notes(duties.other_admin)
    assert not any(
        key.startswith(f"compliance:{other}:") for _, key in notes(duties.users.unit_admin)
    )
    assert notes(duties.users.committee) == []


def test_tick_run_twice_writes_nothing_twice(duties):
    first = tick(D(2025, 3, 20))
    count = Notification.objects.count()
    assert count == 6  # 2 members due soon, 2 overdue duties for each of 2 unit admins
    assert "6" in first
    second = tick(D(2025, 3, 20))
    assert Notification.objects.count() == count
    assert " 0 " in second
    tick(D(2025, 3, 21))  # the same duties, one day on: still nothing new
    assert Notification.objects.count() == count


def test_tick_writes_again_when_a_duty_turns_overdue(duties):
    tick(D(2025, 3, 20))
    tick(D(2025, 4, 1))
    p = duties.pairing.pk
    assert ("overdue", f"compliance:{p}:2025Q1:overdue") in notes(duties.users.unit_admin)


def test_a_done_duty_is_not_reminded(duties):
    f.VisitFactory(pairing=duties.pairing, date=D(2025, 3, 1), talk=True)
    tick(D(2025, 3, 20))
    assert notes(duties.users.member) == []


def test_a_whole_unit_pairing_due_soon_reminds_the_unit_admins(world):
    p = f.PairingFactory(household=world.household, unit=world.unit, member=None, started_on=START)
    f.VisitFactory(pairing=p, date=D(2024, 12, 1), talk=True)
    f.VisitFactory(pairing=p, date=D(2025, 1, 2), talk=False, festival=True)
    tick(D(2025, 3, 20))
    assert notes(world.users.unit_admin) == [("due_soon", f"compliance:{p.pk}:2025Q1:due_soon")]


def test_tick_speaks_the_language_of_the_process(duties):
    assert "新提醒 6 条" in tick(D(2025, 3, 20))
    with translation.override("en"):
        assert "0 new reminder(s)" in tick(D(2025, 3, 20))


def test_tick_refuses_a_malformed_date(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("tick", today="20-03-2025", stdout=StringIO())


# --- the notifications API -----------------------------------------------------------------------


def test_notifications_lists_only_my_own_newest_first(duties):
    tick(D(2025, 3, 20))
    response = api_as(duties.users.unit_admin).get("/api/v1/notifications/")
    assert response.status_code == 200
    body = response.json()
    mine = Notification.objects.filter(recipient=duties.users.unit_admin)
    assert body["count"] == mine.count() == 2
    ids = [row["id"] for row in body["results"]]
    assert ids == list(mine.order_by("-created_at", "-id").values_list("pk", flat=True))
    assert all(row["is_read"] is False for row in body["results"])


def test_marking_a_notification_read(duties):
    tick(D(2025, 3, 20))
    note = Notification.objects.get(recipient=duties.users.member)
    client = api_as(duties.users.member)
    response = client.post(f"/api/v1/notifications/{note.pk}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    note.refresh_from_db()
    first_read = note.read_at
    assert first_read is not None
    client.post(f"/api/v1/notifications/{note.pk}/read/")
    note.refresh_from_db()
    assert note.read_at == first_read
    assert client.get("/api/v1/notifications/?unread=1").json()["count"] == 0


def test_another_users_notification_is_404(duties):
    tick(D(2025, 3, 20))
    theirs = Notification.objects.filter(recipient=duties.other_admin).first()
    client = api_as(duties.users.unit_admin)
    assert client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_notifications_need_a_signed_in_user(api, db):
    assert api.get("/api/v1/notifications/").status_code in (401, 403)
