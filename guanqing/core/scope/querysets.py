"""Data scope: the one queryset method (`visible_to`) that every view, API, export and report uses.

Each scoped model's queryset says, role by role, which rows a user sees (`_for_<role>`). Later modules
widen a role's view of an existing model without editing it, by registering a scope extension: e.g.
the pairing module lets a unit administrator see the households its unit is paired with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.db import models
from django.db.models import Q

ScopeExtension = Callable[[object], Q]
_extensions: dict[tuple[str, str], list[ScopeExtension]] = defaultdict(list)


def register_scope_extension(model_label: str, role: str, extension: ScopeExtension) -> None:
    """Let `role` also see the rows of `model_label` matched by `extension(user) -> Q`."""
    if extension not in _extensions[(model_label, role)]:
        _extensions[(model_label, role)].append(extension)


def extensions_for(model_label: str, role: str) -> list[ScopeExtension]:
    return list(_extensions.get((model_label, role), ()))


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows, per role, what a user may see."""

    def visible_to(self, user) -> ScopedQuerySet:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        method = getattr(self, f"_for_{user.role}", None)
        base = method(user) if method is not None else None
        label = f"{self.model._meta.app_label}.{self.model._meta.model_name}"
        extra = [ext(user) for ext in extensions_for(label, user.role)]
        if not extra:
            return base if base is not None else self.none()
        condition = Q()
        for q in extra:
            condition |= q
        if base is None:
            return self.filter(condition)
        # Rows the role sees anyway, plus rows an extension grants.
        return self.filter(Q(pk__in=base.values("pk")) | condition)

    def editable_by(self, user) -> ScopedQuerySet:
        """The rows `user` may change: a subset of what it sees, declared per role as `_edit_<role>`."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        method = getattr(self, f"_edit_{user.role}", None)
        return method(user) if method is not None else self.none()
