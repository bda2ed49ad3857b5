"""A model's full_clean as Django runs it, in fewer queries.

Django's `Model.full_clean` asks the database once for every foreign key (does the row exist?)
and three times for every check constraint (a savepoint, `SELECT 1 WHERE <condition>`, its
release). A service writing a problem or a case ran some thirty statements before its insert.
`full_clean` here gives the same errors, in the same places, with:

- a foreign key whose row the instance already holds, fetched or saved (`case.window = window`),
  not looked up again: it exists, and the database's own constraint still guards the insert.
  A key with `limit_choices_to`, or set by id alone, is checked as Django checks it;
- every check constraint of the model evaluated in one `SELECT` (each as `COALESCE(cond, TRUE)`,
  as Django evaluates one), in one savepoint. A constraint naming a field left out (`exclude`, or
  one that already failed) is skipped, as Django skips it; unique constraints are checked as
  Django checks them.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, FieldError, ValidationError
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import BooleanField, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE


def _fetched_relations(instance: models.Model) -> set[str]:
    """Foreign keys whose related row the instance holds, saved, under the key's value."""
    trusted = set()
    for field in instance._meta.concrete_fields:
        if not (field.many_to_one or field.one_to_one) or field.remote_field.limit_choices_to:
            continue
        if not field.is_cached(instance):
            continue
        related = field.get_cached_value(instance)
        value = getattr(instance, field.attname)
        if related is None or value is None or related._state.adding:
            continue
        if getattr(related, field.target_field.attname) == value:
            trusted.add(field.name)
    return trusted


def _check_results(instance: models.Model, checks: list, exclude: set[str], using: str) -> dict:
    """{id(check constraint): passed} for each of `checks` that names no excluded field, from one
    query; {} when the database cannot answer it so (then each is checked as Django does)."""
    connection = connections[using]
    if not checks or not connection.features.supports_comparing_boolean_expr:
        return {}
    query = Query(None)
    against_by_model = {}
    selected = []
    for index, (model, constraint) in enumerate(checks):
        if model not in against_by_model:
            against = instance._get_field_expression_map(meta=model._meta, exclude=exclude)
            against_by_model[model] = against
            for name, value in against.items():
                if name not in query.annotations:
                    if not hasattr(value, "resolve_expression"):
                        value = Value(value)
                    query.add_annotation(value, name, select=False)
        alias = f"_check_{index}"
        try:
            query.add_annotation(
                Coalesce(Q(constraint.condition), True, output_field=BooleanField()), alias
            )
        except FieldError:
            continue  # it names an excluded field: skipped, as Django skips it
        selected.append((alias, constraint))
    if not selected:
        return {}
    query.set_annotation_mask([alias for alias, _ in selected])
    try:
        if connection.in_atomic_block:
            with transaction.atomic(using=using):
                row = query.get_compiler(using=using).execute_sql(SINGLE)
        else:
            row = query.get_compiler(using=using).execute_sql(SINGLE)
    except DatabaseError:
        return {}
    return {
        id(constraint): bool(passed)
        for (_alias, constraint), passed in zip(selected, row, strict=True)
    }


def _validate_constraints(instance: models.Model, exclude: set[str]) -> None:
    """Django's `Model.validate_constraints`, the check constraints answered by one query."""
    using = router.db_for_write(instance.__class__, instance=instance)
    constraints = [
        (model, constraint)
        for model, model_constraints in instance.get_constraints()
        for constraint in model_constraints
    ]
    checks = [(m, c) for m, c in constraints if isinstance(c, models.CheckConstraint)]
    answered = _check_results(instance, checks, exclude, using)
    errors: dict = {}
    for model, constraint in constraints:
        try:
            if id(constraint) in answered:
                if not answered[id(constraint)]:
                    raise ValidationError(
                        constraint.get_violation_error_message(),
                        code=constraint.violation_error_code,
                    )
            elif isinstance(constraint, models.CheckConstraint) and answered:
                continue  # left out of the query: it names an excluded field
            else:
                constraint.validate(model, instance, exclude=exclude, using=using)
        except ValidationError as error:
            if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                errors.setdefault(constraint.fields[0], []).append(error)
            else:
                errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def full_clean(
    instance: models.Model,
    exclude=None,
    validate_unique: bool = True,
    validate_constraints: bool = True,
) -> None:
    """`instance.full_clean(...)`: the same checks and errors, fewer queries (module docstring)."""
    errors: dict = {}
    exclude = set(exclude or ())
    try:
        instance.clean_fields(exclude=exclude | _fetched_relations(instance))
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        instance.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if validate_unique:
        exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
        try:
            instance.validate_unique(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if validate_constraints:
        exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
        try:
            _validate_constraints(instance, exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
