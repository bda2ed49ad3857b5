"""A unit administrator's scope is shared: every administrator of one unit sees the same rows of
every model, so a figures snapshot counted for the unit (`scope_reader("unit_admin:<id>")`) is
what each of them would count, and is kept for them as the committee's is kept for the committee
(core/snapshots.py, `for_reader(…, reader=user)`)."""

from __future__ import annotations

import itertools
from unittest import mock

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.test import override_settings

from guanqing.accounts.selectors import committee_reader, scope_reader
from guanqing.core import snapshots
from guanqing.core.scope.querysets import SHARED_SCOPES, ScopedQuerySet, shared_scope
from guanqing.testing import factories as f

pytestmark = pytest.mark.django_db


def _scoped_models():
    for model in apps.get_models():
        queryset = getattr(model._default_manager, "_queryset_class", None)
        if queryset is not None and issubclass(queryset, ScopedQuerySet):
            yield model


def _seen(model, user):
    queryset = model._default_manager.all().visible_to(user)
    try:
        sql = queryset.query.sql_with_params()
    except EmptyResultSet:  # a condition that matches nothing, such as `pk IN ()`
        sql = None
    return sql, sorted(queryset.values_list("pk", flat=True))


def test_a_reader_rebuilt_from_a_unit_administrators_scope_sees_what_the_account_sees(world):
    # a second administrator of the same unit, with a member record of its own: neither the
    # account nor its member record may change what a unit's administrator sees
    member = f.MemberFactory(unit=world.unit, branch=world.org, home_community=world.community)
    second = f.UserFactory(username="unit_admin_2", role="unit_admin", unit=world.unit)
    second.member = member
    second.save()
    rebuilt = scope_reader(shared_scope(world.users.unit_admin))
    checked, differ = 0, []
    for model in _scoped_models():
        expected = _seen(model, world.users.unit_admin)
        if _seen(model, rebuilt) != expected or _seen(model, second) != expected:
            differ.append(model._meta.label)
        checked += 1
    # an account's own records: itself and its notifications, which no figure counts
    assert differ == ["accounts.User", "core.Notification"]
    assert checked > 30  # every scoped model of every work method
    # and the rows differ between units: the rebuilt reader is not simply seeing everything
    other = f.UserFactory(username="other_unit_admin", role="unit_admin", unit=world.other_unit)
    from guanqing.registry.models import Member

    assert _seen(Member, scope_reader(shared_scope(other)))[1] == [world.other_member.pk]


def test_only_a_unit_administrators_scope_is_shared(world):
    users = world.users
    assert shared_scope(users.unit_admin) == f"unit_admin:{world.unit.pk}"
    for user in (users.committee, users.member, users.community_worker, users.window_clerk):
        assert shared_scope(user) is None, user.role
    users.unit_admin.is_active = False
    assert shared_scope(users.unit_admin) is None
    assert shared_scope(f.UserFactory.build(role="unit_admin", unit=None)) is None
    assert set(SHARED_SCOPES) == {"unit_admin"}


def test_a_scope_that_is_not_shared_is_refused():
    assert scope_reader(None).role == committee_reader().role == "committee"
    for text in ("member:3", "unit_admin:", "unit_admin:x", "unit_admin", "committee:1"):
        with pytest.raises(ValueError, match="not a shared scope"):
            scope_reader(text)
    reader = scope_reader("unit_admin:7")
    assert (reader.role, reader.unit_id, reader.pk) == ("unit_admin", 7, None)


@override_settings(FIGURES_SLOW_MS=1, FIGURES_MAX_AGE=300)
def test_a_scoped_snapshot_is_kept_per_unit_and_counted_live_for_anyone_else(world):
    counted = []

    def compute(*, day: str, scope: str | None = None):
        counted.append(scope)
        return {"scope": scope, "day": day}

    snapshots.register("test.shared", compute, scoped=True)
    snapshots.register("test.unshared", compute)
    cache.clear()
    users = world.users
    other = f.UserFactory(username="other_unit_admin", role="unit_admin", unit=world.other_unit)
    args = {"day": "2026-05-13"}
    with mock.patch(
        "guanqing.core.snapshots.time.perf_counter", side_effect=itertools.count(0, 2.0)
    ):

        def read(name, user):
            from guanqing.pairing.models import Pairing

            return snapshots.for_reader(
                Pairing.objects.visible_to(user), name, args, lambda: "live", reader=user
            )

        assert read("test.shared", users.unit_admin).value == {
            "scope": f"unit_admin:{world.unit.pk}",
            "day": "2026-05-13",
        }
        assert read("test.shared", users.unit_admin).kept  # counted once, read again
        assert read("test.shared", other).value["scope"] == f"unit_admin:{world.other_unit.pk}"
        assert read("test.shared", users.committee).value == {"scope": None, "day": "2026-05-13"}
        # a member's rows are its own: counted live, never kept
        assert read("test.shared", users.member).value == "live"
        assert not read("test.shared", users.member).kept
        # a computation not registered `scoped` is counted live for a unit too
        assert read("test.unshared", users.unit_admin).value == "live"
    assert counted == [f"unit_admin:{world.unit.pk}", f"unit_admin:{world.other_unit.pk}", None]
    snapshots._registry.pop("test.shared")
    snapshots._registry.pop("test.unshared")
    cache.clear()
