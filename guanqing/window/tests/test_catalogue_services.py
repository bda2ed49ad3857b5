"""The catalogue services: items, matters and their versions, windows and clerks, the settings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanqing.core.models import AuditEvent
from guanqing.core.services import OutOfScope
from guanqing.testing import factories as f
from guanqing.window import catalogue_services as services
from guanqing.window.choices import MaterialForm, MatterKind
from guanqing.window.models import Matter, MatterVersion, WindowSettings
from guanqing.window.tests import factories as wf

pytestmark = pytest.mark.django_db

MATERIALS = (
    services.MaterialSpec("食品经营许可申请书"),
    services.MaterialSpec("营业执照复印件", form=MaterialForm.COPY, deferrable=True),
)


def spec(**overrides) -> services.VersionSpec:
    data = {
        "kind": MatterKind.PROMISED,
        "statutory_workdays": 20,
        "promised_workdays": 7,
        "fee": Decimal("0"),
        "legal_basis": "《中华人民共和国食品安全法》第三十五条",
        "materials": MATERIALS,
    }
    data.update(overrides)
    return services.VersionSpec(**data)


def new_item(world, actor=None, unit=None, code="SP001"):
    return services.item_create(
        actor=actor or world.users.committee,
        unit=unit or world.unit,
        code=code,
        name="食品经营许可",
    )


def new_matter(world, item, code="SP001-01", **overrides):
    return services.matter_create(
        actor=world.users.committee,
        item=item,
        code=code,
        name="食品经营许可（新办）",
        version=spec(**overrides),
    )


def errors_of(exc) -> dict:
    return exc.value.message_dict


# ---------------------------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------------------------


def test_the_committee_creates_an_item_of_any_unit_with_its_audit_record(world):
    item = new_item(world, unit=world.other_unit)
    assert item.unit == world.other_unit
    assert AuditEvent.objects.filter(object_id=str(item.pk), action="create").exists()


def test_a_unit_administrator_creates_items_of_its_own_unit_only(world):
    item = new_item(world, actor=world.users.unit_admin)
    assert item.unit == world.unit
    with pytest.raises(ValidationError) as exc:
        new_item(world, actor=world.users.unit_admin, unit=world.other_unit, code="X1")
    assert "unit" in errors_of(exc)


@pytest.mark.parametrize("role", ["member", "community_worker", "window_clerk", "system_admin"])
def test_other_roles_may_not_edit_the_catalogue(world, role):
    with pytest.raises(PermissionDenied):
        new_item(world, actor=getattr(world.users, role))


def test_an_item_code_is_unique(world):
    new_item(world)
    with pytest.raises(ValidationError) as exc:
        new_item(world)
    assert "code" in errors_of(exc)


def test_a_unit_administrator_may_not_change_another_units_item(world):
    item = new_item(world, unit=world.other_unit)
    with pytest.raises(OutOfScope):
        services.item_update(actor=world.users.unit_admin, item=item, name="改名")
    item.refresh_from_db()
    assert item.name == "食品经营许可"


def test_an_item_update_records_what_changed(world):
    item = new_item(world)
    services.item_update(actor=world.users.unit_admin, item=item, name="食品经营许可（含小餐饮）")
    item.refresh_from_db()
    assert item.name == "食品经营许可（含小餐饮）"
    event = AuditEvent.objects.filter(object_id=str(item.pk), action="update").get()
    assert event.changes["name"] == ["食品经营许可", "食品经营许可（含小餐饮）"]


# ---------------------------------------------------------------------------------------------
# Matters and versions
# ---------------------------------------------------------------------------------------------


def test_a_new_matter_has_its_first_version_with_its_materials(world):
    matter = new_matter(world, new_item(world))
    assert matter.current.number == 1
    assert [(m.name, m.deferrable) for m in matter.current.materials.all()] == [
        ("食品经营许可申请书", False),
        ("营业执照复印件", True),
    ]
    assert matter.current.created_by == world.users.committee


def test_a_promised_limit_beyond_the_statutory_one_is_refused_naming_the_field(world):
    item = new_item(world)
    with pytest.raises(ValidationError) as exc:
        new_matter(world, item, promised_workdays=21)
    assert list(errors_of(exc)) == ["promised_workdays"]
    assert not Matter.objects.exists()


def test_an_immediate_matter_promises_the_same_day(world):
    item = new_item(world)
    with pytest.raises(ValidationError) as exc:
        new_matter(world, item, kind=MatterKind.IMMEDIATE, promised_workdays=1)
    assert "promised_workdays" in errors_of(exc)
    matter = new_matter(world, item, kind=MatterKind.IMMEDIATE, promised_workdays=0)
    assert matter.current.promised_workdays == 0


@pytest.mark.parametrize(
    ("materials", "field"),
    [
        ((), "materials"),
        ((services.MaterialSpec("申请书"), services.MaterialSpec("申请书")), "materials"),
        ((services.MaterialSpec("申请书", copies=0),), "materials"),
        ((services.MaterialSpec("申请书", form="scan"),), "materials"),
        ((services.MaterialSpec(""),), "materials"),
    ],
)
def test_bad_materials_are_refused(world, materials, field):
    item = new_item(world)
    with pytest.raises(ValidationError) as exc:
        new_matter(world, item, materials=materials)
    assert field in errors_of(exc)


def test_a_negative_fee_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        new_matter(world, new_item(world), fee=Decimal("-1"))
    assert "fee" in errors_of(exc)


def test_a_matter_code_is_unique(world):
    item = new_item(world)
    new_matter(world, item)
    with pytest.raises(ValidationError) as exc:
        new_matter(world, item)
    assert "code" in errors_of(exc)


def test_publishing_makes_version_two_and_leaves_version_one_as_it_was(world):
    matter = new_matter(world, new_item(world))
    first = matter.current
    second = services.matter_publish(
        actor=world.users.unit_admin,
        matter=matter,
        version=spec(promised_workdays=5, materials=MATERIALS[:1]),
    )
    matter.refresh_from_db()
    first.refresh_from_db()
    assert (second.number, matter.current) == (2, second)
    assert first.promised_workdays == 7
    assert first.materials.count() == 2
    assert second.materials.count() == 1


def test_publishing_what_is_already_current_changes_nothing(world):
    matter = new_matter(world, new_item(world))
    same = services.matter_publish(actor=world.users.committee, matter=matter, version=spec())
    assert same == matter.current
    assert MatterVersion.objects.filter(matter=matter).count() == 1


def test_publishing_refuses_a_promise_beyond_the_statutory_limit(world):
    matter = new_matter(world, new_item(world))
    with pytest.raises(ValidationError) as exc:
        services.matter_publish(
            actor=world.users.committee, matter=matter, version=spec(statutory_workdays=5)
        )
    assert "promised_workdays" in errors_of(exc)
    assert MatterVersion.objects.filter(matter=matter).count() == 1


def test_a_unit_administrator_may_not_publish_another_units_matter(world):
    matter = new_matter(world, new_item(world, unit=world.other_unit))
    with pytest.raises(OutOfScope):
        services.matter_publish(
            actor=world.users.unit_admin, matter=matter, version=spec(promised_workdays=3)
        )


@pytest.mark.usefixtures("official_calendar")
def test_an_open_case_keeps_the_version_it_was_accepted_under(world):
    desk = wf.desk(world)
    case = wf.accepted_case(actor=desk.clerk, window=desk.window, matter=desk.matter)
    first = desk.matter.current
    services.matter_publish(
        actor=world.users.committee,
        matter=desk.matter,
        version=spec(promised_workdays=3),
    )
    case.refresh_from_db()
    desk.matter.refresh_from_db()
    assert case.version == first
    assert desk.matter.current.number == 2


def test_a_matter_update_changes_the_name_but_not_the_version(world):
    matter = new_matter(world, new_item(world))
    services.matter_update(actor=world.users.committee, matter=matter, name="食品经营许可（首次）")
    matter.refresh_from_db()
    assert matter.name == "食品经营许可（首次）"
    assert matter.current.number == 1


# ---------------------------------------------------------------------------------------------
# Windows and clerks
# ---------------------------------------------------------------------------------------------


def test_a_unit_administrator_opens_windows_of_its_own_unit_only(world):
    window = services.window_create(actor=world.users.unit_admin, unit=world.unit, name="一号窗口")
    assert window.unit == world.unit
    with pytest.raises(ValidationError) as exc:
        services.window_create(actor=world.users.unit_admin, unit=world.other_unit, name="二号")
    assert "unit" in errors_of(exc)
    with pytest.raises(PermissionDenied):
        services.window_create(actor=world.users.window_clerk, unit=world.unit, name="三号")


def test_a_window_name_is_unique_within_its_unit(world):
    services.window_create(actor=world.users.committee, unit=world.unit, name="一号窗口")
    with pytest.raises(ValidationError):
        services.window_create(actor=world.users.committee, unit=world.unit, name="一号窗口")


def test_only_window_clerks_are_assigned(world):
    window = wf.window(unit=world.unit)
    with pytest.raises(ValidationError) as exc:
        services.window_assign_clerks(
            actor=world.users.committee, window=window, clerks=[world.users.member]
        )
    assert "clerks" in errors_of(exc)
    services.window_assign_clerks(
        actor=world.users.committee, window=window, clerks=[world.users.window_clerk]
    )
    assert list(window.clerks.all()) == [world.users.window_clerk]
    event = AuditEvent.objects.filter(object_id=str(window.pk), action="update").get()
    assert event.changes["clerks"] == [[], ["window_clerk"]]


def test_an_inactive_clerk_is_refused(world):
    window = wf.window(unit=world.unit)
    gone = f.UserFactory(username="gone", role="window_clerk", unit=world.unit, is_active=False)
    with pytest.raises(ValidationError):
        services.window_assign_clerks(actor=world.users.committee, window=window, clerks=[gone])


def test_a_unit_administrator_assigns_clerks_of_its_own_unit_only(world):
    window = wf.window(unit=world.unit)
    own = f.UserFactory(username="own_clerk", role="window_clerk", unit=world.unit)
    foreign = f.UserFactory(username="foreign_clerk", role="window_clerk", unit=world.other_unit)
    with pytest.raises(ValidationError) as exc:
        services.window_assign_clerks(
            actor=world.users.unit_admin, window=window, clerks=[own, foreign]
        )
    assert "foreign_clerk" in errors_of(exc)["clerks"][0]
    assert not window.clerks.exists()
    services.window_assign_clerks(actor=world.users.unit_admin, window=window, clerks=[own])
    assert list(window.clerks.all()) == [own]


def test_a_unit_administrator_may_not_touch_another_units_window(world):
    window = wf.window(unit=world.other_unit)
    with pytest.raises(OutOfScope):
        services.window_update(actor=world.users.unit_admin, window=window, name="改名")
    with pytest.raises(OutOfScope):
        services.window_assign_clerks(actor=world.users.unit_admin, window=window, clerks=[])


# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------


def test_the_committee_edits_the_settings_once_row(world):
    services.settings_update(actor=world.users.committee, due_soon_workdays=2)
    services.settings_update(actor=world.users.committee, rectify_workdays=7)
    assert WindowSettings.objects.count() == 1
    current = WindowSettings.current()
    assert (current.due_soon_workdays, current.rectify_workdays) == (2, 7)


def test_only_the_committee_edits_the_settings(world):
    with pytest.raises(PermissionDenied):
        services.settings_update(actor=world.users.unit_admin, due_soon_workdays=2)


def test_a_rating_window_of_zero_days_is_refused(world):
    with pytest.raises(ValidationError):
        services.settings_update(actor=world.users.committee, rating_window_days=0)
