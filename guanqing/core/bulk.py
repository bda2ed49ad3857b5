"""Inserting many new rows of one model in a few statements, their primary keys set.

Django's bulk_create prepares every value of every object through the field's general path and
splits SQLite inserts at 999 parameters; an import of a hundred thousand rows spends more time
there than in the database. `insert()` converts only the values that need it (dates, JSON,
anything not a plain str or int), fills auto_now/auto_now_add fields as saving would, and sends as
many rows per INSERT … RETURNING as the database accepts. It writes what it is given: callers
validate first (full_clean) and write the audit records themselves.
"""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Sequence

from django.db import connections, models, router

# Plain str or int values of these fields go to the driver as they are.
_PASS_THROUGH = (models.CharField, models.TextField, models.IntegerField, models.ForeignKey)
# Parameters per statement: PostgreSQL takes 65,535; SQLite what its build allows (32,766 since
# 3.32), read from the connection.
MAX_PARAMETERS = 30_000


def _max_parameters(connection) -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        try:
            limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except AttributeError:  # Python before 3.11
            limit = 999
        return min(limit, MAX_PARAMETERS)
    return MAX_PARAMETERS


def _converter(field, connection):
    if isinstance(field, _PASS_THROUGH) and not isinstance(field, models.JSONField):

        def convert(value):
            if value is None or type(value) is str or type(value) is int:
                return value
            return field.get_db_prep_save(value, connection)

        return convert
    if isinstance(field, models.DateTimeField):
        # An aware datetime goes to the database adapter as the field would send it (the field's
        # own path only warns about, and makes aware, a naive one); anything else takes that path.
        adapt = connection.ops.adapt_datetimefield_value

        def convert_datetime(value):
            if type(value) is datetime.datetime and value.tzinfo is not None:
                return adapt(value)
            return field.get_db_prep_save(value, connection)

        return convert_datetime
    if type(field) is models.DateField:
        adapt_date = connection.ops.adapt_datefield_value

        def convert_date(value):
            if value is None or type(value) is datetime.date:
                return adapt_date(value)
            return field.get_db_prep_save(value, connection)

        return convert_date
    return lambda value: field.get_db_prep_save(value, connection)


def insert(
    model: type[models.Model], objs: Sequence[models.Model], *, using=None
) -> list[list] | None:
    """INSERT `objs` (new instances, no primary key yet) and set their primary keys, in order.

    Returns the values sent for each object (in the order of the model's concrete fields, the
    primary key left out), or None where the database took Django's bulk_create instead."""
    if not objs:
        return []
    using = using or router.db_for_write(model)
    connection = connections[using]
    if not connection.features.can_return_rows_from_bulk_insert:
        model._base_manager.using(using).bulk_create(objs)
        return None
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    converters = [(f.attname, _converter(f, connection)) for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    head = f"INSERT INTO {quote(meta.db_table)} ({columns})"
    tail = f"RETURNING {quote(meta.pk.column)}"
    unnest = connection.vendor == "postgresql"
    if unnest:
        # One array per column (as Django's own bulk_create on PostgreSQL): a placeholder per
        # column rather than per value, which the driver would otherwise scan one by one.
        db_types = [f.db_type(connection).split("(")[0] for f in fields]
        sql = f"{head} SELECT * FROM UNNEST({', '.join(f'(%s)::{t}[]' for t in db_types)}) {tail}"
        per_statement = 5000
    else:
        one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        per_statement = max(1, _max_parameters(connection) // len(fields))
    sent: list[list] = []
    for start in range(0, len(objs), per_statement):
        chunk = objs[start : start + per_statement]
        values = []
        for obj in chunk:
            if obj.pk is not None:
                raise ValueError("insert() writes new objects only")
            obj._prepare_related_fields_for_save(operation_name="insert")
            for field in stamped:
                field.pre_save(obj, add=True)
            values.append([convert(getattr(obj, attname)) for attname, convert in converters])
        if unnest:
            params = [list(column) for column in zip(*values, strict=True)]
        else:
            params = [value for row in values for value in row]
            sql = f"{head} VALUES {', '.join([one_row] * len(chunk))} {tail}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [row[0] for row in cursor.fetchall()]
        if len(ids) != len(chunk):
            raise RuntimeError(f"inserted {len(chunk)} rows, got {len(ids)} ids back")
        for obj, pk in zip(chunk, ids, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = using
        sent += values
    return sent


def columns(model: type[models.Model]) -> list[str]:
    """The attribute names of the values `insert()` returns for each object, in order."""
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key]


_DEFAULTS: dict[type[models.Model], tuple | None] = {}


def new(model: type[models.Model]) -> models.Model:
    """`model()`: a new instance holding each field's default, built from the defaults looked up
    once per model (Django's keyword path asks every field for its default on every call). A model
    with a default computed per instance (a callable) is built as `model()` builds it."""
    if model not in _DEFAULTS:
        fields = model._meta.concrete_fields
        callable_default = any(f.has_default() and callable(f.default) for f in fields)
        _DEFAULTS[model] = None if callable_default else tuple(f.get_default() for f in fields)
    defaults = _DEFAULTS[model]
    return model() if defaults is None else model(*defaults)
