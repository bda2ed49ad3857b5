"""The notifications pages: the bell's unread count, the list (own only, unread first), opening one,
marking one or all read, and links that lead off the site never followed."""

from __future__ import annotations

import datetime
import zoneinfo

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from factory.django import DjangoModelFactory

from guanqing.conftest import client_for
from guanqing.core.models import Notification
from guanqing.core.notifications.views import local_link
from guanqing.testing import factories as f

URL = "/notifications/"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    kind = "due_soon"
    text = factory.Sequence(lambda n: f"提醒 {n}")
    link = factory.Sequence(lambda n: f"/pairing/{n}/")
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")


def at(recipient, when: datetime.datetime, **kwargs) -> Notification:
    """A notification created at `when` (created_at is set on insert: move it afterwards)."""
    note = NotificationFactory(recipient=recipient, **kwargs)
    Notification.objects.filter(pk=note.pk).update(created_at=when)
    note.refresh_from_db()
    return note


def ids_on_page(response) -> list[int]:
    return [n.pk for n in response.context["notifications"]]


@pytest.fixture
def me(world):
    return world.users.member


# --- the bell ----------------------------------------------------------------------------------


def test_bell_shows_the_unread_count_with_an_accessible_label(me):
    NotificationFactory.create_batch(3, recipient=me)
    NotificationFactory(recipient=me, read_at=timezone.now())
    NotificationFactory(recipient=f.UserFactory(username="someone_else"))
    html = client_for(me).get("/").content.decode()
    assert 'aria-label="通知（3 条未读）"' in html
    assert 'class="bell__count" aria-hidden="true">3</span>' in html


def test_bell_shows_no_count_when_everything_is_read(me):
    NotificationFactory(recipient=me, read_at=timezone.now())
    html = client_for(me).get("/").content.decode()
    assert 'id="notification-bell"' in html
    assert "bell__count" not in html
    assert "条未读" not in html


def test_bell_is_on_every_page_for_every_role(world):
    for user in vars(world.users).values():
        NotificationFactory(recipient=user)
        html = client_for(user).get(URL).content.decode()
        assert 'aria-label="通知（1 条未读）"' in html, user.role


# --- the list ------------------------------------------------------------------------------------


def test_list_shows_unread_first_then_newest(me):
    base = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=SHANGHAI)
    old_unread = at(me, base)
    new_read = at(me, base + datetime.timedelta(days=3), read_at=timezone.now())
    new_unread = at(me, base + datetime.timedelta(days=2))
    old_read = at(me, base - datetime.timedelta(days=1), read_at=timezone.now())
    response = client_for(me).get(URL)
    assert response.status_code == 200
    assert ids_on_page(response) == [new_unread.pk, old_unread.pk, new_read.pk, old_read.pk]


def test_list_shows_only_my_own(world, me):
    mine = NotificationFactory(recipient=me, text="给我的提醒")
    NotificationFactory(recipient=world.users.unit_admin, text="给管理员的提醒")
    response = client_for(me).get(URL)
    assert ids_on_page(response) == [mine.pk]
    assert "给管理员的提醒" not in response.content.decode()


def test_list_shows_the_time_in_beijing(me):
    # 01:00 UTC is 09:00 in Beijing
    at(me, datetime.datetime(2026, 11, 27, 1, 0, tzinfo=datetime.UTC))
    assert "2026-11-27 09:00" in client_for(me).get(URL).content.decode()


def test_list_is_paginated_by_fifty(me):
    for _ in range(55):
        NotificationFactory(recipient=me)
    client = client_for(me)
    assert len(ids_on_page(client.get(URL))) == 50
    assert len(ids_on_page(client.get(URL, {"page": 2}))) == 5


def test_list_queries_do_not_grow_with_the_number_of_notifications(me):
    def queries() -> int:
        client = client_for(me)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    NotificationFactory.create_batch(5, recipient=me)
    few = queries()
    NotificationFactory.create_batch(20, recipient=me)
    assert queries() == few


def test_htmx_page_request_answers_only_the_results(me):
    NotificationFactory(recipient=me, text="只看结果")
    response = client_for(me).get(URL, headers={"HX-Request": "true", "HX-Target": "results"})
    html = response.content.decode()
    assert "只看结果" in html
    assert "<html" not in html


# --- links ---------------------------------------------------------------------------------------


def test_open_marks_read_and_goes_to_the_local_link(me):
    note = NotificationFactory(recipient=me, link="/pairing/7/")
    response = client_for(me).post(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/pairing/7/"
    note.refresh_from_db()
    assert note.read_at is not None


@pytest.mark.parametrize(
    "link",
    ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/\\evil.example", ""],
)
def test_a_link_off_the_site_is_not_rendered_nor_followed(me, link):
    note = NotificationFactory(recipient=me, link=link, text="外部链接的提醒")
    client = client_for(me)
    html = client.get(URL).content.decode()
    assert "外部链接的提醒" in html
    assert f"/notifications/{note.pk}/open/" not in html
    if link:
        assert link not in html
    response = client.post(f"/notifications/{note.pk}/open/")
    assert response["Location"] == URL
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_local_link_is_rendered_as_view(me):
    note = NotificationFactory(recipient=me, link="/pairing/3/")
    html = client_for(me).get(URL).content.decode()
    assert f'action="/notifications/{note.pk}/open/"' in html
    assert "查看" in html


def test_local_link_accepts_site_paths_only():
    assert local_link("/pairing/12/") == "/pairing/12/"
    assert local_link(" /pairing/12/?year=2026 ") == "/pairing/12/?year=2026"
    for bad in ("http://x/", "//x/", "/\\x", "x/", "", "javascript:alert(1)"):
        assert local_link(bad) == ""


def test_open_needs_post(me):
    note = NotificationFactory(recipient=me)
    assert client_for(me).get(f"/notifications/{note.pk}/open/").status_code == 405
    note.refresh_from_db()
    assert note.read_at is None


# --- marking read --------------------------------------------------------------------------------


def test_mark_read_by_htmx_answers_the_row_and_the_bell(me):
    note = NotificationFactory(recipient=me)
    NotificationFactory(recipient=me)
    response = client_for(me).post(
        f"/notifications/{note.pk}/read/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="notification-{note.pk}"' in html
    assert "notice--unread" not in html
    assert 'hx-swap-oob="true"' in html and "通知（1 条未读）" in html
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_read_without_htmx_returns_to_the_list(me):
    note = NotificationFactory(recipient=me)
    response = client_for(me).post(f"/notifications/{note.pk}/read/")
    assert response.status_code == 302 and response["Location"] == URL
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_read_again_keeps_the_first_time(me):
    first = timezone.now() - datetime.timedelta(days=2)
    note = NotificationFactory(recipient=me, read_at=first)
    client_for(me).post(f"/notifications/{note.pk}/read/")
    note.refresh_from_db()
    assert note.read_at == first


def test_mark_all_read_marks_only_mine(world, me):
    mine = NotificationFactory.create_batch(3, recipient=me)
    theirs = NotificationFactory(recipient=world.users.unit_admin)
    response = client_for(me).post("/notifications/read-all/", follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert "已将 3 条通知标为已读" in response.content.decode()
    assert all(n.read_at for n in Notification.objects.filter(pk__in=[n.pk for n in mine]))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "bell__count" not in response.content.decode()


def test_mark_all_read_button_only_when_something_is_unread(me):
    NotificationFactory(recipient=me, read_at=timezone.now())
    assert "全部标为已读" not in client_for(me).get(URL).content.decode()
    NotificationFactory(recipient=me)
    assert "全部标为已读" in client_for(me).get(URL).content.decode()


# --- scope ---------------------------------------------------------------------------------------


def test_another_users_notification_answers_404_like_a_missing_one(world, me):
    theirs = NotificationFactory(recipient=world.users.unit_admin)
    client = client_for(me)
    for action in ("open", "read"):
        outside = client.post(f"/notifications/{theirs.pk}/{action}/")
        missing = client.post(f"/notifications/999999/{action}/")
        assert outside.status_code == missing.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_anonymous_visitors_cannot_mark_anything_read(client, me):
    note = NotificationFactory(recipient=me)
    client.post(f"/notifications/{note.pk}/read/")
    client.post("/notifications/read-all/")
    note.refresh_from_db()
    assert note.read_at is None


# --- reminders point at the pairing page ---------------------------------------------------------


def test_reminders_link_to_the_pairing_page(world):
    from guanqing.pairing import compliance

    pairing = f.PairingFactory(
        household=world.household,
        unit=world.unit,
        member=world.member,
        started_on=datetime.date(2024, 1, 1),
    )
    reminders = compliance._reminders(datetime.date(2025, 3, 20))
    assert reminders
    assert {r.link for r in reminders} == {f"/pairing/{pairing.pk}/"}
