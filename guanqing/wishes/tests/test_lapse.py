"""Claims that are not fulfilled in time lapse (the daily job, `guanqing tick`): the wish goes back
to the wall, or expires after its deadline; the member and the community's workers are told,
once, however often the job runs."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from guanqing.conftest import PINNED_TODAY
from guanqing.core import daily
from guanqing.core.models import AuditEvent, Notification
from guanqing.wishes.models import Wish, WishClaim, WishEvent
from guanqing.wishes.services import claims_lapse
from guanqing.wishes.tests.factories import make_wish

# Pinned: a date read at import goes stale when the run crosses midnight in Asia/Shanghai.
TODAY = PINNED_TODAY.date()


@pytest.fixture(autouse=True)
def _on_the_pinned_day(pinned_today):
    """Every test of this module runs on TODAY."""


DAY = datetime.timedelta(days=1)


def _tick(day: datetime.date) -> str:
    out = StringIO()
    call_command("tick", today=day.isoformat(), stdout=out)
    return out.getvalue()


@pytest.fixture
def overdue(ww):
    """张三's claim on a full wish ran out yesterday; the wish's deadline is still ahead."""
    ww.wish = make_wish(ww, "full", claimants=[ww.member], deadline=TODAY + 20 * DAY)
    WishClaim.objects.filter(wish=ww.wish).update(due_on=TODAY - DAY)
    return ww


def _notes(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", "dedupe_key"))


def test_a_lapsed_claim_puts_the_wish_back_on_the_wall(overdue):
    result = claims_lapse(TODAY)
    assert (result.lapsed, result.expired) == (1, 0)
    wish = Wish.objects.get(pk=overdue.wish.pk)
    assert (wish.status, wish.claimed_count) == ("published", 0)
    claim = WishClaim.objects.get(wish=wish)
    assert claim.status == "lapsed" and claim.ended_at is not None
    event = WishEvent.objects.filter(wish=wish).last()
    assert (event.kind, event.from_status, event.to_status) == ("lapsed", "full", "published")
    assert event.actor is None and event.actor_name == "系统（每日任务）"
    assert AuditEvent.objects.filter(
        root_type="wishes.wish", root_id=str(wish.pk), actor_username="系统（每日任务）"
    ).exists()


def test_the_member_and_the_communitys_workers_are_told_once(overdue):
    claims_lapse(TODAY)
    claims_lapse(TODAY)
    _tick(TODAY)
    key = f"wish:claim:{WishClaim.objects.get(wish=overdue.wish).pk}:lapsed"
    for user in (overdue.users.member, overdue.users.community_worker, overdue.users.worker2):
        assert _notes(user) == [("wish_lapsed", key)], user
    for user in (overdue.users.other_worker, overdue.users.colleague, overdue.users.committee):
        assert _notes(user) == []
    text = Notification.objects.get(recipient=overdue.users.member).text
    assert "张三" in text and "回到心愿墙" in text
    assert WishEvent.objects.filter(wish=overdue.wish, kind="lapsed").count() == 1


def test_a_claim_due_today_does_not_lapse_yet(ww):
    wish = make_wish(ww, "full", claimants=[ww.member])
    WishClaim.objects.filter(wish=wish).update(due_on=TODAY)
    assert claims_lapse(TODAY).lapsed == 0
    assert claims_lapse(TODAY + DAY).lapsed == 1


def test_a_lapsed_claim_after_the_deadline_expires_the_wish(ww):
    wish = make_wish(ww, "full", claimants=[ww.member], deadline=TODAY - DAY)
    WishClaim.objects.filter(wish=wish).update(due_on=TODAY - DAY)
    claims_lapse(TODAY)
    wish.refresh_from_db()
    assert (wish.status, wish.claimed_count) == ("expired", 0)
    text = Notification.objects.get(recipient=ww.users.member).text
    assert "已过期" in text


def test_only_the_lapsed_claimant_of_a_shared_wish_loses_its_place(ww):
    wish = make_wish(ww, "full", capacity=2, claimants=[ww.member, ww.colleague])
    WishClaim.objects.filter(wish=wish, member=ww.member).update(due_on=TODAY - DAY)
    claims_lapse(TODAY)
    wish.refresh_from_db()
    assert (wish.status, wish.claimed_count) == ("published", 1)
    statuses = dict(WishClaim.objects.filter(wish=wish).values_list("member_id", "status"))
    assert statuses == {ww.member.pk: "lapsed", ww.colleague.pk: "active"}
    assert _notes(ww.users.colleague) == []


def test_open_wishes_past_their_deadline_expire_and_the_workers_are_told(ww):
    stale = make_wish(ww, "published", deadline=TODAY - DAY)
    pending = make_wish(ww, "pending", deadline=TODAY - DAY)
    fresh = make_wish(ww, "published", deadline=TODAY)
    done = make_wish(ww, "fulfilled", claimants=[ww.member], deadline=TODAY - DAY)
    assert claims_lapse(TODAY).expired == 2
    assert claims_lapse(TODAY).expired == 0
    statuses = dict(Wish.objects.values_list("pk", "status"))
    assert statuses[stale.pk] == statuses[pending.pk] == "expired"
    assert (statuses[fresh.pk], statuses[done.pk]) == ("published", "fulfilled")
    keys = {key for _, key in _notes(ww.users.community_worker)}
    assert keys == {f"wish:{stale.pk}:expired", f"wish:{pending.pk}:expired"}


def test_tick_runs_every_registered_job_and_prints_a_line_for_each(overdue):
    names = [job.name for job in daily.jobs()]
    assert "pairing.compliance_remind" in names and "wishes.claims_lapse" in names
    first = _tick(TODAY)
    lines = first.strip().splitlines()
    assert len(lines) == len(names)
    assert any("wishes.claims_lapse" in line and "认领逾期失效 1 条" in line for line in lines)
    second = _tick(TODAY)
    assert "认领逾期失效 0 条，心愿过期 0 个" in second


def test_a_run_for_a_later_day_tells_of_the_expiry_not_of_a_return_to_the_wall(ww):
    # `guanqing tick --today` after the wish's deadline (a missed day caught up): the claim ran
    # out on the deadline, the wish expires in the same run and the notification says so
    wish = make_wish(ww, "full", claimants=[ww.member], deadline=TODAY + 20 * DAY)
    WishClaim.objects.filter(wish=wish).update(due_on=TODAY + 20 * DAY)
    result = claims_lapse(TODAY + 30 * DAY)
    assert (result.lapsed, result.expired) == (1, 1)
    assert Wish.objects.get(pk=wish.pk).status == "expired"
    text = Notification.objects.get(kind="wish_lapsed", recipient=ww.users.member).text
    assert "已过期" in text and "回到心愿墙" not in text
