"""What more than one app's demo builder uses: the article's units, the common surnames, shares
by weight, historic timestamps and fast inserts for bulk rows, and the community workers' accounts
(made by the registry demo, found here by the micro-wish and community demos)."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from operator import itemgetter

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Model

from guanqing.core.bulk import aware_datetime_adapter
from guanqing.core.roles import Role

# The short names of the units the 2014 Ningbo Daily article names; the registry demo makes each
# one a unit (its `UNITS`), the pairing demo pairs them first.
ARTICLE_UNITS = [
    "市纪委",
    "市发改委",
    "市人民检察院",
    "市编委办",
    "市人力社保局",
    "市妇联",
    "市审计局",
    "市财政局",
    "市住建局",
    "市外经贸局",
    "市工商局",
    "市质监局",
    "市交通委",
    "市气象局",
    "市贸促会",
    "市司法局",
    "市民政局",
    "市国安局",
    "市食品药品监管局",
    "市直机关工委",
]

# Common surnames in Ningbo, most frequent first (weights fall off along the list).
SURNAMES = list(
    "陈王张李周徐林胡朱俞应邵孙吴杨沈金黄毛董叶史包竺励鲍邬"
    "刘郑谢何许蒋顾袁韩方冯傅任丁钱严戴范汪余曹龚郭贺楼虞柴"
)


def surname(rng: random.Random) -> str:
    """A surname, the frequent ones first: the weight falls off along the list."""
    return SURNAMES[min(int(rng.expovariate(1 / 12)), len(SURNAMES) - 1)]


def weighted_counts(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split `total` over the weights (largest remainder), each share at least `minimum`."""
    n = len(weights)
    minimum = min(minimum, total // n)
    rest = total - minimum * n
    scale = sum(weights)
    raw = [rest * w / scale for w in weights]
    counts = [math.floor(r) for r in raw]
    order = sorted(range(n), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [c + minimum for c in counts]


@contextmanager
def historic_timestamps(*models: type[Model]) -> Iterator[None]:
    """Let bulk_create keep the times the demo sets on `auto_now`/`auto_now_add` fields (a claim
    made in March says March). The fields are restored afterwards; only the demo builders use this."""
    fields = [
        f
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def insert_rows(model: type[Model], rows: list[dict], batch_size: int = 5000) -> None:
    """INSERT rows given as {attname: value} (every row the same keys), without building model
    instances or returning keys: the demo's largest tables, which nothing refers to, load several
    times faster than with bulk_create. Values go through the backend's own adapters (times to
    UTC on SQLite, decimals to their scale), the database checks its constraints as always."""
    if not rows:
        return
    ops = connection.ops
    names = list(rows[0])
    fields = [model._meta.get_field(name) for name in names]
    adapters = []
    for f in fields:
        kind = f.get_internal_type()
        if kind == "DateTimeField":
            adapters.append(aware_datetime_adapter(connection))
        elif kind == "DateField":
            adapters.append(ops.adapt_datefield_value)
        elif kind == "DecimalField":
            adapters.append(partial(_decimal, ops, f.max_digits, f.decimal_places))
        else:
            adapters.append(None)
    read = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    adapted = [(i, adapt) for i, adapt in enumerate(adapters) if adapt is not None]
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(f.column) for f in fields)

    def values(batch):
        out = []
        for row in batch:
            value = read(row)
            if adapted:
                value = list(value)
                for i, adapt in adapted:
                    if value[i] is not None:
                        value[i] = adapt(value[i])
            out.append(value)
        return out

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: one stream instead of a statement per row (a third of the full demo's time on
            # PostgreSQL went to these inserts); psycopg writes each value as the column's text
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for start in range(0, len(rows), batch_size):
                    for row in values(rows[start : start + batch_size]):
                        copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, values(rows[start : start + batch_size]))


def _decimal(ops, max_digits, decimal_places, value):
    return ops.adapt_decimalfield_value(value, max_digits, decimal_places)


def community_workers() -> dict[int, tuple]:
    """The two worker accounts of each community, {community id: (first, second)}, oldest first:
    those of 徐家漕社区 are the `community_xujiacao` and `community_xujiacao2` demo accounts, the
    others the registry demo made so that every wish has a poster and a second pair of eyes."""
    accounts: dict[int, list] = defaultdict(list)
    workers = (
        get_user_model()
        .objects.filter(role=Role.COMMUNITY_WORKER, community__isnull=False)
        .order_by("pk")
    )
    for user in workers:
        accounts[user.community_id].append(user)
    return {pk: (users[0], users[1]) for pk, users in accounts.items() if len(users) >= 2}
