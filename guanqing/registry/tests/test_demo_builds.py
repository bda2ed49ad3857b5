"""The demo built afresh in each test: `guanqing demo` at scale 0.02 (the accounts it makes and
prints, the daily jobs it runs, the language it speaks, reusing the data, refusing bad options and
a database holding other data), more communities at a larger scale, what every account needs
whatever the date (at the smallest scale too), and the documented accounts. The shared demos are checked in test_demo.py (scale
0.05) and test_demo_full.py (scale 1)."""

from __future__ import annotations

import re
import socket
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone, translation

from guanqing.accounts.models import User
from guanqing.community.choices import RegistrationStatus, SignupStatus
from guanqing.community.models import ActivitySignup, Rating, Registration
from guanqing.conftest import clock_from
from guanqing.core import daily
from guanqing.core.demo import (
    DEMO_PASSWORD,
    DemoContext,
    DemoDatabaseNotEmpty,
    demo_loaded,
    load_demo,
)
from guanqing.core.management.commands.serve import check_port_free
from guanqing.core.models import AuditEvent, Notification
from guanqing.core.roles import Role
from guanqing.pairing.compliance import member_todo
from guanqing.registry.demo.generate import DEMO_ACCOUNTS, _Builder
from guanqing.registry.models import Division, Household, Member, Unit
from guanqing.testing.factories import UnitFactory
from guanqing.wishes.choices import ClaimStatus, WishStatus
from guanqing.wishes.models import Wish, WishClaim
from guanqing.wishes.selectors import wish_settings

# The demo is built around today: its figures are checked on one fixed day, and what every
# account needs on many (`test_demo_leaves_every_account_its_work_whatever_the_date`).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]
ROOT = Path(__file__).resolve().parents[3]


def assert_demo_accounts_have_their_roles_scopes_and_the_documented_password():
    users = {u.username: u for u in User.objects.all()}
    listed = {a.username for a in DEMO_ACCOUNTS}
    assert listed <= set(users)
    # The others are the communities' workers, the windows' clerks and the administrators of the
    # other windows' units (who work their 差评) the later builders need; none signs in: every
    # account that does is listed (and printed, and in the README).
    others = [user for name, user in users.items() if name not in listed]
    assert others and {user.role for user in others} <= {
        Role.COMMUNITY_WORKER,
        Role.WINDOW_CLERK,
        Role.UNIT_ADMIN,
    }
    assert not [u.username for u in others if u.has_usable_password()]
    for account in DEMO_ACCOUNTS:
        user = users[account.username]
        assert user.role == account.role
        assert user.check_password(DEMO_PASSWORD)
        assert not user.is_superuser and not user.is_staff
        # the documented password meets the password rules (the history rule aside: choosing the
        # current password again is refused, as it should be)
        validate_password(
            DEMO_PASSWORD, type(user)(username=user.username, display_name=user.display_name)
        )
    assert users["unit_jiwei"].unit.short_name == "市纪委"
    assert users["unit_fagaiwei"].unit.short_name == "市发改委"
    assert users["unit_shiyaojian"].unit.short_name == "市食品药品监管局"
    assert users["member_demo"].member.unit.short_name == "市纪委"
    assert users["community_xujiacao"].community.name == "徐家漕社区"
    assert users["community_xujiacao2"].community.name == "徐家漕社区"
    assert users["clerk_wupeng"].member.name == "吴鹏"
    assert users["clerk_wupeng"].unit.short_name == "市食品药品监管局"
    revealers = {name for name, user in users.items() if user.can_reveal_sensitive}
    assert revealers == {"committee", "community_xujiacao"}

    worker = users["community_xujiacao"]
    seen = Household.objects.visible_to(worker)
    assert seen.filter(head_name="张国宝").exists()
    assert not seen.exclude(community=worker.community).exists()
    jiwei = users["unit_jiwei"]
    assert Member.objects.visible_to(jiwei).exists()
    assert not Member.objects.visible_to(jiwei).exclude(unit=jiwei.unit).exists()


def test_larger_scale_adds_communities():
    base_count = _Builder(DemoContext(scale=1, seed=1))
    with transaction.atomic():
        base_count.build_divisions()
        base = base_count.summary.communities
        transaction.set_rollback(True)
    bigger = _Builder(DemoContext(scale=3, seed=1))
    bigger.build_divisions()
    assert bigger.summary.communities >= 2.5 * base
    assert bigger.summary.villages == 91
    codes = Division.objects.values_list("code", flat=True)
    assert len(set(codes)) == len(codes)


def test_demo_command_prepares_the_demo_in_the_process_language_and_reuses_it():
    """One build (each costs seconds) for what `guanqing demo` prepares and prints."""
    out = StringIO()
    with translation.override("en"):
        call_command("demo", "--no-serve", "--scale", "0.02", stdout=out)
    text = out.getvalue()
    # it speaks the language of the process…
    for line in ("Loading the demo data", "Registry: divisions", "Password of every demo account"):
        assert line in text
    heading = text.splitlines()[text.splitlines().index("") + 1]
    assert heading.split() == ["Account", "Role", "Scope"]
    assert "密码" not in text and "用时" not in text
    # …and prints every account with the password
    for account in DEMO_ACCOUNTS:
        assert account.username in text
    assert DEMO_PASSWORD in text
    assert demo_loaded()
    assert_demo_accounts_have_their_roles_scopes_and_the_documented_password()
    # the audit event is stored in the site language, whatever the process speaks
    event = AuditEvent.objects.get(actor_username="demo", action="import")
    assert event.object_repr == "演示数据"
    assert event.message.startswith("演示数据（规模 0.02）：") and "名党员" in event.message
    # the daily jobs have run: the member and a unit administrator find work in the bell
    for job in daily.jobs():
        assert job.name in text
    for username in ("member_demo", "unit_jiwei"):
        user = User.objects.get(username=username)
        assert Notification.objects.visible_to(user).exists(), username

    # run again (in Chinese by default, LANGUAGE_CODE): the data is reused, not built again
    households = Household.objects.count()
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert "演示数据已存在" in out.getvalue()
    assert "所有演示账号的密码" in out.getvalue() and "Password" not in out.getvalue()
    assert Household.objects.count() == households
    assert User.objects.filter(username="committee").count() == 1


@pytest.mark.parametrize(
    ("option", "value"), [("--port", "0"), ("--port", "70000"), ("--scale", "0")]
)
def test_demo_command_refuses_a_bad_option_naming_it(option, value):
    with pytest.raises(CommandError, match=option):
        call_command("demo", "--no-serve", option, value)
    assert not demo_loaded()


def test_serving_refuses_a_port_in_use_with_a_clear_message():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with pytest.raises(CommandError, match=f"端口 {port}"):
            check_port_free("127.0.0.1", port)


def test_demo_refuses_a_database_that_holds_other_data():
    UnitFactory(name="宁波市某局", short_name="某局")
    with pytest.raises(DemoDatabaseNotEmpty):
        load_demo(scale=0.02)
    with pytest.raises(CommandError, match="空数据库"):
        call_command("demo", "--no-serve", stdout=StringIO())
    assert Unit.objects.count() == 1
    assert not Member.objects.exists() and not User.objects.exists()


def _account_table(path: Path, heading: str) -> dict[str, str]:
    """{username: role column} of the account table under `heading` in a Markdown file."""
    text = path.read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    rows = {}
    for line in section.splitlines()[1:]:
        if line.startswith("#"):
            break
        match = re.match(r"\|\s*`([^`]+)`\s*\|([^|]*)\|", line)
        if match:
            rows[match[1]] = match[2]
    return rows


@pytest.mark.parametrize(
    ("document", "heading"), [("README.md", "### 演示账号"), ("docs/demo.md", "## Accounts")]
)
def test_documented_demo_accounts_are_the_demos_accounts(document, heading):
    rows = _account_table(ROOT / document, heading)
    assert list(rows) == [a.username for a in DEMO_ACCOUNTS]
    for account in DEMO_ACCOUNTS:
        assert str(account.role) in rows[account.username], account.username


# Days a new user may meet the demo on: the first half hour of a year and of a half-year (the UTC
# date is still the day before), 春节, the last evening of a quarter, 国庆 week, and 1 December
# (when member_demo once lived elsewhere with nothing ahead, and every bell was empty). Built at
# scale 0.02, where 徐家漕社区 held no member but member_demo until the registry's demo settled
# neighbours there (XUJIACAO_NEIGHBOURS): its workers then had no registration to decide.
DEMO_DAYS = [
    "2026-01-01T00:30",
    "2026-02-17",
    "2026-03-31T23:30",
    "2026-07-01T00:30",
    "2026-10-05",
    "2026-12-01",
]


@pytest.mark.parametrize("moment", DEMO_DAYS)
def test_demo_leaves_every_account_its_work_whatever_the_date(moment):
    with time_machine.travel(clock_from(moment), tick=True):
        load_demo(scale=0.02)
        today = timezone.localdate()
        users = {u.username: u for u in User.objects.all()}
        member, jiwei = users["member_demo"], users["unit_jiwei"]
        worker, colleague = users["community_xujiacao"], users["community_xujiacao2"]

        # member_demo serves its community in both half-years, was rated for the last one and is
        # signed up to an activity ahead
        registrations = Registration.objects.visible_to(member)
        assert [r.status for r in registrations] == [RegistrationStatus.CONFIRMED] * 2
        assert {r.community.name for r in registrations} == {"徐家漕社区"}
        assert Rating.objects.visible_to(member).exists()
        ahead = ActivitySignup.objects.visible_to(member).filter(
            activity__starts_at__gt=timezone.now(), status=SignupStatus.SIGNED_UP
        )
        assert ahead.exists()
        # …holds a claim with room for another, and has a visit to make
        claims = WishClaim.objects.visible_to(member).filter(status=ClaimStatus.ACTIVE)
        assert 0 < claims.count() < wish_settings().max_unfulfilled_claims
        assert member_todo(member.member, today)

        # the daily job has run: the member and the unit's administrator find it in the bell,
        # and running it again tonight writes nothing new
        assert Notification.objects.visible_to(member).unread().exists()
        assert Notification.objects.visible_to(jiwei).filter(kind="overdue").exists()
        notifications = Notification.objects.count()
        daily.run_all(today)
        assert Notification.objects.count() == notifications

        # 徐家漕's two workers: registrations and each other's wishes to approve, a fulfilled wish
        # to confirm
        pending = Registration.objects.visible_to(worker).filter(status=RegistrationStatus.PENDING)
        assert pending.exists()
        wishes = Wish.objects.visible_to(worker)
        assert wishes.filter(status=WishStatus.PENDING, posted_by=colleague).count() >= 3
        assert wishes.filter(status=WishStatus.PENDING, posted_by=worker).exists()
        assert wishes.filter(status=WishStatus.FULFILLED).exists()
        assert colleague.check_password(DEMO_PASSWORD)
