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

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, FieldError, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import BooleanField, Q, Value
from django.db.models.expressions import DatabaseDefault
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE

_KEYS: dict[type, list] = {}


def _plain_keys(model: type[models.Model]) -> list:
    """The model's foreign keys without limit_choices_to, found once per model."""
    found = _KEYS.get(model)
    if found is None:
        found = _KEYS[model] = [
            field
            for field in model._meta.concrete_fields
            if (field.many_to_one or field.one_to_one) and not field.remote_field.limit_choices_to
        ]
    return found


def _fetched_relations(instance: models.Model) -> set[str]:
    """Foreign keys whose related row the instance holds, saved, under the key's value."""
    trusted = set()
    for field in _plain_keys(type(instance)):
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


# --- the fields, each as Django cleans it ------------------------------------------------------
#
# Field.clean() converts, checks the choices, null and blank, then runs the validators: about a
# microsecond and a half a field, twenty fields a row, thousands of rows in an import. Most values
# reaching a service are already of their field's type and valid, and for them Django returns the
# value unchanged. `clean_fields` accepts such a value itself when that is certain (a str in a
# CharField or TextField whose only validator is its max_length, a date in a DateField or a bool
# in a BooleanField without choices), and leaves every other value, and any value it would
# refuse, to Field.clean(): the same values and the same errors as Model.clean_fields().


class _Quick:
    """What deciding, without Field.clean(), that a field's value is accepted as it is needs."""

    __slots__ = ("field", "name", "attname", "empty_ok", "kind", "choices", "max_length")

    def __init__(self, field):
        self.field, self.name, self.attname = field, field.name, field.attname
        # Field.validate() checks nothing (not even blank or the choices) of a field not editable;
        # its validators still run
        self.empty_ok = field.blank or not field.editable
        self.kind = None  # the one type accepted as it is; None: always Field.clean()
        self.choices = None
        self.max_length = None
        if (
            type(field).clean is not models.Field.clean
            or type(field).validate is not models.Field.validate
            or type(field).run_validators is not models.Field.run_validators
        ):
            return
        if field.choices is not None and field.editable:
            if type(field.choices) is not list:
                return  # choices computed on each use: left to Django
            if any(isinstance(label, list | tuple) for _value, label in field.choices):
                return  # grouped choices: left to Django
            self.choices = frozenset(value for value, _label in field.choices)
        validators = field.validators
        if isinstance(field, models.CharField | models.TextField) and type(field).to_python in (
            models.CharField.to_python,
            models.TextField.to_python,
        ):
            if validators == [] or (
                len(validators) == 1
                and type(validators[0]) is MaxLengthValidator
                and validators[0].limit_value == field.max_length
                and isinstance(field.max_length, int)
            ):
                self.kind = str
                self.max_length = field.max_length if validators else None
        elif validators or self.choices is not None:
            return
        elif type(field).to_python is models.DateField.to_python:
            self.kind = datetime.date
        elif type(field).to_python is models.BooleanField.to_python:
            self.kind = bool


_QUICK: dict[type, list[tuple]] = {}


def _quick_fields(model: type[models.Model]) -> list[tuple]:
    """(name, attname, empty_ok, kind, choices, max_length, field) of each field to clean."""
    found = _QUICK.get(model)
    if found is None:
        found = _QUICK[model] = [
            (q.name, q.attname, q.empty_ok, q.kind, q.choices, q.max_length, q.field)
            for q in map(_Quick, model._meta.fields)
            if not q.field.generated
        ]
    return found


def clean_fields(instance: models.Model, exclude=None) -> None:
    """`instance.clean_fields(exclude)`: the same values and errors, the common case quicker
    (above). A model with its own clean_fields() is cleaned by it."""
    if type(instance).clean_fields is not models.Model.clean_fields:
        instance.clean_fields(exclude=exclude)
        return
    exclude = exclude or ()
    errors = {}
    for name, attname, empty_ok, kind, choices, max_length, field in _quick_fields(type(instance)):
        if name in exclude:
            continue
        raw_value = getattr(instance, attname)
        # accepted as it is when Field.clean() would return it (a choice's enum member is a str
        # that CharField.to_python returns as it is)
        if type(raw_value) is kind or (kind is str and isinstance(raw_value, models.Choices)):
            if kind is str:
                if raw_value == "":
                    if empty_ok:
                        continue
                elif (choices is None or raw_value in choices) and (
                    max_length is None or len(raw_value) <= max_length
                ):
                    continue
            else:  # a date or a bool, of a field without choices
                continue
        if field.blank and raw_value in field.empty_values:
            continue
        if isinstance(raw_value, DatabaseDefault):
            continue
        try:
            setattr(instance, attname, field.clean(raw_value, instance))
        except ValidationError as error:
            errors[name] = error.error_list
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
        clean_fields(instance, exclude=exclude | _fetched_relations(instance))
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
