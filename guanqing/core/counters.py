"""Pre-aggregated counts: the headline figures a dashboard shows (visits this quarter, 人次 this
year) read from one row per day instead of counting the whole history, and the counts by group
(households by community, members by unit: `GroupCount`, `GroupTrigger`) read from one row per
group instead of counting every record.

A counter is a key ("pairing.visits") and one `DayCount` row per business date. The database
keeps the rows in step with the records they count, in the same transaction as each insert,
update or delete (triggers the counting app installs in its migrations: they fire for service
writes, bulk loads and direct SQL alike), so a headline over a year reads 366 rows at most
whatever the history holds. Each counter also names how to count it from scratch; `guanqing
counters` recounts every counter, reports any day whose stored count differs, and with `--fix`
rewrites them (CI runs it after building the demo).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, models, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils.module_loading import import_string


class DayCount(models.Model):
    key = models.CharField(max_length=64)
    day = models.DateField()
    n = models.BigIntegerField(default=0)

    class Meta:
        app_label = "core"
        db_table = "core_daycount"
        constraints = [
            models.UniqueConstraint(fields=["key", "day"], name="core_daycount_one_per_day")
        ]

    def __str__(self):
        return f"{self.key} {self.day}: {self.n}"


class GroupCount(models.Model):
    """A count kept by group instead of by day: the households of each community, the members of
    each unit (`group` is the community's or the unit's id)."""

    key = models.CharField(max_length=64)
    group = models.BigIntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        app_label = "core"
        db_table = "core_groupcount"
        constraints = [
            models.UniqueConstraint(fields=["key", "group"], name="core_groupcount_one_per_group")
        ]

    def __str__(self):
        return f"{self.key} {self.group}: {self.n}"


@dataclass(frozen=True)
class Counter:
    key: str
    recount: str  # dotted path: recount() -> {day (or group): n}, from the records themselves
    by_group: bool = False  # kept in GroupCount by group, not in DayCount by day
    # the model ("app_label.Model") every row of which it counts once, with no condition: its
    # sum over every day or group is the table's length (`table_length`)
    rows_of: str = ""

    def recounted(self) -> dict:
        fn: Callable[[], dict] = import_string(self.recount)
        return {day: n for day, n in fn().items() if n}

    def stored(self) -> dict:
        if self.by_group:
            return dict(GroupCount.objects.filter(key=self.key).values_list("group", "n"))
        return dict(DayCount.objects.filter(key=self.key).values_list("day", "n"))


_counters: dict[str, Counter] = {}
_triggers: dict[str, object] = {}
_rows_of: dict[str, Counter] = {}  # model label → the counter of its every row


def register(counter: Counter, *triggers) -> None:
    """A counter, and the triggers (RowTrigger, MoveTrigger) that keep it, from an app's ready()."""
    _counters[counter.key] = counter
    if counter.rows_of:
        _rows_of[counter.rows_of] = counter
    for trigger in triggers:
        _triggers[trigger.name] = trigger


def _registered(key: str) -> Counter:
    if key not in _counters:
        raise KeyError(f"no counter {key!r} is registered")
    return _counters[key]


def counted_tables() -> dict[str, Counter]:
    """{model label: the counter of its every row} (`Counter.rows_of`)."""
    return dict(_rows_of)


def counters() -> list[Counter]:
    return [_counters[key] for key in sorted(_counters)]


def total(key: str, first: datetime.date, last: datetime.date) -> int:
    """The count of `key` over the business dates `first` … `last`, inclusive."""
    _registered(key)
    found = DayCount.objects.filter(key=key, day__gte=first, day__lte=last).aggregate(s=Sum("n"))
    return found["s"] or 0


def _filters_set(filterset) -> dict | None:
    """The filters set on a list filtered by `filterset` (django-filter) whose reader sees every
    row of the table, as {name: value}; None when the reader sees fewer, or the filters are
    invalid (the list then counts its own rows)."""
    from guanqing.core.scope.querysets import is_every_row

    if not is_every_row(filterset.queryset):
        return None
    if not filterset.is_bound:
        return {}
    if not filterset.is_valid():
        return None
    return {k: v for k, v in filterset.form.cleaned_data.items() if v not in (None, "")}


def span_of_dates_alone(filterset) -> tuple[datetime.date, datetime.date] | None:
    """(first, last day) when a list filtered by `filterset` (with `date_from` and `date_to`) is
    every row of a span of days — its reader sees every row and filters by dates alone, or not at
    all — so that its totals and length can come from the day counts; None otherwise."""
    data = _filters_set(filterset)
    if data is None or set(data) - {"date_from", "date_to"}:
        return None
    return data.get("date_from") or datetime.date.min, data.get("date_to") or datetime.date.max


def yuan_total(key: str, first: datetime.date, last: datetime.date) -> Decimal:
    """A sum counter kept in fen over `first` … `last`, in yuan."""
    return Decimal(total(key, first, last)) / 100


def fen_sql(column: str) -> str:
    """A trigger's weight: the row's `column` (yuan, two decimals) in fen, `{row}` for NEW/OLD."""
    return f"CAST(ROUND(COALESCE({{row}}.{column}, 0) * 100) AS BIGINT)"


def rows_by(rows: models.QuerySet, column: str) -> dict:
    """{value: rows} of `rows` by `column` (a date or a group's id): what a row or group counter
    recounts."""
    found = rows.order_by().values(column).annotate(n=models.Count("pk"))
    return {row[column]: row["n"] for row in found}


def rows_by_business_date(rows: models.QuerySet, column: str) -> dict:
    """{business date of the timestamp `column`: rows} (TruncDate in the current time zone,
    Asia/Shanghai): what a counter of `RowTrigger(day_of_time=column)` recounts."""
    days = rows.order_by().annotate(day=TruncDate(column)).values_list("day")
    return dict(days.annotate(n=models.Count("*")))


def fen_by_day(rows: models.QuerySet, day: str, amount: str) -> dict:
    """{day: the sum of `amount` (yuan, two decimals) in fen} of `rows` by the date field `day`:
    what a sum counter recounts."""
    fen = models.ExpressionWrapper(
        models.F(amount) * 100, output_field=models.DecimalField(max_digits=18, decimal_places=0)
    )
    found = rows.order_by().values(day).annotate(n=Sum(fen))
    return {row[day]: int(round(row["n"] or 0)) for row in found}


@dataclass(frozen=True)
class Difference:
    key: str
    day: datetime.date | int  # the group's id for a group counter
    stored: int
    counted: int


def table_length(rows) -> int | None:
    """The length of `rows` from a counter when `rows` is every row of a table a counter counts
    (the committee's unfiltered list: no condition, one row per record), so that its paginator
    reads a few hundred counts instead of counting millions of records; None otherwise."""
    from guanqing.core.scope.querysets import is_every_row

    if not isinstance(rows, models.QuerySet):
        return None
    counter = _rows_of.get(rows.model._meta.label)
    query = rows.query
    if (
        counter is None
        or not is_every_row(rows)
        or query.distinct
        or query.group_by not in (None, True)  # values(…).annotate(…): a row per group
        or rows._iterable_class is not models.query.ModelIterable
    ):
        return None
    if counter.by_group:
        return group_total(counter.key)
    return DayCount.objects.filter(key=counter.key).aggregate(s=Sum("n"))["s"] or 0


def by_group(key: str) -> dict[int, int]:
    """{group: count} of a group counter (the groups whose count is not 0)."""
    return {group: n for group, n in _registered(key).stored().items() if n}


def group_total(key: str) -> int:
    """The sum of a group counter over its groups, by the database (the households of the
    province from the count of each community)."""
    _registered(key)
    return GroupCount.objects.filter(key=key).aggregate(s=Sum("n"))["s"] or 0


def by_group_of(key: str, model: type[models.Model], field: str) -> dict:
    """{value of `field` on the group's row of `model`: count}: a group counter rolled up one
    level in one query (the households of each community → of each district), reading a row a
    group instead of looking up each group's count from `model`'s every row."""
    _registered(key)
    column = model._meta.get_field(field).column
    q = connection.ops.quote_name
    sql = (
        f"SELECT t.{q(column)}, SUM(g.n) FROM core_groupcount g "
        f"INNER JOIN {q(model._meta.db_table)} t ON t.{q(model._meta.pk.column)} = g.{q('group')} "
        f"WHERE g.key = %s AND g.n <> 0 GROUP BY t.{q(column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        return {value: int(n) for value, n in cursor.fetchall() if n}


def largest_groups(key: str, limit: int) -> models.QuerySet:
    """The ids of the `limit` largest groups and of every group tied with the last of them, as a
    subquery (`Unit.objects.filter(pk__in=largest_groups(MEMBERS_BY_UNIT, 10))`): the ten
    largest units read from their counts, not every unit's count looked up."""
    _registered(key)
    counts = GroupCount.objects.filter(key=key, n__gt=0)
    last = counts.order_by("-n").values("n")[limit - 1 : limit]  # none: fewer groups than that
    threshold = Coalesce(Subquery(last), models.Value(1), output_field=models.BigIntegerField())
    return counts.filter(n__gte=threshold).values("group")


def group_count(key: str, outer: str = "pk"):
    """The count of `key` for the group whose id is the outer query's `outer` field, as an
    expression (`Unit.objects.annotate(members=group_count(MEMBERS_BY_UNIT))`): read with the
    rows, in the same query."""
    _registered(key)

    rows = GroupCount.objects.filter(key=key, group=OuterRef(outer)).values("n")[:1]
    return Subquery(rows, output_field=models.BigIntegerField())


def differences(counter: Counter) -> list[Difference]:
    stored = counter.stored()
    counted = counter.recounted()
    out = []
    for day in sorted(set(stored) | set(counted)):
        if stored.get(day, 0) != counted.get(day, 0):
            out.append(Difference(counter.key, day, stored.get(day, 0), counted.get(day, 0)))
    return out


def rewrite(counter: Counter) -> None:
    """Replace the stored rows of `counter` with a recount (locks the counter's rows)."""
    model = GroupCount if counter.by_group else DayCount
    column = "group" if counter.by_group else "day"
    with transaction.atomic():
        list(model.objects.select_for_update().filter(key=counter.key).values_list("pk"))
        model.objects.filter(key=counter.key).delete()
        model.objects.bulk_create(
            model(key=counter.key, n=n, **{column: at}) for at, n in counter.recounted().items()
        )


@contextmanager
def bulk_load():
    """Suspend the counting triggers while a bulk load writes millions of rows (a benchmark's
    data, a history import), then recount every counter once: a row at a time would cost more
    than the load."""
    from django.db import connection

    triggers = list(_triggers.values())
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:  # ALTER TABLE refuses a table with deferred checks still pending
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for trigger in triggers:
            if postgresql:
                for name in trigger.pg_names():
                    cursor.execute(f"ALTER TABLE {trigger.table} DISABLE TRIGGER {name}")
            else:
                for sql in trigger.drop("sqlite"):
                    cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if postgresql:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for trigger in triggers:
                if postgresql:
                    for name in trigger.pg_names():
                        cursor.execute(f"ALTER TABLE {trigger.table} ENABLE TRIGGER {name}")
                else:
                    for sql in trigger.sqlite():
                        cursor.execute(sql)
        for counter in counters():
            rewrite(counter)


# ----------------------------------------------------------------------------------------------
# Triggers: SQL for the two databases, installed by the counting app's migration


def _sqlite_upsert(key: str, day: str, delta: str) -> str:
    return (
        f"INSERT INTO core_daycount (key, day, n) VALUES ('{key}', {day}, {delta}) "
        f"ON CONFLICT (key, day) DO UPDATE SET n = n + excluded.n;"
    )


def _pg_upsert(key: str, day: str, delta: str) -> str:
    return (
        f"INSERT INTO core_daycount (key, day, n) VALUES ('{key}', {day}, {delta}) "
        f"ON CONFLICT (key, day) DO UPDATE SET n = core_daycount.n + excluded.n;"
    )


# On PostgreSQL an insert or a delete is counted once per statement, from the statement's rows
# (a transition table), grouped by day or group: one upsert per day or group the statement
# touched. Counted a row at a time, every row updated the same counter row again, and within one
# transaction each update walked the versions the ones before had left: an import of 30,000
# households spent 5.5 s in the trigger, 10,000 0.5 s. An update that moves a row (another day,
# another group) is rare and stays a row trigger: transition tables cannot watch named columns.
# The days or groups are upserted in order, so that two statements lock their counter rows in the
# same order.


def _pg_statement_trigger(name: str, table: str, op: str, body: str) -> list[str]:
    """An AFTER `op` (INSERT or DELETE) trigger run once per statement, its rows in `counted`."""
    rows = "NEW TABLE" if op == "INSERT" else "OLD TABLE"
    return [
        f"CREATE FUNCTION {name}_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{body} RETURN NULL; END $$",
        f"CREATE TRIGGER {name} AFTER {op} ON {table} REFERENCING {rows} AS counted "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}_fn()",
    ]


def _pg_drop(table: str, names: Iterable[str]) -> list[str]:
    statements = []
    for name in names:
        statements += [
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"DROP FUNCTION IF EXISTS {name}_fn()",
        ]
    return statements


def _pg_names(name: str, *suffixes: str) -> tuple[str, ...]:
    return tuple(f"{name}_{suffix}" for suffix in suffixes)


def business_day_sql(column: str, vendor: str) -> str:
    """SQL for the business date (settings.TIME_ZONE) of the timestamp `column`: PostgreSQL
    converts it with the zone's rules; SQLite holds UTC text and adds the zone's offset, which
    must then be fixed (Asia/Shanghai: +8 hours, no daylight saving)."""
    from django.conf import settings

    if vendor == "postgresql":
        return f"(({column}) AT TIME ZONE '{settings.TIME_ZONE}')::date"
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    offsets = {zone.utcoffset(datetime.datetime(2026, month, 1)) for month in (1, 4, 7, 10)}
    if len(offsets) != 1:
        raise ValueError(f"{settings.TIME_ZONE} has no fixed offset for SQLite's date()")
    minutes = int(offsets.pop().total_seconds() // 60)
    return f"date({column}, '{minutes:+d} minutes')"


@dataclass(frozen=True)
class RowTrigger:
    """Count the rows of `table` under `key` on the day in column `day_column`, or on the
    business date of the timestamp in `day_of_time` (a sign-up's time), or, for a table that has
    no date of its own — the participants of a visit — on the day `day_sql` selects with `{row}`
    standing for NEW or OLD. With `weight_sql` (`{row}` likewise) a row adds that integer
    instead of 1 — an amount in fen, summed — and an update of one of `weight_columns` moves it
    too."""

    name: str
    table: str
    key: str
    day_column: str = ""
    day_sql: str = ""
    update_columns: tuple[str, ...] = ()
    weight_sql: str = ""
    weight_columns: tuple[str, ...] = ()
    day_of_time: str = ""

    @property
    def _column(self) -> str:
        """The row's own column its day comes from (an update of it moves the row's count)."""
        return self.day_column or self.day_of_time

    def day(self, row: str, vendor: str = "") -> str:
        if self.day_column:
            return f"{row}.{self.day_column}"
        if self.day_of_time:
            return business_day_sql(f"{row}.{self.day_of_time}", vendor)
        return f"({self.day_sql.format(row=row)})"

    def weight(self, row: str) -> str:
        return f"({self.weight_sql.format(row=row)})" if self.weight_sql else "1"

    def _minus(self, row: str) -> str:
        return f"-{self.weight(row)}"

    def _watched(self) -> tuple[str, ...]:
        return (self._column, *self.weight_columns)

    def _when(self, row: str) -> str:
        """A row whose day cannot be found (its visit already gone) counts nowhere."""
        return f"WHEN {self.day(row)} IS NOT NULL " if self.day_sql else ""

    def sqlite(self) -> list[str]:
        statements = [
            f"CREATE TRIGGER {self.name}_ins AFTER INSERT ON {self.table} {self._when('NEW')}"
            f"BEGIN {_sqlite_upsert(self.key, self.day('NEW', 'sqlite'), self.weight('NEW'))} END",
            f"CREATE TRIGGER {self.name}_del AFTER DELETE ON {self.table} {self._when('OLD')}"
            f"BEGIN {_sqlite_upsert(self.key, self.day('OLD', 'sqlite'), self._minus('OLD'))} END",
        ]
        if self._column:
            watched = self._watched()
            changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in watched)
            statements.append(
                f"CREATE TRIGGER {self.name}_upd AFTER UPDATE OF {', '.join(watched)} "
                f"ON {self.table} WHEN {changed} BEGIN "
                f"{_sqlite_upsert(self.key, self.day('OLD', 'sqlite'), self._minus('OLD'))} "
                f"{_sqlite_upsert(self.key, self.day('NEW', 'sqlite'), self.weight('NEW'))} END"
            )
        return statements

    def _pg_counted(self, sign: str) -> str:
        """The upsert of a statement's rows (`counted`), summed by day; `sign` "" or "-"."""
        guard = "WHERE d IS NOT NULL " if self.day_sql else ""
        total = "COUNT(*)" if not self.weight_sql else "SUM(w)::bigint"
        return (
            f"INSERT INTO core_daycount (key, day, n) SELECT '{self.key}', d, {sign}{total} "
            f"FROM (SELECT {self.day('r', 'postgresql')} AS d, {self.weight('r')} AS w "
            f"FROM counted AS r) AS t "
            f"{guard}GROUP BY d ORDER BY d "
            f"ON CONFLICT (key, day) DO UPDATE SET n = core_daycount.n + excluded.n;"
        )

    def pg_names(self) -> tuple[str, ...]:
        return _pg_names(self.name, "ins", "del", *(("upd",) if self._column else ()))

    def postgresql(self) -> list[str]:
        statements = [
            *_pg_statement_trigger(f"{self.name}_ins", self.table, "INSERT", self._pg_counted("")),
            *_pg_statement_trigger(f"{self.name}_del", self.table, "DELETE", self._pg_counted("-")),
        ]
        if self._column:
            watched = self._watched()
            changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in watched)
            statements += [
                f"CREATE FUNCTION {self.name}_upd_fn() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN IF {changed} THEN "
                f"{_pg_upsert(self.key, self.day('OLD', 'postgresql'), self._minus('OLD'))} "
                f"{_pg_upsert(self.key, self.day('NEW', 'postgresql'), self.weight('NEW'))} "
                f"END IF; "
                f"RETURN NEW; END $$",
                f"CREATE TRIGGER {self.name}_upd AFTER UPDATE OF {', '.join(watched)} "
                f"ON {self.table} FOR EACH ROW EXECUTE FUNCTION {self.name}_upd_fn()",
            ]
        return statements

    def drop(self, vendor: str) -> list[str]:
        if vendor == "postgresql":  # and the one row trigger of earlier versions
            return _pg_drop(self.table, (self.name, *_pg_names(self.name, "ins", "del", "upd")))
        return [f"DROP TRIGGER IF EXISTS {self.name}_{op}" for op in ("ins", "del", "upd")]


@dataclass(frozen=True)
class MoveTrigger:
    """When a row of `table` changes its `day_column`, move `weight_sql` (with `{row}` for the row:
    how many counted rows hang on it — a visit's participants) from the old day to the new one."""

    name: str
    table: str
    key: str
    day_column: str
    weight_sql: str

    def _weight(self) -> str:
        return f"({self.weight_sql.format(row='NEW')})"

    def pg_names(self) -> tuple[str, ...]:
        return (self.name,)

    def sqlite(self) -> list[str]:
        old, new = f"OLD.{self.day_column}", f"NEW.{self.day_column}"
        return [
            f"CREATE TRIGGER {self.name}_upd AFTER UPDATE OF {self.day_column} ON {self.table} "
            f"WHEN {old} IS NOT {new} AND {self._weight()} > 0 BEGIN "
            f"{_sqlite_upsert(self.key, old, '-' + self._weight())} "
            f"{_sqlite_upsert(self.key, new, self._weight())} END"
        ]

    def postgresql(self) -> list[str]:
        old, new = f"OLD.{self.day_column}", f"NEW.{self.day_column}"
        function = f"{self.name}_fn"
        return [
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"DECLARE w bigint; BEGIN "
            f"IF {old} IS DISTINCT FROM {new} THEN w := {self._weight()}; "
            f"IF w > 0 THEN {_pg_upsert(self.key, old, '-w')} {_pg_upsert(self.key, new, 'w')} "
            f"END IF; END IF; RETURN NEW; END $$",
            f"CREATE TRIGGER {self.name} AFTER UPDATE OF {self.day_column} ON {self.table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        ]

    def drop(self, vendor: str) -> list[str]:
        if vendor == "postgresql":
            return [
                f"DROP TRIGGER IF EXISTS {self.name} ON {self.table}",
                f"DROP FUNCTION IF EXISTS {self.name}_fn()",
            ]
        return [f"DROP TRIGGER IF EXISTS {self.name}_upd"]


def _group_upsert(key: str, group: str, delta: str, vendor: str) -> str:
    n = "core_groupcount.n" if vendor == "postgresql" else "n"
    return (
        f"INSERT INTO core_groupcount (key, \"group\", n) VALUES ('{key}', {group}, {delta}) "
        f'ON CONFLICT (key, "group") DO UPDATE SET n = {n} + excluded.n;'
    )


@dataclass(frozen=True)
class GroupTrigger:
    """Count the rows of `table` under `key` by the value of `group_column` (a foreign key):
    one more for an insert, one fewer for a delete, moved when an update changes the column."""

    name: str
    table: str
    key: str
    group_column: str

    def sqlite(self) -> list[str]:
        c, key = self.group_column, self.key
        return [
            f"CREATE TRIGGER {self.name}_ins AFTER INSERT ON {self.table} BEGIN "
            f"{_group_upsert(key, f'NEW.{c}', '1', 'sqlite')} END",
            f"CREATE TRIGGER {self.name}_del AFTER DELETE ON {self.table} BEGIN "
            f"{_group_upsert(key, f'OLD.{c}', '-1', 'sqlite')} END",
            f"CREATE TRIGGER {self.name}_upd AFTER UPDATE OF {c} ON {self.table} "
            f"WHEN OLD.{c} IS NOT NEW.{c} BEGIN "
            f"{_group_upsert(key, f'OLD.{c}', '-1', 'sqlite')} "
            f"{_group_upsert(key, f'NEW.{c}', '1', 'sqlite')} END",
        ]

    def _pg_counted(self, sign: str) -> str:
        """The upsert of a statement's rows (`counted`), counted by group; `sign` "" or "-"."""
        c = self.group_column
        return (
            f'INSERT INTO core_groupcount (key, "group", n) '
            f"SELECT '{self.key}', {c}, {sign}COUNT(*) FROM counted GROUP BY {c} ORDER BY {c} "
            f'ON CONFLICT (key, "group") DO UPDATE SET n = core_groupcount.n + excluded.n;'
        )

    def pg_names(self) -> tuple[str, ...]:
        return _pg_names(self.name, "ins", "del", "upd")

    def postgresql(self) -> list[str]:
        c, key = self.group_column, self.key
        return [
            *_pg_statement_trigger(f"{self.name}_ins", self.table, "INSERT", self._pg_counted("")),
            *_pg_statement_trigger(f"{self.name}_del", self.table, "DELETE", self._pg_counted("-")),
            f"CREATE FUNCTION {self.name}_upd_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF OLD.{c} IS DISTINCT FROM NEW.{c} THEN "
            f"{_group_upsert(key, f'OLD.{c}', '-1', 'postgresql')} "
            f"{_group_upsert(key, f'NEW.{c}', '1', 'postgresql')} END IF; RETURN NEW; END $$",
            f"CREATE TRIGGER {self.name}_upd AFTER UPDATE OF {c} "
            f"ON {self.table} FOR EACH ROW EXECUTE FUNCTION {self.name}_upd_fn()",
        ]

    def drop(self, vendor: str) -> list[str]:
        if vendor == "postgresql":  # and the one row trigger of earlier versions
            return _pg_drop(self.table, (self.name, *self.pg_names()))
        return [f"DROP TRIGGER IF EXISTS {self.name}_{op}" for op in ("ins", "del", "upd")]


def count_existing(trigger: GroupTrigger | RowTrigger):
    """A migration operation counting the rows already in the trigger's table, by group or by
    its day (column, or business date of a timestamp), before the trigger is installed (and
    removing the counts when the migration is reversed). A row trigger with a weight or a day
    found by SQL counts its own way."""
    from django.db import migrations

    if isinstance(trigger, GroupTrigger):
        table, column = 'core_groupcount (key, "group", n)', trigger.group_column
    else:
        if trigger.weight_sql or trigger.day_sql:
            raise ValueError(f"{trigger.name}: only a plain count by a day column is counted here")
        table, column = "core_daycount (key, day, n)", trigger.day_column
    store = table.split(" ", 1)[0]

    def forward(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        day = trigger.day("t", vendor) if isinstance(trigger, RowTrigger) else f"t.{column}"
        schema_editor.execute(
            f"INSERT INTO {table} SELECT '{trigger.key}', d, COUNT(*) "
            f"FROM (SELECT {day} AS d FROM {trigger.table} AS t) AS days GROUP BY d"
        )

    def backward(apps, schema_editor):
        schema_editor.execute(f"DELETE FROM {store} WHERE key = '{trigger.key}'")

    return migrations.RunPython(forward, backward)


def install(triggers: list[RowTrigger | MoveTrigger | GroupTrigger]):
    """A migration operation installing `triggers` on either database (and removing them when
    the migration is reversed)."""
    from django.db import migrations

    def forward(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for trigger in triggers:
            for sql in trigger.postgresql() if vendor == "postgresql" else trigger.sqlite():
                schema_editor.execute(sql)

    def backward(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for trigger in triggers:
            for sql in trigger.drop(vendor):
                schema_editor.execute(sql)

    return migrations.RunPython(forward, backward)


def statement_triggers():
    """A migration operation replacing, on PostgreSQL, the row-at-a-time counting triggers of
    earlier versions with the ones installed now (see _pg_statement_trigger). Only a table that
    still has one is touched: a database migrated from empty has the new ones already."""
    from django.db import migrations

    def forward(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            installed = {row[0] for row in cursor.fetchall()}
        for trigger in _triggers.values():
            if trigger.name in installed and trigger.pg_names() != (trigger.name,):
                for sql in [*trigger.drop("postgresql"), *trigger.postgresql()]:
                    schema_editor.execute(sql)

    return migrations.RunPython(forward, migrations.RunPython.noop)
