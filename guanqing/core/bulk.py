"""Inserting many new rows of one model in a few statements, their primary keys set.

Django's bulk_create prepares every value of every object through the field's general path and
splits SQLite inserts at 999 parameters; an import of a hundred thousand rows spends more time
there than in the database. `insert()` converts only the values that need it (dates, JSON,
anything not a plain str or int), fills auto_now/auto_now_add fields as saving would, and sends as
many rows per INSERT … RETURNING as the database accepts — on PostgreSQL, it draws the ids from
the table's sequence and streams the rows with COPY. It writes what it is given: callers validate
first (full_clean) and write the audit records themselves.
"""

from __future__ import annotations

import datetime
import gc
import operator
import re
import sqlite3
from collections.abc import Sequence

from django.conf import settings
from django.db import connections, models, router
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.signals import post_init, pre_init

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


def aware_datetime_adapter(connection):
    """What the backend's `adapt_datetimefield_value` makes of an aware datetime, without reading
    the settings for each value (a third of the demo's inserts of times went there): SQLite
    stores the text of the time in the connection's zone (UTC), PostgreSQL takes the value."""
    adapt = connection.ops.adapt_datetimefield_value
    if connection.vendor != "sqlite" or not settings.USE_TZ:
        return adapt
    zone = connection.timezone

    def adapt_aware(value):
        if type(value) is datetime.datetime and value.tzinfo is not None:
            return str(value.astimezone(zone).replace(tzinfo=None))
        return adapt(value)

    return adapt_aware


def _passes_plain(field) -> bool:
    """Whether a plain str or int value (or None) of `field` goes to the driver as it is."""
    return isinstance(field, _PASS_THROUGH) and not isinstance(field, models.JSONField)


def _converter(field, connection):
    if _passes_plain(field):
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, models.DateTimeField):
        # An aware datetime goes to the database adapter as the field would send it (the field's
        # own path only warns about, and makes aware, a naive one); anything else takes that path.
        adapt = aware_datetime_adapter(connection)

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


def _related_in_place(obj: models.Model, relations) -> bool:
    """Whether `_prepare_related_fields_for_save` has nothing to do for `obj`: every related
    object it holds is saved and is the one its id column names (an object assigned after it was
    saved, or one set by its id alone)."""
    for field in relations:
        if field.is_cached(obj):
            related = field.get_cached_value(obj)
            if related is None:
                continue
            if related.pk is None or getattr(related, field.target_field.attname) != getattr(
                obj, field.attname
            ):
                return False
    return True


def insert(
    model: type[models.Model],
    objs: Sequence[models.Model],
    *,
    using=None,
    encoded: dict[str, Sequence[str | None]] | None = None,
) -> list[list] | None:
    """INSERT `objs` (new instances, no primary key yet) and set their primary keys, in order.

    `encoded`: values already in the database's form, by attribute name, one per object (None:
    convert that object's value as usual), such as a JSON field's text the caller has encoded.

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
    read = operator.attrgetter(*(f.attname for f in fields))
    # a field whose plain values pass is converted only for another kind of value; the rest always
    converted = [
        (i, _converter(f, connection)) for i, f in enumerate(fields) if not _passes_plain(f)
    ]
    checked = [(i, _converter(f, connection)) for i, f in enumerate(fields) if _passes_plain(f)]
    position = {f.attname: i for i, f in enumerate(fields)}
    given = [(position[name], texts) for name, texts in (encoded or {}).items()]
    for _i, texts in given:
        if len(texts) != len(objs):
            raise ValueError("encoded values: one per object")
    # Django's check of related objects, for the objects that need it (a generic relation: all)
    relations = [f for f in fields if f.is_relation]
    check_all = bool(meta.private_fields)
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    copy = connection.vendor == "postgresql"
    if copy:
        # The ids are drawn from the table's sequence first, in ascending order, and the rows
        # streamed with COPY, ids included: what a raw load does. An INSERT of arrays (UNNEST)
        # had the driver dump every value of every array in Python, most of the client's time.
        sql = f"COPY {table} ({quote(meta.pk.column)}, {columns}) FROM STDIN"
        per_statement = 5000
    else:
        head = f"INSERT INTO {table} ({columns})"
        tail = f"RETURNING {quote(meta.pk.column)}"
        one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        per_statement = max(1, _max_parameters(connection) // len(fields))
    sent: list[list] = []
    for start in range(0, len(objs), per_statement):
        chunk = objs[start : start + per_statement]
        values = []
        for n, obj in enumerate(chunk, start):
            if obj.pk is not None:
                raise ValueError("insert() writes new objects only")
            if check_all or not _related_in_place(obj, relations):
                obj._prepare_related_fields_for_save(operation_name="insert")
            for field in stamped:
                field.pre_save(obj, add=True)
            row = list(read(obj)) if len(fields) > 1 else [read(obj)]
            for i, convert in converted:
                row[i] = convert(row[i])
            for i, texts in given:
                if texts[n] is not None:
                    row[i] = texts[n]
            for i, convert in checked:
                value = row[i]
                if value is not None and type(value) is not str and type(value) is not int:
                    row[i] = convert(value)
            values.append(row)
        with connection.cursor() as cursor:
            if copy:
                ids = _reserve_ids(cursor, quote(meta.db_table), meta.pk.column, len(chunk))
                with cursor.cursor.copy(sql) as stream:
                    for pk, row in zip(ids, values, strict=True):
                        stream.write_row((pk, *row))
            else:
                cursor.execute(
                    f"{head} VALUES {', '.join([one_row] * len(chunk))} {tail}",
                    [value for row in values for value in row],
                )
                ids = [row[0] for row in cursor.fetchall()]
        if len(ids) != len(chunk):
            raise RuntimeError(f"inserted {len(chunk)} rows, got {len(ids)} ids back")
        for obj, pk in zip(chunk, ids, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = using
        sent += values
    return sent


def _reserve_ids(cursor, table: str, column: str, count: int) -> list[int]:
    """`count` new ids of the table's primary key sequence (identity or serial), ascending, so
    that rows take them in the order given, as they take ids from an INSERT."""
    # the sequence looked up once, not for every id (that cost seven times the nextval)
    cursor.execute(
        "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) "
        "SELECT nextval(s.seq) AS id FROM s, generate_series(1, %s) ORDER BY id",
        [table, column, count],
    )
    return [row[0] for row in cursor.fetchall()]


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
    return model() if defaults is None else built(model, defaults)


_ATTNAMES: dict[type[models.Model], tuple[str, ...] | None] = {}


def built(model: type[models.Model], values: Sequence) -> models.Model:
    """`model(*values)` (every concrete field's value, in order) without the per-field path of
    `Model.__init__`: a new instance's attributes are set directly, as `__init__` ends up setting
    them when nothing is listening to the model's pre_init/post_init signals and no field has a
    descriptor that acts on assignment. Otherwise it is `model(*values)`."""
    attnames = _ATTNAMES.get(model, ())
    if attnames == ():
        attnames = _ATTNAMES[model] = _plain_attnames(model)
    if attnames is None:
        return model(*values)
    obj = model.__new__(model)
    obj._state = ModelState()
    obj.__dict__.update(zip(attnames, values, strict=True))
    return obj


def _plain_attnames(model: type[models.Model]) -> tuple[str, ...] | None:
    """The concrete fields' attribute names, or None when building by attribute is not what
    `Model.__init__` would do for this model."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return None
    attnames = []
    for field in model._meta.concrete_fields:
        descriptor = next(
            (
                klass.__dict__[field.attname]
                for klass in model.__mro__
                if field.attname in klass.__dict__
            ),
            None,
        )
        # a foreign key's id descriptor only clears a cached related object, which a new
        # instance does not hold; any other descriptor with a setter may do more
        if hasattr(descriptor, "__set__") and not isinstance(
            descriptor, ForeignKeyDeferredAttribute
        ):
            return None
        attnames.append(field.attname)
    return tuple(attnames)


_PLAIN_WORD = re.compile(r"[0-9A-Za-z_.:+-]+")


def pg_array(values: Sequence) -> str | list:
    """`values` as one PostgreSQL array parameter, for SQL that casts it (`%s::bigint[]`): the
    literal `{1,2,3}` when every value is an int or a plain word (a hash, a code), which the
    driver sends as one text instead of quoting every element in Python (a thousand ids cost
    more to send that way than to update); otherwise (a value with a space, a quote, or the word
    NULL) the list, for the driver to quote."""
    if all(type(value) is int for value in values) or all(
        type(value) is str and _PLAIN_WORD.fullmatch(value) and value.upper() != "NULL"
        for value in values
    ):
        return "{" + ",".join(map(str, values)) + "}"
    return list(values)


class LongLived:
    """For a bulk job that holds what it has read until it ends (an import's rows, then their
    checked plans: hundreds of thousands of objects): `hold()` moves every object alive at that
    moment out of the garbage collector's passes, until `release()`. Python's collector otherwise
    walks all of them again on each full pass; an import of 30,000 rows spent 4 of its 34 s
    there. Objects are freed by their reference count as always; only cycles among the ones held
    wait for the release."""

    def __init__(self):
        self.held = False
        self.paused = False

    def pause(self) -> None:
        """No automatic collection until the next `hold()` (while a sheet is read: every row
        read is kept, and the passes over the rows read so far grew with the file — 61 full
        passes reading 100,000 rows). Reading makes no garbage cycles to wait for."""
        if gc.isenabled():
            gc.disable()
            self.paused = True

    def hold(self) -> None:
        gc.freeze()
        self.held = True
        self._resume()

    def release(self) -> None:
        self._resume()
        if self.held:
            gc.unfreeze()
            self.held = False

    def _resume(self) -> None:
        if self.paused:
            gc.enable()
            self.paused = False
