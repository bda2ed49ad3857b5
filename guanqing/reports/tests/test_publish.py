"""Publishing freezes a period's figures; a correction is a new version with its reason and the
figures it changed; the committee publishes, the audit log records it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanqing.core.models import AuditEvent
from guanqing.core.reports import Period, Where
from guanqing.core.services import OutOfScope
from guanqing.reports import selectors, services
from guanqing.reports.models import Publication
from guanqing.testing import factories as f

pytestmark = pytest.mark.django_db

Q3 = Period.parse("2026-Q3")


def figure(publication, section, key):
    for s in publication.sections:
        if s["key"] == section:
            for fig in s["figures"]:
                if fig["key"] == key:
                    return fig["value"]
    raise KeyError(key)


def test_a_published_report_keeps_its_figures_when_later_data_arrive(world, today):
    committee = world.users.committee
    first = services.publication_publish(actor=committee, period=Q3, where=Where())
    assert first.version == 1 and figure(first, "households", "households") == 2
    f.HouseholdFactory(community=world.community)

    live = selectors.live_report(committee, Q3, Where(), today=today)
    live_value = [s for s in live.sections if s["key"] == "households"][0]["figures"][0]["value"]
    assert live_value == 3
    first.refresh_from_db()
    assert figure(first, "households", "households") == 2
    assert figure(first, "households", "money") == {"decimal": "12.50"}


def test_a_correction_needs_a_reason_and_lists_what_changed(world, today):
    committee = world.users.committee
    services.publication_publish(actor=committee, period=Q3, where=Where())
    f.HouseholdFactory(community=world.community)
    with pytest.raises(ValidationError) as error:
        services.publication_publish(actor=committee, period=Q3, where=Where())
    assert "reason" in error.value.message_dict
    assert Publication.objects.count() == 1

    second = services.publication_publish(
        actor=committee, period=Q3, where=Where(), reason="补录 9 月走访"
    )
    assert second.version == 2 and second.reason == "补录 9 月走访"
    assert [(c["key"], c["old"], c["new"]) for c in second.changes] == [
        ("households.households", 2, 3)
    ]
    # Each publication leaves its trace in the audit log.
    events = AuditEvent.objects.filter(object_type="reports.publication").order_by("pk")
    assert [e.object_id for e in events] == [str(p.pk) for p in Publication.objects.order_by("pk")]


def test_versions_are_per_period_and_area(world, today):
    committee = world.users.committee
    services.publication_publish(actor=committee, period=Q3, where=Where())
    other = services.publication_publish(
        actor=committee, period=Period.parse("2026-09"), where=Where()
    )
    unit = services.publication_publish(
        actor=committee, period=Q3, where=Where("unit", world.unit.pk)
    )
    assert (other.version, unit.version, unit.where_name) == (1, 1, "市纪委")


def test_only_the_committee_publishes_and_not_a_period_that_has_not_begun(world, today):
    with pytest.raises(PermissionDenied):
        services.publication_publish(
            actor=world.users.unit_admin, period=Q3, where=Where("unit", world.unit.pk)
        )
    with pytest.raises(ValidationError) as error:
        services.publication_publish(
            actor=world.users.committee, period=Period.parse("2027-Q1"), where=Where()
        )
    assert "period" in error.value.message_dict
    assert not Publication.objects.exists()


def test_an_area_out_of_reach_is_out_of_scope(world, today):
    admin = world.users.unit_admin
    with pytest.raises(OutOfScope):
        selectors.where_for(admin, "unit", world.other_unit.pk)
    with pytest.raises(OutOfScope):
        selectors.where_for(admin, "city")
    with pytest.raises(OutOfScope):
        selectors.where_for(admin, "district", world.district.pk)
    with pytest.raises(OutOfScope):
        selectors.where_for(world.users.committee, "unit", 999999)
    with pytest.raises(ValidationError):
        selectors.where_for(world.users.committee, "planet", 1)
    assert selectors.where_for(admin, "unit", world.unit.pk).name == "市纪委"


def test_a_unit_admin_sees_only_their_units_versions(world, today):
    committee = world.users.committee
    city = services.publication_publish(actor=committee, period=Q3, where=Where())
    own = services.publication_publish(
        actor=committee, period=Q3, where=Where("unit", world.unit.pk)
    )
    services.publication_publish(
        actor=committee, period=Q3, where=Where("unit", world.other_unit.pk)
    )
    assert list(Publication.objects.visible_to(world.users.unit_admin)) == [own]
    assert city in Publication.objects.visible_to(committee)
    assert not Publication.objects.visible_to(world.users.member).exists()


def test_changes_between_versions_compare_by_key_not_position():
    before = [
        {
            "key": "a",
            "title": "A",
            "figures": [
                {"key": "x", "label": "X", "value": 1},
                {"key": "y", "label": "Y", "value": {"decimal": "1.50"}},
            ],
        }
    ]
    after = [
        {
            "key": "a",
            "title": "A",
            "figures": [
                {"key": "y", "label": "Y", "value": {"decimal": "1.5"}},
                {"key": "z", "label": "Z", "value": 2},
            ],
        }
    ]
    changes = selectors.changes_between(before, after)
    # 1.50 and 1.5 are the same amount; z is new; x is gone.
    assert [(c["key"], c["old"], c["new"]) for c in changes] == [("a.z", None, 2), ("a.x", 1, None)]
    assert Decimal("1.50") == Decimal("1.5")
