"""Start-up check: every scoped model has a rule for every role (guanqing.E001–E003)."""

from __future__ import annotations

from django.apps import apps
from django.core import checks

from guanqing.core.roles import Role
from guanqing.core.scope.querysets import ChildScopedQuerySet, ScopedQuerySet


def _queryset_class(model):
    return getattr(model._default_manager, "_queryset_class", None)


@checks.register()
def every_role_has_a_scope_rule(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for model in apps.get_models():
        qs = _queryset_class(model)
        if qs is None or not issubclass(qs, ScopedQuerySet):
            continue
        label = model._meta.label
        if issubclass(qs, ChildScopedQuerySet):
            try:
                parent = model._meta.get_field(qs.scope_parent).related_model
            except Exception:  # noqa: BLE001 - reported as the check's error
                parent = None
            if parent is None or not issubclass(_queryset_class(parent) or object, ScopedQuerySet):
                errors.append(
                    checks.Error(
                        f"{label}: scope_parent {qs.scope_parent!r} is not a foreign key to a "
                        "scoped model",
                        obj=qs,
                        id="guanqing.E002",
                    )
                )
            continue
        unmarked = sorted(
            name
            for klass in qs.__mro__
            for name, value in vars(klass).items()
            if name.startswith(("_for_", "_edit_"))
            and callable(value)
            and not hasattr(value, "_scope_roles")
            and not hasattr(value, "_edit_roles")
        )
        if unmarked:
            errors.append(
                checks.Error(
                    f"{label}: {', '.join(unmarked)} look like scope rules but name no role "
                    "(mark them with @scope_rule / @edit_rule)",
                    obj=qs,
                    id="guanqing.E003",
                )
            )
        both = set(qs.scope_rules) & qs.no_rows_for
        missing = set(Role) - set(qs.scope_rules) - qs.no_rows_for
        if missing or both:
            problems = []
            if missing:
                problems.append("no rule for " + ", ".join(sorted(missing)))
            if both:
                problems.append("both a rule and no_rows_for for " + ", ".join(sorted(both)))
            errors.append(
                checks.Error(
                    f"{label}: " + "; ".join(problems),
                    hint="Add a @scope_rule method for the role, or list it in no_rows_for.",
                    obj=qs,
                    id="guanqing.E001",
                )
            )
    return errors
