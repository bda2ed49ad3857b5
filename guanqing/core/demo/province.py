"""The demo at a province's scale: the records of the demo multiplied, in the database, to the
numbers each app declares (a Zhejiang-sized platform: a million households and pairings, ten
million visits, half a million members and wishes, two million window cases, a million problems).

Each app's demo module may declare what it holds at a province's scale:

    PROVINCE = Volume(targets={"Household": 1_000_000}, keep=("Transaction",))

`targets` are the records to multiply up to those numbers (the roots, whatever they refer to);
every other model of an app with a demo builder follows the records it belongs to: a model with a
foreign key to a multiplied model is multiplied as many times as the most multiplied of them (a
visit's participants with the visit, a claim with its wish), a model with none is shared by every
copy (divisions, units, windows, matters, categories, plans). `keep` names the models never to
copy (a ledger that must balance).

Copy k of a record has the id `id + k × offset` (offset: one past the model's largest id), points
at copy `k mod n` of each multiplied record it refers to (n: that model's number of copies) and at
the shared records as the original does; a unique text gets `~<k>` appended (a hash keeps its
length: its last characters are replaced; no original holds a `~`), a unique UUID a new one.
Copies are written by `INSERT … SELECT` on the database itself, with the counting triggers
suspended and the counters recounted once (`core.counters.bulk_load`), then the sequences moved
past the new ids and, on PostgreSQL, the planner's statistics brought up to date.
Dates, states and amounts are the originals': a copy is as old, as late and as far along.

`grow(fraction)` builds it (1.0: the full targets) on a database holding the demo at scale 1;
run again, it adds nothing (every model already at its number). `bench/province.py` and
`bench/pages.py --province` use it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, models, transaction

from guanqing.core.demo.load import _analyze

# Apps whose models are never copied: accounts, the audit trail, settings and framework tables.
NEVER = {"core", "accounts", "auth", "contenttypes", "sessions", "admin", "axes", "otp_totp"}
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
TEXT_FIELDS = (models.CharField, models.TextField, models.UUIDField)


@dataclass(frozen=True)
class Volume:
    """What an app's records number at a province's scale (see the module's docstring)."""

    targets: dict[str, int] = field(default_factory=dict)  # model name -> rows
    keep: tuple[str, ...] = ()  # model names never copied


class ProvinceError(Exception):
    """The copies cannot be made as declared (a unique column they would repeat)."""


@dataclass
class Plan:
    model: type[models.Model]
    copies: int  # 1 + the number of copies made: every row exists `copies` times afterwards
    offset: int = 0
    rows: int = 0


def _tag(k: int, width: int) -> str:
    digits = ""
    while k:
        k, d = divmod(k, 36)
        digits = DIGITS[d] + digits
    return digits.rjust(width, "0")


def declared() -> tuple[dict[str, int], set[str], set[str]]:
    """({model label: target}, {labels kept}, {app labels with a demo builder})."""
    from guanqing.core.demo.registry import builders

    targets: dict[str, int] = {}
    keep: set[str] = set()
    app_labels: set[str] = set()
    for builder in builders():
        app_labels.add(builder.name)
        volume = builder.volume
        if volume is None:
            continue
        for name, rows in volume.targets.items():
            targets[f"{builder.name}.{name}"] = rows
        keep.update(f"{builder.name}.{name}" for name in volume.keep)
    return targets, keep, app_labels


def plan(fraction: float = 1.0, targets: dict[str, int] | None = None) -> list[Plan]:
    """How many copies of each model, parents before children; models with one copy left out.
    `targets` ({model label: rows}) replaces the apps' declared ones."""
    declared_targets, keep, app_labels = declared()
    targets = declared_targets if targets is None else targets
    candidates = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in app_labels
        and m._meta.app_label not in NEVER
        and m._meta.label not in keep
        and not m._meta.proxy
        and m._meta.managed
    ]
    counts = {m: m._base_manager.count() for m in candidates}
    copies: dict[type[models.Model], int] = {}
    for m in candidates:
        target = targets.get(m._meta.label)
        if target is not None and counts[m]:
            copies[m] = max(1, math.ceil(target * fraction / counts[m]))
    roots = set(copies)
    # every other model: as many copies as the most copied model it refers to, until nothing
    # changes (a cycle — a matter and its current version — settles on the larger number)
    changed = True
    while changed:
        changed = False
        for m in candidates:
            if m in roots:
                continue
            n = max([copies.get(f.related_model, 1) for f in _foreign_keys(m)] + [1])
            n = min([n] + [_cap(group, copies) for group in _unique_groups(m)])
            if n != copies.get(m, 1):
                copies[m], changed = n, True
    order: list[type[models.Model]] = []

    def visit(model, seen=()) -> None:
        if model in order or model in seen or copies.get(model, 1) == 1:
            return
        for f in _foreign_keys(model):
            visit(f.related_model, (*seen, model))
        order.append(model)

    for m in candidates:
        visit(m)
    return [Plan(model=m, copies=copies[m], rows=counts[m]) for m in order]


def _unique_groups(model) -> list[list]:
    """The fields of each unique field and unique constraint of `model` (the primary key aside)."""
    meta = model._meta
    groups = [[f] for f in meta.concrete_fields if f.unique and not f.primary_key]
    names = [list(c.fields) for c in meta.constraints if isinstance(c, models.UniqueConstraint)]
    names += [list(t) for t in meta.unique_together]
    groups += [[meta.get_field(n) for n in group] for group in names if group]
    return groups


def _cap(fields: list, copies: dict) -> int:
    """The most copies a unique group allows: as many as its most copied foreign key has (copy k
    points at copy k: a member's one instructor term is copied as often as the member); without a
    foreign key, any number when a copy can change one of its texts (a receipt number), else 1 (a
    raised problem's problem id: not copied)."""
    keys = [copies.get(f.related_model, 1) for f in fields if isinstance(f, models.ForeignKey)]
    if keys:
        return max(keys)
    return 10**9 if any(isinstance(f, TEXT_FIELDS) for f in fields) else 1


def _foreign_keys(model) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def _changed_columns(item: Plan, copies: dict) -> set[str]:
    """The fields a copy must change to keep its model's unique fields and constraints unique.
    A constraint holding a foreign key to a model copied at least as often needs nothing (copy k
    points at copy k); otherwise its first text or UUID field changes; with none,
    `ProvinceError`."""
    model = item.model

    def kept_apart(f) -> bool:
        return (
            f.primary_key
            or isinstance(f, models.ForeignKey)
            and f.related_model in copies
            and copies[f.related_model].copies >= item.copies
        )

    changed: set[str] = set()
    for fields in _unique_groups(model):
        if any(kept_apart(f) for f in fields):
            continue
        text = [f for f in fields if isinstance(f, TEXT_FIELDS)]
        if not text:  # a root copied more often than its unique group allows
            names = ", ".join(f.name for f in fields)
            raise ProvinceError(
                f"{model._meta.label} ({names}): its copies would repeat the originals'"
            )
        changed.add(text[0].name)
    return changed


def _expressions(
    item: Plan, copies: dict, changed: set[str], k: int
) -> tuple[list[str], list[str]]:
    """The column list and the SELECT expressions of copy k of `item.model`."""
    model, q = item.model, connection.ops.quote_name
    tag = _tag(k, len(_tag(item.copies - 1, 1)))
    columns, selected = [], []
    for f in model._meta.concrete_fields:
        col = q(f.column)
        columns.append(col)
        if f.primary_key:
            selected.append(f"{col} + {k * item.offset}")
        elif isinstance(f, models.ForeignKey) and f.related_model in copies:
            parent = copies[f.related_model]
            shift = (k % parent.copies) * parent.offset
            selected.append(f"{col} + {shift}" if shift else col)
        elif f.name in changed:
            selected.append(_unique_value(model, f, col, tag))
        else:
            selected.append(col)
    return columns, selected


_longest: dict[tuple[str, str], int] = {}  # the longest original value of a changed text


def _unique_value(model, f, col: str, tag: str) -> str:
    if isinstance(f, models.UUIDField):
        return (
            "gen_random_uuid()"
            if connection.vendor == "postgresql"
            else "lower(hex(randomblob(16)))"
        )
    if isinstance(f, models.CharField | models.TextField):
        if f.name.endswith("_hash"):  # a fixed-length digest: keep its length
            keep = (f.max_length or 64) - len(tag) - 1
            return f"substr({col}, 1, {keep}) || '~{tag}'"
        key = (model._meta.label, f.name)
        if key not in _longest:
            length = models.functions.Length(f.name)
            _longest[key] = model._base_manager.aggregate(n=models.Max(length))["n"] or 0
        if f.max_length and _longest[key] + 1 + len(tag) > f.max_length:
            raise ProvinceError(
                f"{model._meta.label}.{f.name}: a copy's value would pass {f.max_length} characters"
            )
        return f"{col} || '~{tag}'"
    raise ProvinceError(f"{model._meta.label}.{f.name}: a unique {type(f).__name__} is not copied")


def grow(
    fraction: float = 1.0,
    *,
    targets: dict[str, int] | None = None,
    progress: Callable[[str], None] = print,
) -> dict[str, int]:
    """Multiply the demo's records to `fraction` of the declared targets (or of `targets`);
    {model label: rows} of each model grown. Nothing is written when a copy would break a
    unique constraint (`ProvinceError`)."""
    from guanqing.core import counters

    items = plan(fraction, targets)
    copies = {item.model: item for item in items}
    q = connection.ops.quote_name
    for item in items:
        pk = item.model._meta.pk.column
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX({q(pk)}) FROM {q(item.model._meta.db_table)}")
            item.offset = (cursor.fetchone()[0] or 0) + 1
    changed = {item.model: _changed_columns(item, copies) for item in items}
    _longest.clear()
    for item in items:  # the last copy's values are the longest: refused before any write
        _expressions(item, copies, changed[item.model], item.copies - 1)
    written: dict[str, int] = {}
    with transaction.atomic(), counters.bulk_load():
        for item in items:
            table = q(item.model._meta.db_table)
            pk = q(item.model._meta.pk.column)
            with connection.cursor() as cursor:
                for k in range(1, item.copies):
                    columns, selected = _expressions(item, copies, changed[item.model], k)
                    cursor.execute(
                        f"INSERT INTO {table} ({', '.join(columns)}) "
                        f"SELECT {', '.join(selected)} FROM {table} WHERE {pk} < {item.offset}"
                    )
            written[item.model._meta.label] = item.rows * item.copies
            progress(
                f"{item.model._meta.label}: {item.rows:,} × {item.copies} = {item.rows * item.copies:,}"
            )
        _move_sequences([item.model for item in items])
        _analyze({})  # the planner's statistics of the grown tables
    return written


def _move_sequences(models_: list) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the largest id written
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(sql)
