"""The demo at a province's scale: the records of the demo multiplied, in the database, to the
numbers each app declares (a Zhejiang-sized platform: a million households and pairings, ten
million visits, half a million members and wishes, two million window cases, a million problems).

Each app's demo module may declare what it holds at a province's scale:

    PROVINCE = Volume(targets={"Household": 1_000_000}, keep=("Transaction",))

`targets` are the records to multiply up to those numbers (the roots, whatever they refer to);
`only` copies just some rows of a root (a lookup: the communities of the divisions, so that a
province has some 25,000 communities under the demo's districts and streets, each holding about
a real one's households), the others are shared by every copy; `numbered` names unique codes
that take no suffix (twelve digits by a check constraint): copy k's is 9 followed by its new id,
zero-padded to the field's length (no GB/T 2260 code begins with 9);
every other model of an app with a demo builder follows the records it belongs to: a model with a
foreign key to a multiplied model is multiplied as many times as the most multiplied of them (a
visit's participants with the visit, a claim with its wish), a model with none is shared by every
copy (categories, plans). `keep` names the models never to copy (a ledger that must balance).

Copy k of a record has the id `id + k × offset` (offset: one past the model's largest id), points
at copy `k mod n` of each multiplied record it refers to (n: that model's number of copies) and at
the shared records (a street, where only communities are copied) as the original does; a model
that follows a record of which only some rows are copied is copied row by row (a village's party
organisation with the village, a unit's with the unit). A unique text gets `~<k>` appended (a
hash keeps its length: its last characters are replaced; no original holds a `~`), a unique UUID
a new one.
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
    only: dict[str, dict] = field(default_factory=dict)  # model name -> lookups of rows copied
    numbered: dict[str, tuple[str, ...]] = field(default_factory=dict)  # model name -> codes


class ProvinceError(Exception):
    """The copies cannot be made as declared (a unique column they would repeat)."""


@dataclass
class Plan:
    model: type[models.Model]
    copies: int  # 1 + the number of copies made: every row exists `copies` times afterwards
    offset: int = 0
    rows: int = 0  # the rows copied (those `only` selects)
    only: dict | None = None  # lookups of the rows copied; None: every row
    originals: list[int] | None = None  # with `only`: the ids copied (set by `grow`)
    root: bool = False  # multiplied to a number of its own, not following others
    numbered: tuple[str, ...] = ()


def _tag(k: int, width: int) -> str:
    digits = ""
    while k:
        k, d = divmod(k, 36)
        digits = DIGITS[d] + digits
    return digits.rjust(width, "0")


def declared() -> tuple[dict[str, int], set[str], set[str]]:
    """({model label: target}, {labels kept}, {app labels with a demo builder})."""
    targets: dict[str, int] = {}
    keep: set[str] = set()
    app_labels: set[str] = set()
    for app_label, volume in _volumes():
        app_labels.add(app_label)
        if volume is None:
            continue
        for name, rows in volume.targets.items():
            targets[f"{app_label}.{name}"] = rows
        keep.update(f"{app_label}.{name}" for name in volume.keep)
    return targets, keep, app_labels


def _volumes() -> list[tuple[str, Volume | None]]:
    from guanqing.core.demo.registry import builders

    return [(builder.name, builder.volume) for builder in builders()]


def _declared_rows() -> tuple[dict[str, dict], dict[str, tuple[str, ...]]]:
    """({model label: lookups of the rows copied}, {model label: numbered codes})."""
    only: dict[str, dict] = {}
    numbered: dict[str, tuple[str, ...]] = {}
    for app_label, volume in _volumes():
        if volume is not None:
            only.update({f"{app_label}.{name}": q for name, q in volume.only.items()})
            numbered.update({f"{app_label}.{name}": f for name, f in volume.numbered.items()})
    return only, numbered


def plan(fraction: float = 1.0, targets: dict[str, int] | None = None) -> list[Plan]:
    """How many copies of each model, parents before children; models with one copy left out.
    `targets` ({model label: rows}) replaces the apps' declared ones."""
    declared_targets, keep, app_labels = declared()
    targets = declared_targets if targets is None else targets
    only, numbered = _declared_rows()
    candidates = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in app_labels
        and m._meta.app_label not in NEVER
        and m._meta.label not in keep
        and not m._meta.proxy
        and m._meta.managed
    ]
    counts = {m: m._base_manager.filter(**only.get(m._meta.label, {})).count() for m in candidates}
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
    return [
        Plan(
            model=m,
            copies=copies[m],
            rows=counts[m],
            only=only.get(m._meta.label),
            root=m in roots,
            numbered=numbered.get(m._meta.label, ()),
        )
        for m in order
    ]


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
    A constraint holding, for each copy k, a foreign key to a record that has a copy k needs
    nothing (copy k points at copy k); otherwise its numbered code or its first text or UUID field
    changes; with none, `ProvinceError`."""
    model, q = item.model, connection.ops.quote_name
    found: dict[tuple, bool] = {}

    def kept_apart(f, k: int) -> bool:
        """Copy k of every row differs from the others in `f`."""
        if f.primary_key:
            return True
        parent = copies.get(f.related_model) if isinstance(f, models.ForeignKey) else None
        if parent is None or parent.copies <= k:
            return False
        condition = _copied_rows(parent, copies, k)
        if condition is None:
            return True
        # only some of the parent's rows have a copy k: every row copied must name one of those
        key = (f.column, condition, _copied_rows(item, copies, k))
        if key not in found:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT 1 FROM {q(model._meta.db_table)} "
                    f"WHERE {q(model._meta.pk.column)} < {item.offset}{_and(key[2])} "
                    f"AND {q(f.column)} IS NOT NULL "
                    f"AND {q(f.column)} NOT IN ({_originals(parent, condition)}) LIMIT 1"
                )
                found[key] = cursor.fetchone() is None
        return found[key]

    changed: set[str] = set()
    for fields in _unique_groups(model):
        if all(any(kept_apart(f, k) for f in fields) for k in range(1, item.copies)):
            continue
        numbered = [f for f in fields if f.name in item.numbered]
        if numbered:
            changed.add(numbered[0].name)
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
            condition = _copied_rows(parent, copies, k % parent.copies) if shift else None
            if condition is not None:  # only some of its rows have that copy: the others shared
                selected.append(
                    f"{col} + CASE WHEN {col} IN ({_originals(parent, condition)}) "
                    f"THEN {shift} ELSE 0 END"
                )
            else:
                selected.append(f"{col} + {shift}" if shift else col)
        elif f.name in item.numbered and f.name in changed:
            selected.append(_numbered_value(f, f"{q(model._meta.pk.column)} + {k * item.offset}"))
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


def _copied_rows(item: Plan, copies: dict, k: int) -> str | None:
    """The condition on the originals of `item.model` that have a copy k, or None: all of them.
    Of a root, those `only` selects; of a model that follows others, those naming a record that
    has a copy k (all, when one of them is copied whole that often): a party organisation of a
    unit has as many copies as the unit, one of a village as many as the village."""
    q = connection.ops.quote_name
    if item.originals is not None:
        return f"{q(item.model._meta.pk.column)} IN ({_ids(item.originals)})"
    if item.root:
        return None
    named = []
    for f in _foreign_keys(item.model):
        parent = copies.get(f.related_model)
        if parent is None or parent.model is item.model or parent.copies <= k:
            continue  # not copied that often; a tree's rows follow their own parents
        condition = _copied_rows(parent, copies, k)
        if condition is None:
            return None
        named.append(f"{q(f.column)} IN ({_originals(parent, condition)})")
    return f"({' OR '.join(named)})" if named else None


def _originals(item: Plan, condition: str) -> str:
    """A subquery: the ids of the originals of `item.model` meeting `condition`."""
    q = connection.ops.quote_name
    pk = q(item.model._meta.pk.column)
    return (
        f"SELECT {pk} FROM {q(item.model._meta.db_table)} "
        f"WHERE {pk} < {item.offset} AND {condition}"
    )


def _and(condition: str | None) -> str:
    return f" AND {condition}" if condition else ""


def _ids(ids: list[int]) -> str:
    return ", ".join(map(str, ids)) or "NULL"


def _numbered_value(f, new_id: str) -> str:
    """9 followed by the copy's id, zero-padded to the field's length (a twelve-digit code);
    an empty code (one the constraint leaves out) stays empty."""
    width, col = f.max_length - 1, connection.ops.quote_name(f.column)
    if connection.vendor == "postgresql":
        number = f"'9' || lpad(({new_id})::text, {width}, '0')"
    else:
        number = f"'9' || printf('%0{width}d', {new_id})"
    return f"CASE WHEN {col} = '' THEN {col} ELSE {number} END"  # an empty code stays empty


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
        if item.only is not None:
            rows = item.model._base_manager.filter(**item.only).order_by("pk")
            item.originals = list(rows.values_list("pk", flat=True))
        if item.numbered:
            longest = len(str((item.copies - 1) * item.offset + item.offset))
            for name in item.numbered:
                if 1 + longest > item.model._meta.get_field(name).max_length:
                    raise ProvinceError(
                        f"{item.model._meta.label}.{name}: a copy's number would not fit"
                    )
    changed = {item.model: _changed_columns(item, copies) for item in items}
    _longest.clear()
    for item in items:  # the last copy's values are the longest: refused before any write
        _expressions(item, copies, changed[item.model], item.copies - 1)
    written: dict[str, int] = {}
    with transaction.atomic(), counters.bulk_load():
        for item in items:
            table = q(item.model._meta.db_table)
            pk = q(item.model._meta.pk.column)
            total = item.rows if item.only is None else item.model._base_manager.count()
            with connection.cursor() as cursor:
                for k in range(1, item.copies):
                    columns, selected = _expressions(item, copies, changed[item.model], k)
                    cursor.execute(
                        f"INSERT INTO {table} ({', '.join(columns)}) "
                        f"SELECT {', '.join(selected)} FROM {table} "
                        f"WHERE {pk} < {item.offset}{_and(_copied_rows(item, copies, k))}"
                    )
                    total += cursor.rowcount
            written[item.model._meta.label] = total
            progress(f"{item.model._meta.label}: {item.rows:,} × up to {item.copies} = {total:,}")
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
