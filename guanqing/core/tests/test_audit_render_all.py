"""Every kind of change every service writes reads on the audit page, in its Excel export and on
the household timeline: no stored change can make them fail, and every key has a label."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from guanqing.accounts import services as accounts
from guanqing.community import services as community
from guanqing.community.tests.factories import ActivityFactory, current_term
from guanqing.conftest import client_for
from guanqing.core.audit.labels import change_rows, field_label, value_label
from guanqing.core.calendar import services as calendar_services
from guanqing.core.models import AuditEvent
from guanqing.pairing import services as pairing
from guanqing.pairing.tests import PNG, pair_world
from guanqing.registry import services as registry
from guanqing.testing.idnumbers import make_id_number
from guanqing.wishes import services as wishes
from guanqing.wishes.tests.factories import wish_world

DAY = datetime.timedelta(days=1)
# A key shown as itself: a change the label table does not know.
RAW_KEY = re.compile(r"^[a-z_][a-z0-9_.\[\]]*$")


def _photo(name="家访.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _registry(w):
    u = w.users
    division = registry.division_create(
        actor=u.committee, code="330203001003", name="新建社区", kind="community", parent=w.street
    )
    registry.division_abolish(
        actor=u.committee, division=division, on=w.today, successor=w.community, note="合并"
    )
    unit = registry.unit_create(actor=u.committee, name="市审计局", short_name="审计局")
    registry.unit_update(actor=u.committee, unit=unit, address="解放南路 1 号", is_active=False)
    org = registry.party_org_create(
        actor=u.committee, name="市纪委第二支部", kind="branch", unit=w.unit
    )
    registry.party_org_update(actor=u.committee, org=org, name="市纪委第三支部")
    member = registry.member_create(
        actor=u.committee,
        id_number=make_id_number("330203", datetime.date(1980, 5, 4), 11),
        name="赵六",
        unit=w.unit,
        branch=w.org,
        joined_party=datetime.date(2005, 7, 1),
    )
    registry.member_update(actor=u.committee, member=member, mobile="13812345678")
    household = registry.household_create(
        actor=u.community_worker,
        id_number=make_id_number("330203", datetime.date(1950, 3, 8), 21),
        head_name="钱大伯",
        address="徐家漕 3 幢",
        category="minimum_living",
        people=[{"name": "钱小妹", "relation": "child", "gender": "female"}],
    )
    registry.household_update(
        actor=u.community_worker, household=household, situation="独居\n行动不便", needs="助餐"
    )
    person = registry.person_add(
        actor=u.community_worker, household=w.household, name="张小妹", relation="child"
    )
    registry.person_update(actor=u.community_worker, person=person, occupation="学生")
    registry.person_remove(actor=u.community_worker, person=person, reason="迁出")
    accounts.user_grant_reveal(actor=u.security_admin, user=u.committee, allowed=True)
    u.committee.refresh_from_db()
    registry.id_number_reveal(actor=u.committee, obj=w.household)


def _accounts(w):
    u = w.users
    user = accounts.user_create(
        actor=u.system_admin,
        username="clerk2",
        password="Passw0rd-demo-2",
        role="window_clerk",
        display_name="窗口二",
    )
    accounts.user_update(actor=u.system_admin, user=user, display_name="窗口 2", is_active=False)
    accounts.user_set_password(actor=u.system_admin, user=user, password="Passw0rd-demo-3")
    accounts.token_issue(actor=u.committee)
    accounts.policy_update(actor=u.security_admin, failure_limit=3, idle_minutes=30)
    accounts.separated_admin_create(
        username="sysadmin2", password="Passw0rd-demo-4", role="system_admin"
    )
    client = client_for(u.member)
    client.post(reverse("accounts:logout"))
    anonymous = client_for(u.member)
    anonymous.logout()
    anonymous.post(reverse("accounts:login"), {"username": "committee", "password": "wrong-one"})
    accounts.user_unlock(actor=u.security_admin, username="committee")


def _pairing(w):
    u = w.users
    pairing.visit_record(
        actor=u.member,
        pairing=w.pairing,
        date=w.today - 5 * DAY,
        kinds=["talk", "help"],
        participants=[w.member],
        notes="谈心\n送米",
        cash_amount="200",
        in_kind_items="大米",
        in_kind_value="50",
        profile_updates={"needs": "助浴"},
        photos=[_photo()],
    )
    pairing.pairing_handover(
        actor=u.unit_admin, pairing=w.pairing, successor=w.colleague, effective_date=w.today
    )
    pairing.pairing_end(
        actor=u.committee, pairing=w.unit_pairing, ended_on=w.today, reason="moved", note="搬离"
    )
    created = pairing.pairing_create(
        actor=u.committee, household=w.other_household, unit=w.unit, started_on=w.today
    )
    assert created.pk
    pairing.partnership_end(actor=u.committee, partnership=w.partnership, ended_on=w.today)
    project = pairing.project_create(
        actor=u.unit_admin,
        partnership=w.partnership,
        kind="medical",
        title="义诊",
        status="underway",
    )
    pairing.project_update(actor=u.unit_admin, project=project, note="每月一次")
    pairing.compliance_settings_update(actor=u.committee, grace_days=10)


def _wishes(w):
    u = w.users
    wish = wishes.wish_post(
        actor=u.community_worker,
        community=w.community,
        household=w.household,
        title="一台助听器",
        category="goods",
        deadline=w.today + 30 * DAY,
        estimated_cost="800",
        description="耳背多年\n想听清孙子说话",
    )
    wishes.wish_approve(actor=u.worker2, wish=wish, note="属实")
    wishes.wish_claim(actor=u.member, wish=wish)
    wishes.wish_fulfil(
        actor=u.member, wish=wish, note="买好送到", money_spent="760", photos=[_photo("助听器.png")]
    )
    code = wishes.wish_confirmation_code(actor=u.community_worker, wish=wish)
    wishes.wish_confirm_by_token(token=code)
    other = wishes.wish_post(
        actor=u.community_worker,
        community=w.community,
        title="春联",
        category="goods",
        deadline=w.today + 10 * DAY,
    )
    wishes.wish_approve(actor=u.worker2, wish=other)
    claim = wishes.wish_claim(actor=u.colleague, wish=other)
    wishes.claim_withdraw(actor=u.colleague, claim=claim, reason="出差")
    wishes.wish_cancel(actor=u.community_worker, wish=other, reason="已由亲属解决")
    third = wishes.wish_post(
        actor=u.community_worker,
        community=w.community,
        title="轮椅",
        category="goods",
        deadline=w.today + 10 * DAY,
    )
    wishes.wish_reject(actor=u.worker2, wish=third, reason="重复")
    wishes.wish_settings_update(actor=u.committee, claim_period_days=20)
    wishes.claims_lapse(w.today)


def _community(w):
    u = w.users
    registration = community.registration_submit(actor=u.member, role="warmth", note="周末有空")
    community.registration_reject(
        actor=u.community_worker, registration=registration, reason="重填"
    )
    registration = community.registration_submit(actor=u.member, role="warmth")
    community.registration_confirm(actor=u.community_worker, registration=registration)
    start = timezone.now() + 2 * DAY
    activity = community.activity_create(
        actor=u.community_worker,
        title="敬老院慰问",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="敬老院",
        places=5,
        description="带上\n水果",
    )
    community.activity_signup(actor=u.member, activity=activity)
    community.signup_cancel(actor=u.member, activity=activity)
    community.activity_cancel(actor=u.community_worker, activity=activity, reason="下雨")
    running = ActivityFactory(community=w.community, created_by=u.community_worker)
    community.activity_signup(actor=u.member, activity=running)
    code = community.activity_code(actor=u.community_worker, activity=running)["code"]
    community.attendance_check_in(actor=u.member, activity=running, code=code)
    community.attendance_check_out(actor=u.member, activity=running, code=code)
    community.activity_signup(actor=u.colleague, activity=running)
    community.hours_add(
        actor=u.community_worker, activity=running, member=w.colleague, hours="1", reason="忘记签到"
    )
    community.rating_set(
        actor=u.community_worker,
        member=w.member,
        term=current_term(),
        grade="excellent",
        comment="热心",
    )


def _calendar(w):
    u = w.users
    year = 2099
    calendar_services.calendar_year_publish(
        actor=u.committee,
        year=year,
        source="国办发明电〔2098〕1号",
        days=[calendar_services.DayEntry(datetime.date(year, 1, 1), False, "元旦")],
    )
    calendar_services.calendar_day_set(
        actor=u.committee,
        day=datetime.date(year, 1, 2),
        is_workday=False,
        holiday="元旦",
        source="补",
    )


@pytest.fixture
def everything(world):
    w = wish_world(pair_world(world))
    w.colleague.home_community = w.community
    w.colleague.save(update_fields=["home_community"])
    w.member.home_community = w.community
    w.member.save(update_fields=["home_community"])
    for step in (_registry, _accounts, _pairing, _wishes, _community, _calendar):
        step(w)
    return w


def test_every_change_every_service_writes_renders_with_labels(everything):
    w = everything
    events = list(AuditEvent.objects.all())
    kinds = {(e.object_type, e.action) for e in events}
    # a sample of what the services above wrote, so that a silent skip shows
    for expected in [
        ("pairing.visit", "create"),
        ("wishes.wishfulfilment", "create"),
        ("community.attendance", "create"),
        ("core.calendarday", "create"),
        ("accounts.user", "login_failed"),
        ("registry.person", "delete"),
    ]:
        assert expected in kinds, expected
    visit_event = next(e for e in events if e.object_type == "pairing.visit")
    assert visit_event.changes["photos"] == [None, ["家访.png"]]

    unlabelled = set()
    for event in events:
        for row in change_rows(event):
            if RAW_KEY.match(row["field"]):
                unlabelled.add((event.object_type, row["field"]))
    assert not unlabelled

    audit = client_for(w.users.audit_admin)
    for page in range(1, len(events) // 50 + 2):
        response = audit.get(reverse("audit:event_list"), {"page": page})
        assert response.status_code == 200
    assert (
        "家访.png"
        in audit.get(reverse("audit:event_list"), {"object_type": "pairing.visit"}).content.decode()
    )
    response = audit.get(reverse("audit:event_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row >= len(events) + 1

    for household in (w.household, w.other_household):
        for role in ("committee", "community_worker", "unit_admin", "member"):
            user = getattr(w.users, role)
            response = client_for(user).get(
                reverse("registry:household_detail", args=[household.pk])
            )
            assert response.status_code in (200, 404), (role, household)
    page = client_for(w.users.committee).get(
        reverse("registry:household_detail", args=[w.household.pk])
    )
    assert page.status_code == 200
    assert "家访.png" in page.content.decode()


@pytest.mark.parametrize(
    "object_type", ["pairing.visit", "wishes.wishfulfilment", "registry.household", "nonsense", ""]
)
@pytest.mark.parametrize(
    "name", ["photos", "participants", "pairing", "situation", "no_such_key", "", "id", "1"]
)
def test_any_key_of_any_object_type_has_a_label(object_type, name):
    for action in ("create", "update", "import", "export", ""):
        assert isinstance(field_label(object_type, name, action), str)


@pytest.mark.parametrize(
    "value", [None, True, 3, 2.5, "文字", ["a", None, 1], {"x": [1, 2]}, [["嵌", "套"]], []]
)
def test_any_stored_value_renders_as_text(value):
    label = value_label("photos", value)
    assert label is None or isinstance(label, str | int | float)


def test_changes_that_are_not_a_mapping_render_as_nothing():
    event = AuditEvent(object_type="pairing.visit", action="create", changes=["odd"])
    assert change_rows(event) == []
    event = AuditEvent(object_type="pairing.visit", action="create", changes={"photos": 2})
    assert change_rows(event)[0]["new"] == 2
