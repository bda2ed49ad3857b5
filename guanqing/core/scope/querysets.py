"""Data scope: the one queryset method (`visible_to`) that every view, API, export and report uses.

Each scoped model's queryset says, role by role, which rows a user sees: a method marked
`@scope_rule(Role.X, …)` for the roles it serves, and `no_rows_for` for the roles that see nothing.
The rules are keyed by the `Role` enum when the class is created, so a misspelt role fails at import
rather than silently showing nothing, and the system check `guanqing.E001` (`core/scope/checks.py`)
refuses to start when a role of a scoped model has neither a rule nor a place in `no_rows_for`.

A child model (a visit's photos, a wish's events) does not restate its parent's rules: its queryset is
a `ChildScopedQuerySet` naming the parent field, and sees the children of the parents the user sees.

Later modules widen a role's view of an existing model without editing it, by registering a scope
extension: e.g. the pairing module lets a unit administrator see the households its unit is paired
with. Extensions reach the children too, since a child's scope is its parent's `visible_to`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import ClassVar

from django.db import models
from django.db.models import Q

from guanqing.core.roles import Role

ScopeExtension = Callable[[object], Q]
_extensions: dict[tuple[str, str], list[ScopeExtension]] = defaultdict(list)


def register_scope_extension(model_label: str, role: str, extension: ScopeExtension) -> None:
    """Let `role` also see the rows of `model_label` matched by `extension(user) -> Q`."""
    role = Role(role)
    if extension not in _extensions[(model_label, role)]:
        _extensions[(model_label, role)].append(extension)


def extensions_for(model_label: str, role: str) -> list[ScopeExtension]:
    return list(_extensions.get((model_label, role), ()))


def scope_rule(*roles: Role):
    """Mark a queryset method `method(self, user) -> queryset` as what `roles` see."""
    return _mark("_scope_roles", roles)


def edit_rule(*roles: Role):
    """Mark a queryset method as the rows `roles` may change (a subset of what they see)."""
    return _mark("_edit_roles", roles)


def _mark(attribute: str, roles: tuple[Role, ...]):
    if not roles:
        raise TypeError("a scope rule names at least one role")
    checked = tuple(Role(role) for role in roles)  # ValueError for a role that does not exist

    def decorator(method):
        setattr(method, attribute, getattr(method, attribute, ()) + checked)
        return method

    return decorator


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_every_row(queryset) -> bool:
    """The queryset is every row of its table (no condition, not emptied): what the committee's
    `visible_to` gives for most models. A page may then read a pre-aggregated count instead."""
    query = queryset.query
    return not (query.where or query.is_empty() or query.is_sliced or query.combinator)


# The roles whose scope rules read one thing of the user, the unit: every reader with the role and
# the same unit sees the same rows of every model but its own account and notifications, so a
# figure counted for one of them is what each of them would count (`shared_scope`).
# `core/tests/test_shared_scope.py` compares, model by model, what an account sees with what a
# reader rebuilt from its scope sees (`accounts.selectors.scope_reader`).
SHARED_SCOPES: dict[Role, str] = {Role.UNIT_ADMIN: "unit_id"}


def shared_scope(user) -> str | None:
    """`"unit_admin:<unit id>"` for a unit administrator; None for a reader whose rows are its own
    (a member, a community worker) or who sees every row (the committee: `is_every_row`)."""
    field = SHARED_SCOPES.get(getattr(user, "role", None))
    value = getattr(user, field, None) if field else None
    if value is None or not _signed_in(user):
        return None
    return f"{Role(user.role).value}:{value}"


# At most this many keys are written into a query (SQLite takes 32,766 values a statement).
FEW_KEYS = 10_000


def by_keys_when_few(queryset, limit: int = FEW_KEYS):
    """A reader's scope (`visible_to`) as the list of its rows' keys when it holds at most `limit`
    rows, read first by the scope's own indexes; the scope itself otherwise (the committee's every
    row, or a large one). A figure that adds conditions of its own over the whole table (a date
    range's OR, a hashed subquery) is then planned from those rows: PostgreSQL otherwise read a
    unit administrator's 3,000 problems out of every problem (165 ms at three tenths of a
    province)."""
    if is_every_row(queryset):
        return queryset
    keys = list(queryset.order_by().values_list("pk", flat=True)[: limit + 1])
    if len(keys) > limit:
        return queryset
    return queryset.model._default_manager.filter(pk__in=keys)


def _collect(cls, attribute: str) -> dict[Role, str]:
    rules: dict[Role, str] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            for role in getattr(value, attribute, ()):
                rules[role] = name
    return rules


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows, per role, what a user may see and change."""

    # Filled from the marked methods when the class is created: role -> method name.
    scope_rules: ClassVar[dict[Role, str]] = {}
    edit_rules: ClassVar[dict[Role, str]] = {}
    # The roles that see no row of this model (declared, so a forgotten role is an error).
    no_rows_for: ClassVar[frozenset[Role]] = frozenset()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.scope_rules = _collect(cls, "_scope_roles")
        cls.edit_rules = _collect(cls, "_edit_roles")
        cls.no_rows_for = frozenset(Role(role) for role in cls.no_rows_for)

    def of_own_member(self, user, field: str = "member_id") -> ScopedQuerySet:
        """The rows whose `field` is the user's own member record; none for an account that has
        no member record (a member's rule, "its own", reads through this)."""
        member_id = getattr(user, "member_id", None)
        return self.filter(**{field: member_id}) if member_id else self.none()

    def _model_label(self) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}"

    def _own_scope(self, user) -> ScopedQuerySet | None:
        """What the role's rule gives, or None when the role has no rule."""
        name = self.scope_rules.get(user.role)
        return getattr(self, name)(user) if name else None

    def visible_to(self, user) -> ScopedQuerySet:
        if not _signed_in(user):
            return self.none()
        base = self._own_scope(user)
        extra = [ext(user) for ext in extensions_for(self._model_label(), user.role)]
        if not extra:
            return base if base is not None else self.none()
        condition = Q()
        for q in extra:
            condition |= q
        if base is None:
            return self.filter(condition)
        if is_every_row(base):
            return base  # every row already: the extensions can add none
        # Rows the role sees anyway, plus rows an extension grants.
        return self.filter(Q(pk__in=base.values("pk")) | condition)

    def editable_by(self, user) -> ScopedQuerySet:
        """The rows `user` may change: a subset of what it sees, declared per role."""
        if not _signed_in(user):
            return self.none()
        name = self.edit_rules.get(user.role)
        return getattr(self, name)(user) if name else self.none()


class ChildScopedQuerySet(ScopedQuerySet):
    """The rows of a model that belongs to a scoped parent: `scope_parent` names the foreign key.

    A user sees the children of the parents it sees, and changes the children of the parents it may
    change, unless the child declares its own `@edit_rule`s (a project of a partnership); the
    parent's rules, and any extension registered for the parent, apply unchanged.
    """

    scope_parent: ClassVar[str] = ""

    def _parent_model(self):
        return self.model._meta.get_field(self.scope_parent).related_model

    def _own_scope(self, user):
        parents = self._parent_model()._default_manager.all().visible_to(user)
        if is_every_row(parents):
            # every parent (the committee's view): no `IN (every parent)` for the database to
            # join through — at a province's scale, ten million visits against a million pairings
            if self.model._meta.get_field(self.scope_parent).null:
                return self.filter(**{f"{self.scope_parent}__isnull": False})
            return self.all()
        return self.filter(**{f"{self.scope_parent}__in": parents.values("pk")})

    def editable_by(self, user):
        if self.edit_rules or not _signed_in(user):
            return super().editable_by(user)
        parents = self._parent_model()._default_manager.all().editable_by(user)
        return self.filter(**{f"{self.scope_parent}__in": parents.values("pk")})
