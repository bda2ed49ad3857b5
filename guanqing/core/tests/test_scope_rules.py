"""`core/scope/querysets.py` and the start-up check `core/scope/checks.py`.

The check is called on synthetic querysets (stand-in models that carry only what it reads); the
child querysets and the scope extensions are tested on the project's own models: people
(`registry.Person`) are seen through their household, and the pairing module's extension on
`registry.household` reaches them too.
"""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

from guanqing.core.roles import Role
from guanqing.core.scope import checks as scope_checks
from guanqing.core.scope import querysets
from guanqing.core.scope.querysets import (
    ChildScopedQuerySet,
    ScopedQuerySet,
    edit_rule,
    register_scope_extension,
    scope_rule,
)
from guanqing.registry.models import Household, Person
from guanqing.testing import factories as f

EVERY_OTHER_ROLE = frozenset(Role) - {Role.COMMITTEE, Role.MEMBER}

# ---------------------------------------------------------------------------------------------
# Declaring rules
# ---------------------------------------------------------------------------------------------


class CompleteQuerySet(ScopedQuerySet):
    no_rows_for = EVERY_OTHER_ROLE

    @scope_rule(Role.COMMITTEE)
    @edit_rule(Role.COMMITTEE)
    def _for_committee(self, user):
        return self

    @scope_rule(Role.MEMBER)
    def _for_member(self, user):
        return self.none()


def test_rules_are_collected_by_role_when_the_class_is_made():
    assert CompleteQuerySet.scope_rules == {
        Role.COMMITTEE: "_for_committee",
        Role.MEMBER: "_for_member",
    }
    assert CompleteQuerySet.edit_rules == {Role.COMMITTEE: "_for_committee"}
    assert all(isinstance(role, Role) for role in CompleteQuerySet.no_rows_for)


def test_a_subclass_inherits_and_overrides_rules():
    class Narrower(CompleteQuerySet):
        @scope_rule(Role.MEMBER)
        def _for_member_narrower(self, user):
            return self.none()

    assert Narrower.scope_rules[Role.MEMBER] == "_for_member_narrower"
    assert Narrower.scope_rules[Role.COMMITTEE] == "_for_committee"


def test_a_scope_rule_naming_a_role_that_does_not_exist_fails_at_class_creation():
    with pytest.raises(ValueError):

        class Misspelt(ScopedQuerySet):
            @scope_rule("comittee")
            def _for_committee(self, user):
                return self


def test_no_rows_for_naming_a_role_that_does_not_exist_fails_at_class_creation():
    with pytest.raises(ValueError):

        class Misspelt(ScopedQuerySet):
            no_rows_for = frozenset({"auditor"})


def test_a_scope_rule_names_at_least_one_role():
    with pytest.raises(TypeError):
        scope_rule()
    with pytest.raises(TypeError):
        edit_rule()


def test_register_scope_extension_refuses_an_unknown_role_and_a_second_registration(monkeypatch):
    monkeypatch.setattr(querysets, "_extensions", defaultdict(list))
    with pytest.raises(ValueError):
        register_scope_extension("registry.household", "auditor", lambda user: Q())

    def extension(user):
        return Q()

    register_scope_extension("registry.household", "window_clerk", extension)
    register_scope_extension("registry.household", Role.WINDOW_CLERK, extension)
    assert querysets.extensions_for("registry.household", Role.WINDOW_CLERK) == [extension]


# ---------------------------------------------------------------------------------------------
# The start-up check, on synthetic querysets
# ---------------------------------------------------------------------------------------------


def stand_in(queryset_class, label="coretest.Thing", fields=None):
    """What the check reads of a model: its default manager's queryset class, label, fields."""
    fields = fields or {}

    def get_field(name):
        try:
            return fields[name]
        except KeyError:
            raise FieldDoesNotExist(name) from None

    return SimpleNamespace(
        _default_manager=SimpleNamespace(_queryset_class=queryset_class),
        _meta=SimpleNamespace(label=label, get_field=get_field),
    )


def run_check(monkeypatch, *models):
    monkeypatch.setattr(scope_checks, "apps", SimpleNamespace(get_models=lambda: list(models)))
    return scope_checks.every_role_has_a_scope_rule()


def ids(errors):
    return [error.id for error in errors]


def test_the_project_passes_its_own_check():
    assert scope_checks.every_role_has_a_scope_rule() == []


def test_a_complete_queryset_and_unscoped_models_pass(monkeypatch):
    from django.db.models import QuerySet

    assert (
        run_check(monkeypatch, stand_in(CompleteQuerySet), stand_in(QuerySet), stand_in(None)) == []
    )


def test_a_role_with_no_rule_is_e001(monkeypatch):
    class MissingAuditor(ScopedQuerySet):
        no_rows_for = EVERY_OTHER_ROLE - {Role.AUDIT_ADMIN}

        @scope_rule(Role.COMMITTEE, Role.MEMBER)
        def _for_committee(self, user):
            return self

    (error,) = run_check(monkeypatch, stand_in(MissingAuditor, "coretest.Missing"))
    assert error.id == "guanqing.E001"
    assert error.msg == "coretest.Missing: no rule for audit_admin"
    assert error.obj is MissingAuditor


def test_a_role_both_ruled_and_in_no_rows_for_is_e001(monkeypatch):
    class Both(ScopedQuerySet):
        no_rows_for = EVERY_OTHER_ROLE | {Role.MEMBER}

        @scope_rule(Role.COMMITTEE, Role.MEMBER)
        def _for_committee(self, user):
            return self

    (error,) = run_check(monkeypatch, stand_in(Both, "coretest.Both"))
    assert error.id == "guanqing.E001"
    assert error.msg == "coretest.Both: both a rule and no_rows_for for member"


def test_an_unmarked_for_method_is_e003(monkeypatch):
    class Unmarked(CompleteQuerySet):
        def _for_window_clerk(self, user):  # looks like a rule, names no role
            return self

        def _edit_member(self, user):
            return self

        def for_export(self, user):  # not a rule's name: fine
            return self

    (error,) = run_check(monkeypatch, stand_in(Unmarked, "coretest.Unmarked"))
    assert error.id == "guanqing.E003"
    assert "_edit_member, _for_window_clerk" in error.msg


def test_a_child_whose_parent_is_not_a_scoped_foreign_key_is_e002(monkeypatch):
    class NoSuchField(ChildScopedQuerySet):
        scope_parent = "household"

    class NotAForeignKey(ChildScopedQuerySet):
        scope_parent = "name"

    class UnscopedParent(ChildScopedQuerySet):
        scope_parent = "owner"

    class Fine(ChildScopedQuerySet):
        scope_parent = "thing"

    from django.db.models import QuerySet

    unscoped = stand_in(QuerySet, "coretest.Owner")
    scoped = stand_in(CompleteQuerySet, "coretest.Thing")
    errors = run_check(
        monkeypatch,
        stand_in(NoSuchField, "coretest.A"),
        stand_in(NotAForeignKey, "coretest.B", {"name": SimpleNamespace(related_model=None)}),
        stand_in(UnscopedParent, "coretest.C", {"owner": SimpleNamespace(related_model=unscoped)}),
        stand_in(Fine, "coretest.D", {"thing": SimpleNamespace(related_model=scoped)}),
    )
    assert ids(errors) == ["guanqing.E002"] * 3
    assert [error.msg.split(":")[0] for error in errors] == [
        "coretest.A",
        "coretest.B",
        "coretest.C",
    ]
    assert "scope_parent 'household' is not a foreign key to a scoped model" in errors[0].msg


def test_the_check_is_registered_with_django():
    from django.core import checks

    assert scope_checks.every_role_has_a_scope_rule in checks.registry.registry.get_checks()


# ---------------------------------------------------------------------------------------------
# Child querysets and scope extensions, on registry.Person
# ---------------------------------------------------------------------------------------------


def people(user):
    return set(Person.objects.visible_to(user))


def test_a_child_follows_its_parents_scope(world):
    assert people(world.users.committee) == {world.person, world.other_person}
    assert people(world.users.community_worker) == {world.person}
    for role in ("member", "unit_admin", "window_clerk", "audit_admin"):
        assert people(getattr(world.users, role)) == set()


def test_a_child_is_editable_where_its_parent_is(world):
    editable = set(Person.objects.editable_by(world.users.community_worker))
    assert editable == {world.person}
    assert set(Person.objects.editable_by(world.users.member)) == set()


def test_nobody_signed_out_or_inactive_sees_a_child(world):
    from django.contrib.auth.models import AnonymousUser

    assert people(AnonymousUser()) == set()
    world.users.committee.is_active = False
    assert people(world.users.committee) == set()


def test_the_pairing_extension_on_households_reaches_their_people(world):
    """pairing registers extensions on registry.household for unit admins (their unit's pairings)
    and members (the pairings they hold): the people of those households follow."""
    assert people(world.users.unit_admin) == set()
    f.PairingFactory(household=world.other_household, unit=world.unit, member=world.member)
    assert set(Household.objects.visible_to(world.users.unit_admin)) == {world.other_household}
    assert people(world.users.unit_admin) == {world.other_person}
    assert people(world.users.member) == {world.other_person}
    # Seeing is not changing: the extension widens the view only.
    assert set(Person.objects.editable_by(world.users.unit_admin)) == set()


def test_an_extension_registered_on_the_parent_reaches_the_child(world, monkeypatch):
    monkeypatch.setattr(
        querysets,
        "_extensions",
        defaultdict(list, {k: list(v) for k, v in querysets._extensions.items()}),
    )
    clerk, worker = world.users.window_clerk, world.users.community_worker
    register_scope_extension(
        "registry.household", Role.WINDOW_CLERK, lambda user: Q(pk=world.other_household.pk)
    )
    register_scope_extension(
        "registry.household", Role.COMMUNITY_WORKER, lambda user: Q(pk=world.other_household.pk)
    )
    # A role with no rows of its own sees what the extension grants ...
    assert people(clerk) == {world.other_person}
    # ... and a role with a rule sees its own rows plus the extension's.
    assert people(worker) == {world.person, world.other_person}
