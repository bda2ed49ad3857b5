"""Pairing services: the relay keeps one continuous history, visits are refused with the field
named, profile updates reach the household timeline, photos are checked, every write is audited."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from guanqing.core.models import AuditEvent
from guanqing.core.services import OutOfScope, ScopeError
from guanqing.pairing import selectors, services
from guanqing.pairing.models import (
    ComplianceSettings,
    Pairing,
    PairingTerm,
    Partnership,
    Visit,
    VisitPhoto,
)
from guanqing.pairing.tests import JPEG, PNG, WEBP, pair_world
from guanqing.registry.models import Household
from guanqing.registry.selectors import household_timeline
from guanqing.testing import factories as f

DAY = datetime.timedelta(days=1)


@pytest.fixture
def paired(world):
    return pair_world(world)


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


def _terms(pairing):
    return list(PairingTerm.objects.filter(pairing=pairing).order_by("starts_on"))


def assert_continuous(pairing):
    """Terms never overlap, leave no gap, and exactly one is open while the pairing is active."""
    terms = _terms(pairing)
    assert terms[0].starts_on == pairing.started_on
    for previous, following in zip(terms, terms[1:], strict=False):
        assert previous.ends_on is not None
        assert following.starts_on == previous.ends_on + DAY
    open_terms = [t for t in terms if t.ends_on is None]
    pairing.refresh_from_db()
    if pairing.ended_on is None:
        assert len(open_terms) == 1 and open_terms[0] == terms[-1]
    else:
        assert open_terms == [] and terms[-1].ends_on == pairing.ended_on


def _visit(paired, actor, **overrides):
    data = {
        "pairing": paired.pairing,
        "date": paired.today - 5 * DAY,
        "kinds": ["talk"],
        "participants": [paired.member],
    }
    data.update(overrides)
    return services.visit_record(actor=actor, **data)


# ---------------------------------------------------------------------------------------------
# Creating pairings
# ---------------------------------------------------------------------------------------------


def test_committee_creates_a_pairing_with_its_first_term_on_the_household_timeline(paired):
    household = f.HouseholdFactory(community=paired.community)
    pairing = services.pairing_create(
        actor=paired.users.committee,
        household=household,
        unit=paired.unit,
        member=paired.colleague,
        started_on=paired.today,
    )
    (term,) = _terms(pairing)
    assert term.member == paired.colleague and term.starts_on == paired.today
    assert term.ends_on is None
    types = {e.object_type for e in household_timeline(household)}
    assert {"pairing.pairing", "pairing.pairingterm"} <= types


def test_a_whole_unit_pairing_has_a_term_without_member(paired):
    household = f.HouseholdFactory(community=paired.community)
    pairing = services.pairing_create(
        actor=paired.users.committee, household=household, unit=paired.unit, started_on=paired.today
    )
    assert _terms(pairing)[0].member is None


@pytest.mark.parametrize("role", ["unit_admin", "member", "community_worker"])
def test_only_the_committee_creates_pairings(paired, role):
    with pytest.raises(ScopeError):
        services.pairing_create(
            actor=getattr(paired.users, role),
            household=f.HouseholdFactory(community=paired.community),
            unit=paired.unit,
            started_on=paired.today,
        )


def test_pairing_member_must_belong_to_the_unit(paired):
    with pytest.raises(ValidationError) as excinfo:
        services.pairing_create(
            actor=paired.users.committee,
            household=f.HouseholdFactory(community=paired.community),
            unit=paired.unit,
            member=paired.other_member,
            started_on=paired.today,
        )
    assert set(_errors(excinfo)) == {"member"}


def test_a_unit_pairs_with_a_household_only_once_at_a_time(paired):
    with pytest.raises(ValidationError) as excinfo:
        services.pairing_create(
            actor=paired.users.committee,
            household=paired.household,
            unit=paired.unit,
            started_on=paired.today,
        )
    assert set(_errors(excinfo)) == {"household"}
    # another unit may pair with the same household: a household may have several pairings
    services.pairing_create(
        actor=paired.users.committee,
        household=paired.household,
        unit=paired.other_unit,
        started_on=paired.today,
    )
    assert Pairing.objects.filter(household=paired.household).count() == 2


def test_pairing_cannot_start_in_the_future(paired):
    with pytest.raises(ValidationError) as excinfo:
        services.pairing_create(
            actor=paired.users.committee,
            household=f.HouseholdFactory(community=paired.community),
            unit=paired.unit,
            started_on=paired.today + DAY,
        )
    assert set(_errors(excinfo)) == {"started_on"}


# ---------------------------------------------------------------------------------------------
# The relay
# ---------------------------------------------------------------------------------------------


def test_handover_closes_the_current_term_the_day_before_and_opens_the_successors(paired):
    effective = paired.today - 30 * DAY
    term = services.pairing_handover(
        actor=paired.users.unit_admin,
        pairing=paired.pairing,
        successor=paired.colleague,
        effective_date=effective,
        reason="调离",
    )
    first, second = _terms(paired.pairing)
    assert (first.member, first.ends_on) == (paired.member, effective - DAY)
    assert (second, second.member, second.starts_on, second.ends_on) == (
        term,
        paired.colleague,
        effective,
        None,
    )
    assert second.reason == "调离"
    assert_continuous(paired.pairing)


def test_several_handovers_keep_one_continuous_story(paired):
    third = f.MemberFactory(unit=paired.unit, name="赵六")
    services.pairing_handover(
        actor=paired.users.unit_admin,
        pairing=paired.pairing,
        successor=paired.colleague,
        effective_date=paired.today - 60 * DAY,
    )
    services.pairing_handover(
        actor=paired.users.committee,
        pairing=paired.pairing,
        successor=third,
        effective_date=paired.today - 20 * DAY,
    )
    services.pairing_handover(
        actor=paired.users.unit_admin,
        pairing=paired.pairing,
        successor=paired.member,
        effective_date=paired.today,
    )
    assert [t.member for t in _terms(paired.pairing)] == [
        paired.member,
        paired.colleague,
        third,
        paired.member,
    ]
    assert_continuous(paired.pairing)


def test_handover_cannot_take_effect_in_the_future(paired):
    with pytest.raises(ValidationError) as excinfo:
        services.pairing_handover(
            actor=paired.users.unit_admin,
            pairing=paired.pairing,
            successor=paired.colleague,
            effective_date=paired.today + DAY,
        )
    assert set(_errors(excinfo)) == {"effective_date"}
    assert len(_terms(paired.pairing)) == 1


def test_handover_cannot_overlap_the_current_term(paired):
    services.pairing_handover(
        actor=paired.users.unit_admin,
        pairing=paired.pairing,
        successor=paired.colleague,
        effective_date=paired.today - 10 * DAY,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.pairing_handover(
            actor=paired.users.unit_admin,
            pairing=paired.pairing,
            successor=paired.member,
            effective_date=paired.today - 11 * DAY,
        )
    assert set(_errors(excinfo)) == {"effective_date"}
    assert_continuous(paired.pairing)
    assert len(_terms(paired.pairing)) == 2


def test_handover_cannot_move_a_recorded_visit_to_the_successor(paired):
    # world.visit is dated start + 10 days, recorded by 张三
    with pytest.raises(ValidationError) as excinfo:
        services.pairing_handover(
            actor=paired.users.unit_admin,
            pairing=paired.pairing,
            successor=paired.colleague,
            effective_date=paired.visit.date,
        )
    assert "effective_date" in _errors(excinfo)
    assert str(paired.visit.date) in _errors(excinfo)["effective_date"][0]


def test_handover_on_the_first_day_of_a_term_replaces_its_holder(paired):
    term = services.pairing_handover(
        actor=paired.users.unit_admin,
        pairing=paired.unit_pairing,
        successor=paired.colleague,
        effective_date=paired.unit_pairing.started_on,
    )
    assert _terms(paired.unit_pairing) == [term]
    assert term.member == paired.colleague
    assert_continuous(paired.unit_pairing)


@pytest.mark.parametrize("who", ["other_member", "self"])
def test_handover_successor_must_be_another_active_member_of_the_unit(paired, who):
    successor = paired.other_member if who == "other_member" else paired.member
    with pytest.raises(ValidationError) as excinfo:
        services.pairing_handover(
            actor=paired.users.unit_admin,
            pairing=paired.pairing,
            successor=successor,
            effective_date=paired.today,
        )
    assert set(_errors(excinfo)) == {"successor"}


def test_handover_refuses_a_member_who_left(paired):
    paired.colleague.status = "transferred"
    paired.colleague.save(update_fields=["status"])
    with pytest.raises(ValidationError) as excinfo:
        services.pairing_handover(
            actor=paired.users.unit_admin,
            pairing=paired.pairing,
            successor=paired.colleague,
            effective_date=paired.today,
        )
    assert set(_errors(excinfo)) == {"successor"}


@pytest.mark.parametrize("role", ["member", "community_worker"])
def test_handover_by_a_role_that_only_reads_is_out_of_scope(paired, role):
    with pytest.raises(OutOfScope):
        services.pairing_handover(
            actor=getattr(paired.users, role),
            pairing=paired.pairing,
            successor=paired.colleague,
            effective_date=paired.today,
        )


def test_unit_admin_cannot_hand_over_another_units_pairing(paired):
    with pytest.raises(OutOfScope):
        services.pairing_handover(
            actor=paired.users.unit_admin,
            pairing=paired.other_pairing,
            successor=paired.colleague,
            effective_date=paired.today,
        )


def test_visits_count_for_whoever_held_the_pairing_that_day(paired):
    effective = paired.today - 30 * DAY
    before = _visit(paired, paired.users.member, date=effective - DAY)
    services.pairing_handover(
        actor=paired.users.unit_admin,
        pairing=paired.pairing,
        successor=paired.colleague,
        effective_date=effective,
    )
    after = _visit(
        paired,
        paired.users.unit_admin,
        date=effective,
        participants=[paired.colleague, paired.member],
    )
    holders = dict(
        selectors.with_holder(Visit.objects.filter(pairing=paired.pairing)).values_list(
            "pk", "holder_id"
        )
    )
    assert holders[before.pk] == paired.member.pk
    assert holders[after.pk] == paired.colleague.pk
    assert holders[paired.visit.pk] == paired.member.pk
    credited = set(selectors.visits_credited_to(paired.member.pk).values_list("pk", flat=True))
    assert credited == {before.pk, paired.visit.pk}


# ---------------------------------------------------------------------------------------------
# Ending a pairing
# ---------------------------------------------------------------------------------------------


def test_ending_a_pairing_closes_its_current_term(paired):
    services.pairing_end(
        actor=paired.users.unit_admin,
        pairing=paired.pairing,
        ended_on=paired.today - DAY,
        reason="lifted",
        note="已就业",
    )
    paired.pairing.refresh_from_db()
    assert (paired.pairing.ended_on, paired.pairing.end_reason) == (paired.today - DAY, "lifted")
    assert_continuous(paired.pairing)
    with pytest.raises(ValidationError) as excinfo:
        services.pairing_handover(
            actor=paired.users.unit_admin,
            pairing=paired.pairing,
            successor=paired.colleague,
            effective_date=paired.today,
        )
    assert set(_errors(excinfo)) == {"pairing"}


def test_a_pairing_cannot_end_before_its_last_visit_or_twice(paired):
    with pytest.raises(ValidationError) as excinfo:
        services.pairing_end(
            actor=paired.users.unit_admin,
            pairing=paired.pairing,
            ended_on=paired.visit.date - DAY,
            reason="moved",
        )
    assert set(_errors(excinfo)) == {"ended_on"}
    services.pairing_end(
        actor=paired.users.unit_admin,
        pairing=paired.pairing,
        ended_on=paired.visit.date,
        reason="moved",
    )
    with pytest.raises(ValidationError) as excinfo:
        services.pairing_end(
            actor=paired.users.unit_admin,
            pairing=paired.pairing,
            ended_on=paired.today,
            reason="moved",
        )
    assert set(_errors(excinfo)) == {"ended_on"}


def test_pairing_end_reason_must_be_known(paired):
    with pytest.raises(ValidationError) as excinfo:
        services.pairing_end(
            actor=paired.users.unit_admin,
            pairing=paired.pairing,
            ended_on=paired.today,
            reason="bored",
        )
    assert set(_errors(excinfo)) == {"reason"}


# ---------------------------------------------------------------------------------------------
# Visits
# ---------------------------------------------------------------------------------------------


def test_the_holder_records_a_visit_with_help_given(paired):
    visit = _visit(
        paired,
        paired.users.member,
        kinds=["talk", "festival", "help"],
        participants=[paired.member, paired.colleague],
        cash_amount="500.00",
        in_kind_items="大米一袋、食用油一桶",
        in_kind_value=Decimal("180.50"),
    )
    visit.refresh_from_db()
    assert visit.kinds == ["talk", "festival", "help"]
    assert (visit.cash_amount, visit.in_kind_value) == (Decimal("500.00"), Decimal("180.50"))
    assert set(visit.participants.all()) == {paired.member, paired.colleague}
    assert visit.recorded_by == paired.users.member


def test_a_visit_in_the_future_is_refused_naming_the_date(paired):
    with pytest.raises(ValidationError) as excinfo:
        _visit(paired, paired.users.member, date=paired.today + DAY)
    assert set(_errors(excinfo)) == {"date"}


def test_a_visit_before_the_pairing_started_is_refused(paired):
    with pytest.raises(ValidationError) as excinfo:
        _visit(paired, paired.users.member, date=paired.start - DAY)
    assert set(_errors(excinfo)) == {"date"}
    assert str(paired.start) in _errors(excinfo)["date"][0]


def test_a_visit_after_the_pairing_ended_is_refused(paired):
    services.pairing_end(
        actor=paired.users.committee,
        pairing=paired.pairing,
        ended_on=paired.today - 10 * DAY,
        reason="deceased",
    )
    with pytest.raises(ValidationError) as excinfo:
        _visit(paired, paired.users.committee, date=paired.today - 9 * DAY)
    assert set(_errors(excinfo)) == {"date"}
    # its last day still counts
    _visit(paired, paired.users.committee, date=paired.today - 10 * DAY)


def test_a_visit_without_the_holder_among_participants_is_refused(paired):
    with pytest.raises(ValidationError) as excinfo:
        _visit(paired, paired.users.unit_admin, participants=[paired.colleague])
    assert set(_errors(excinfo)) == {"participants"}
    assert "张三" in _errors(excinfo)["participants"][0]


def test_a_member_records_only_on_days_it_held_the_pairing(paired):
    effective = paired.today - 30 * DAY
    services.pairing_handover(
        actor=paired.users.unit_admin,
        pairing=paired.pairing,
        successor=paired.colleague,
        effective_date=effective,
    )
    with pytest.raises(ValidationError) as excinfo:
        _visit(
            paired,
            paired.users.member,
            date=effective,
            participants=[paired.member, paired.colleague],
        )
    assert set(_errors(excinfo)) == {"date"}
    # before the handover it was still 张三's
    _visit(paired, paired.users.member, date=effective - DAY)


def test_participants_must_belong_to_the_pairings_unit(paired):
    with pytest.raises(ValidationError) as excinfo:
        _visit(paired, paired.users.committee, participants=[paired.member, paired.other_member])
    assert set(_errors(excinfo)) == {"participants"}
    assert "李四" in _errors(excinfo)["participants"][0]


def test_a_whole_unit_pairing_is_visited_by_any_member_of_the_unit(paired):
    visit = _visit(
        paired,
        paired.users.unit_admin,
        pairing=paired.unit_pairing,
        participants=[paired.colleague],
    )
    assert list(selectors.with_holder(Visit.objects.filter(pk=visit.pk)).values_list("holder_id"))[
        0
    ] == (None,)


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"kinds": []}, "kinds"),
        ({"kinds": ["talk", "party"]}, "kinds"),
        ({"participants": []}, "participants"),
        ({"cash_amount": "-1"}, "cash_amount"),
        ({"cash_amount": "1.001"}, "cash_amount"),
        ({"in_kind_value": "100"}, "in_kind_items"),
        ({"kinds": ["support"]}, "support_kind"),
        ({"support_kind": "charity"}, "support_kind"),
        ({"profile_updates": {"head_name": "别人"}}, "profile_updates.head_name"),
    ],
)
def test_visit_shape_errors_name_the_field(paired, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        _visit(paired, paired.users.member, **overrides)
    assert set(_errors(excinfo)) == {field}
    assert Visit.objects.filter(pairing=paired.pairing).count() == 1


def test_community_worker_may_not_record_visits(paired):
    with pytest.raises(ScopeError):
        _visit(paired, paired.users.community_worker)


def test_a_unit_admin_cannot_record_on_another_units_pairing(paired):
    with pytest.raises(OutOfScope):
        _visit(
            paired,
            paired.users.unit_admin,
            pairing=paired.other_pairing,
            participants=[paired.other_member],
        )


def test_business_date_is_the_beijing_date(paired):
    # 00:30 on 2 March in Beijing is 16:30 on 1 March UTC: a visit dated 2 March is not "future"
    moment = datetime.datetime(2025, 3, 2, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    pairing = f.PairingFactory(
        unit=paired.unit, member=paired.member, started_on=datetime.date(2025, 1, 1)
    )
    with mock.patch("django.utils.timezone.now", return_value=moment):
        visit = _visit(paired, paired.users.member, pairing=pairing, date=datetime.date(2025, 3, 2))
        with pytest.raises(ValidationError) as excinfo:
            _visit(paired, paired.users.member, pairing=pairing, date=datetime.date(2025, 3, 3))
    assert visit.date == datetime.date(2025, 3, 2)
    assert set(_errors(excinfo)) == {"date"}


def test_profile_updates_reach_the_household_and_its_timeline(paired):
    visit = _visit(
        paired,
        paired.users.member,
        profile_updates={"needs": "需要轮椅", "outlook": "积极乐观"},
    )
    household = Household.objects.get(pk=paired.household.pk)
    assert (household.needs, household.outlook) == ("需要轮椅", "积极乐观")
    events = list(household_timeline(household))
    visit_event = next(e for e in events if e.object_type == "pairing.visit")
    assert visit_event.object_id == str(visit.pk)
    update = next(e for e in events if e.object_type == "registry.household")
    assert update.changes["needs"] == ["日常照料", "需要轮椅"]
    assert update.actor == paired.users.member


def test_profile_updates_do_not_widen_what_a_member_may_edit(paired):
    from guanqing.registry import services as registry_services

    with pytest.raises(OutOfScope):
        registry_services.household_update(
            actor=paired.users.member, household=paired.household, needs="x"
        )


# ---------------------------------------------------------------------------------------------
# Photos
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, kind", [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")]
)
def test_a_visit_keeps_its_photos(paired, content, kind):
    upload = SimpleUploadedFile("家访.bin", content, content_type="application/octet-stream")
    visit = _visit(paired, paired.users.member, photos=[upload])
    (photo,) = visit.photos.all()
    assert photo.content_type == kind and photo.size == len(content)
    assert photo.file.name.startswith("visits/")
    assert default_storage.exists(photo.file.name)
    with photo.file.open("rb") as handle:
        assert handle.read() == content


def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_written(paired):
    good = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    bad = SimpleUploadedFile("b.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/png")
    before = (Visit.objects.count(), VisitPhoto.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as excinfo:
        _visit(paired, paired.users.member, photos=[good, bad])
    assert set(_errors(excinfo)) == {"photos[1]"}
    assert (Visit.objects.count(), VisitPhoto.objects.count(), AuditEvent.objects.count()) == before


def test_a_photo_over_5_mb_is_refused(paired):
    big = SimpleUploadedFile("big.jpg", JPEG + b"\x00" * (5 * 1024 * 1024), "image/jpeg")
    with pytest.raises(ValidationError) as excinfo:
        _visit(paired, paired.users.member, photos=[big])
    assert set(_errors(excinfo)) == {"photos[0]"}


def test_saved_photo_files_are_removed_when_the_visit_fails_afterwards(paired):
    upload = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    with (
        mock.patch("guanqing.pairing.services.audit.record", side_effect=RuntimeError("disk full")),
        mock.patch.object(default_storage, "delete", wraps=default_storage.delete) as delete,
        pytest.raises(RuntimeError),
    ):
        _visit(paired, paired.users.member, photos=[upload])
    assert delete.call_count == 1
    assert not default_storage.exists(delete.call_args.args[0])
    assert VisitPhoto.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------------------------

PAIRINGS_SEEN = {
    "committee": {"pairing", "other_pairing", "unit_pairing"},
    "unit_admin": {"pairing", "unit_pairing"},
    "member": {"pairing"},
    "community_worker": {"pairing"},
    "window_clerk": set(),
    "fund_officer": set(),
    "system_admin": set(),
    "security_admin": set(),
    "audit_admin": set(),
}


@pytest.mark.parametrize("role", list(PAIRINGS_SEEN))
def test_pairings_and_their_visits_in_scope_per_role(paired, role):
    user = getattr(paired.users, role)
    wanted = {getattr(paired, key).pk for key in PAIRINGS_SEEN[role]}
    assert set(Pairing.objects.visible_to(user).values_list("pk", flat=True)) == wanted
    visits = set(Visit.objects.visible_to(user).values_list("pairing_id", flat=True))
    assert visits == wanted & {paired.pairing.pk, paired.other_pairing.pk}


def test_a_former_holder_keeps_the_pairing_but_not_the_household(paired):
    services.pairing_handover(
        actor=paired.users.unit_admin,
        pairing=paired.pairing,
        successor=paired.colleague,
        effective_date=paired.today,
    )
    member = paired.users.member
    assert Pairing.objects.visible_to(member).filter(pk=paired.pairing.pk).exists()
    assert not Household.objects.visible_to(member).exists()
    successor = f.UserFactory(role="member", member=paired.colleague, unit=paired.unit)
    assert set(Household.objects.visible_to(successor)) == {paired.household}


def test_unit_admin_keeps_seeing_households_its_unit_was_paired_with(paired):
    services.pairing_end(
        actor=paired.users.unit_admin,
        pairing=paired.pairing,
        ended_on=paired.today,
        reason="lifted",
    )
    seen = set(Household.objects.visible_to(paired.users.unit_admin))
    assert seen == {paired.household, paired.unit_household}
    assert not Household.objects.editable_by(paired.users.unit_admin).exists()


PARTNERSHIPS_SEEN = {
    "committee": {"partnership", "other_partnership"},
    "unit_admin": {"partnership"},
    "member": {"partnership"},
    "community_worker": set(),
    "window_clerk": set(),
    "system_admin": set(),
}


@pytest.mark.parametrize("role", list(PARTNERSHIPS_SEEN))
def test_partnerships_in_scope_per_role(paired, role):
    user = getattr(paired.users, role)
    wanted = {getattr(paired, key).pk for key in PARTNERSHIPS_SEEN[role]}
    assert set(Partnership.objects.visible_to(user).values_list("pk", flat=True)) == wanted


def test_the_village_community_worker_sees_its_partnership(paired):
    worker = f.UserFactory(role="community_worker", community=paired.village)
    assert list(Partnership.objects.visible_to(worker)) == [paired.partnership]


# ---------------------------------------------------------------------------------------------
# Partnerships and projects
# ---------------------------------------------------------------------------------------------


def test_partnership_joins_a_unit_org_with_a_village_org_once_at_a_time(paired):
    with pytest.raises(ValidationError) as excinfo:
        services.partnership_create(
            actor=paired.users.committee,
            unit_org=paired.org,
            village_org=paired.village_org,
            started_on=paired.today,
        )
    assert set(_errors(excinfo)) == {"village_org"}
    with pytest.raises(ValidationError) as excinfo:
        services.partnership_create(
            actor=paired.users.committee,
            unit_org=paired.village_org,
            village_org=paired.org,
            started_on=paired.today,
        )
    assert set(_errors(excinfo)) == {"unit_org", "village_org"}
    services.partnership_end(
        actor=paired.users.committee, partnership=paired.partnership, ended_on=paired.today
    )
    again = services.partnership_create(
        actor=paired.users.committee,
        unit_org=paired.org,
        village_org=paired.village_org,
        started_on=paired.today,
    )
    assert again.pk != paired.partnership.pk


def test_unit_admin_cannot_create_partnerships(paired):
    with pytest.raises(ScopeError):
        services.partnership_create(
            actor=paired.users.unit_admin,
            unit_org=paired.org,
            village_org=paired.village_org,
            started_on=paired.today,
        )


def test_unit_admin_records_and_finishes_a_project_of_its_partnership(paired):
    project = services.project_create(
        actor=paired.users.unit_admin,
        partnership=paired.partnership,
        kind="infrastructure",
        title="村道硬化",
        funds=Decimal("100000"),
        status="underway",
        started_on=paired.today - 30 * DAY,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.project_update(actor=paired.users.unit_admin, project=project, status="done")
    assert set(_errors(excinfo)) == {"finished_on"}
    services.project_update(
        actor=paired.users.unit_admin, project=project, status="done", finished_on=paired.today
    )
    project.refresh_from_db()
    assert (project.status, project.finished_on) == ("done", paired.today)
    with pytest.raises(OutOfScope):
        services.project_update(
            actor=paired.users.unit_admin, project=paired.other_project, title="x"
        )
    with pytest.raises(OutOfScope):
        services.project_create(
            actor=paired.users.unit_admin,
            partnership=paired.other_partnership,
            kind="medical",
            title="义诊",
        )


def test_project_funds_cannot_be_negative(paired):
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(
            actor=paired.users.committee,
            partnership=paired.partnership,
            kind="legal",
            title="法律讲座",
            funds=Decimal("-5"),
        )
    assert set(_errors(excinfo)) == {"funds"}


# ---------------------------------------------------------------------------------------------
# Compliance settings
# ---------------------------------------------------------------------------------------------


def test_compliance_settings_default_until_the_committee_saves_them(db):
    values = selectors.compliance_settings_values()
    assert values["quarterly_talk_minimum"] == 1
    assert values["new_year_window_ends_at_lantern"] is True
    assert (values["july_window_start_month"], values["july_window_start_day"]) == (6, 1)
    assert (values["july_window_end_month"], values["july_window_end_day"]) == (7, 1)
    assert (values["grace_days"], values["due_soon_days"]) == (30, 14)
    assert not ComplianceSettings.objects.exists()


def test_committee_changes_the_compliance_settings_with_an_audit_event(world):
    services.compliance_settings_update(actor=world.users.committee, quarterly_talk_minimum=2)
    services.compliance_settings_update(
        actor=world.users.committee,
        new_year_window_ends_at_lantern=False,
        new_year_window_end_month=2,
        new_year_window_end_day=28,
    )
    assert ComplianceSettings.objects.count() == 1
    values = selectors.compliance_settings_values()
    assert values["quarterly_talk_minimum"] == 2
    assert (values["new_year_window_end_month"], values["new_year_window_end_day"]) == (2, 28)
    events = AuditEvent.objects.filter(object_type="pairing.compliancesettings").order_by("id")
    assert [e.action for e in events] == ["create", "update"]
    assert events[1].changes["new_year_window_end_day"] == [None, 28]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"quarterly_talk_minimum": 0}, "quarterly_talk_minimum"),
        ({"grace_days": 200}, "grace_days"),
        ({"july_window_start_month": 2, "july_window_start_day": 30}, "july_window_start_day"),
        ({"july_window_end_month": 5}, "july_window_end_day"),
        ({"new_year_window_ends_at_lantern": False}, "new_year_window_end_day"),
        (
            {"new_year_window_start_month": 2, "new_year_window_start_day": 29},
            "new_year_window_start_day",
        ),
        ({"mask_head": 3}, "mask_head"),
    ],
)
def test_bad_compliance_settings_are_refused_naming_the_field(world, data, field):
    with pytest.raises(ValidationError) as excinfo:
        services.compliance_settings_update(actor=world.users.committee, **data)
    assert set(_errors(excinfo)) == {field}
    assert not ComplianceSettings.objects.exists()


@pytest.mark.parametrize("role", ["unit_admin", "member", "community_worker", "system_admin"])
def test_only_the_committee_changes_compliance_settings(world, role):
    with pytest.raises(ScopeError):
        services.compliance_settings_update(
            actor=getattr(world.users, role), quarterly_talk_minimum=2
        )


# ---------------------------------------------------------------------------------------------
# Every write is audited
# ---------------------------------------------------------------------------------------------


def test_every_write_leaves_an_audit_event(paired):
    def new_events(call):
        before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        call()
        return list(
            AuditEvent.objects.filter(id__gt=before)
            .order_by("id")
            .values_list("object_type", "action", "root_type")
        )

    committee, unit_admin = paired.users.committee, paired.users.unit_admin
    household = f.HouseholdFactory(community=paired.community)
    holder = {}
    assert new_events(
        lambda: holder.setdefault(
            "pairing",
            services.pairing_create(
                actor=committee,
                household=household,
                unit=paired.unit,
                member=paired.member,
                started_on=paired.today - 5 * DAY,
            ),
        )
    ) == [
        ("pairing.pairing", "create", "registry.household"),
        ("pairing.pairingterm", "create", "registry.household"),
    ]
    pairing = holder["pairing"]
    assert new_events(
        lambda: _visit(paired, paired.users.member, pairing=pairing, date=paired.today - 4 * DAY)
    ) == [("pairing.visit", "create", "registry.household")]
    assert new_events(
        lambda: services.pairing_handover(
            actor=unit_admin,
            pairing=pairing,
            successor=paired.colleague,
            effective_date=paired.today - 2 * DAY,
        )
    ) == [
        ("pairing.pairingterm", "update", "registry.household"),
        ("pairing.pairingterm", "create", "registry.household"),
    ]
    assert new_events(
        lambda: services.pairing_end(
            actor=unit_admin, pairing=pairing, ended_on=paired.today, reason="lifted"
        )
    ) == [
        ("pairing.pairing", "update", "registry.household"),
        ("pairing.pairingterm", "update", "registry.household"),
    ]
    assert new_events(
        lambda: services.partnership_end(
            actor=committee, partnership=paired.partnership, ended_on=paired.today
        )
    ) == [("pairing.partnership", "update", "pairing.partnership")]
    assert new_events(
        lambda: services.partnership_create(
            actor=committee,
            unit_org=paired.org,
            village_org=paired.village_org,
            started_on=paired.today,
        )
    ) == [("pairing.partnership", "create", "pairing.partnership")]
    assert new_events(
        lambda: services.project_create(
            actor=unit_admin, partnership=paired.partnership, kind="culture", title="文化礼堂"
        )
    ) == [("pairing.partnershipproject", "create", "pairing.partnership")]
    assert new_events(
        lambda: services.project_update(actor=committee, project=paired.project, funds=50000)
    ) == [("pairing.partnershipproject", "update", "pairing.partnership")]
    assert new_events(
        lambda: services.compliance_settings_update(actor=committee, due_soon_days=10)
    ) == [("pairing.compliancesettings", "create", "pairing.compliancesettings")]
