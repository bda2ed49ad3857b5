"""Figures that take long to count, kept in the shared cache and recounted in the background.

A figures page of the whole province (a year of ten million visits, a compliance board of a
million pairings) takes seconds to count however the query is written. Such a page reads a
snapshot instead: the result of the last count, with the time it was counted (`as_of`), which the
page shows ("数据截至 …"). A snapshot older than `FIGURES_MAX_AGE` seconds is still shown, and a
recount is queued for the worker (once, however many readers ask), so no reader waits for it.

Only counts that took at least `FIGURES_SLOW_MS` are kept: on a city's data the same pages count
afresh on every request, as before, and show live figures. A result depends on nothing but its
arguments — the computations registered here are for readers who see every row (the committee),
so the snapshot is the same for each of them. A computation registered with `scoped=True` is also
kept per shared scope (`shared_scope`: a unit administrator's unit), since every reader of that
scope sees the same rows; it is then called with `scope=` as well and counts for
`accounts.selectors.scope_reader(scope)`. Other readers (a member, a community worker) count
their own rows live. The business date is one of the arguments, so a new day starts new
snapshots; the daily job `snapshots` counts the committee's registered defaults (`warm`) so that
its first reader of the day does not wait either (a unit's first reader counts its own).

Register a computation with `register(name, compute, warm=…)`: `compute(**args)` takes JSON
values (numbers, strings, None — dates as ISO strings, since the recount travels through the task
queue) and returns something the cache can pickle.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

logger = logging.getLogger("guanqing.snapshots")

KEEP_FOR = 2 * 24 * 3600  # seconds a snapshot stays in the cache (its date makes it stale sooner)


@dataclass(frozen=True)
class Snapshot:
    value: Any
    as_of: datetime.datetime  # when the count began: the data it shows is as of then
    kept: bool  # read from the cache (the page says as of when) rather than counted just now


@dataclass(frozen=True)
class Computation:
    name: str
    compute: Callable[..., Any]
    warm: Callable[[datetime.date], Iterable[dict]] | None
    scoped: bool = False  # also kept per shared scope: `compute(scope=…, **args)`


_registry: dict[str, Computation] = {}


def register(
    name: str,
    compute: Callable[..., Any],
    *,
    warm: Callable[[datetime.date], Iterable[dict]] | None = None,
    scoped: bool = False,
) -> None:
    """Register (or replace, when an app is loaded again) the computation called `name`;
    `warm(today)` gives the arguments of the views most read that day (the pages' defaults).
    With `scoped`, `compute` also takes `scope` (absent for the committee) and counts what
    `accounts.selectors.scope_reader(scope)` sees."""
    _registry[name] = Computation(name=name, compute=compute, warm=warm, scoped=scoped)


def computations() -> list[Computation]:
    return list(_registry.values())


def _computation(name: str) -> Computation:
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"no snapshot computation called {name!r}") from None


def key(name: str, args: dict, language: str | None = None) -> str:
    """The cache key of a snapshot: its arguments and the language it is counted in (a result
    may carry translated labels)."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    text = json.dumps([args, language], sort_keys=True, separators=(",", ":"))
    return f"snapshot:{name}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def _slow_seconds() -> float | None:
    slow = getattr(settings, "FIGURES_SLOW_MS", 100)
    return None if slow is None else slow / 1000


def _max_age() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "FIGURES_MAX_AGE", 300))


def count(name: str, args: dict, *, keep: bool | None = None) -> Snapshot:
    """Count afresh; keep the result when the count was slow (or when `keep` says so)."""
    computation = _computation(name)
    as_of = timezone.now()
    started = time.perf_counter()
    value = computation.compute(**args)
    took = time.perf_counter() - started
    if keep is None:
        slow = _slow_seconds()
        keep = slow is not None and took >= slow
    if keep:
        cache.set(key(name, args), (value, as_of), KEEP_FOR)
    return Snapshot(value=value, as_of=as_of, kept=False)


_afresh: contextvars.ContextVar[bool] = contextvars.ContextVar("snapshots_afresh", default=False)


@contextlib.contextmanager
def afresh() -> Iterator[None]:
    """Within this block every `read` counts now, whatever is kept: for figures that are stored
    as they stand (a report being published), including those read deep inside other code."""
    token = _afresh.set(True)
    try:
        yield
    finally:
        _afresh.reset(token)


def read(name: str, args: dict) -> Snapshot:
    """The figures of `name` for `args`: the kept snapshot when there is one (queueing a recount
    when it is older than `FIGURES_MAX_AGE`), else counted now (always now within `afresh()`)."""
    if _slow_seconds() is None or _afresh.get():
        return count(name, args, keep=False)
    entry_key = key(name, args)
    entry = cache.get(entry_key)
    if entry is None:
        return count(name, args)
    value, as_of = entry
    if timezone.now() - as_of > _max_age():
        _queue_recount(name, args, entry_key)
    return Snapshot(value=value, as_of=as_of, kept=True)


# When this process last asked the shared cache to queue each stale snapshot's recount. Until the
# worker has recounted it, every read of a stale snapshot would ask again (with the database
# cache, a count of its table and a look-up: 1–2 ms each, eight on the committee's home page).
# A process asks at most once every ASK_AGAIN seconds; the mark in the shared cache still makes
# it one recount across every server.
ASK_AGAIN = datetime.timedelta(seconds=60)
_asked: dict[str, datetime.datetime] = {}
ASKED_KEPT = 10_000  # forgotten all at once past this many snapshots


def _queue_recount(name: str, args: dict, entry_key: str) -> None:
    now = timezone.now()
    last = _asked.get(entry_key)
    if last is not None and last <= now < last + ASK_AGAIN:
        return
    if len(_asked) >= ASKED_KEPT:
        _asked.clear()
    _asked[entry_key] = now
    # One recount at a time per snapshot, across every app server: the mark lives in the shared
    # cache and expires by itself should the worker never get to it.
    if not cache.add(f"{entry_key}:recounting", 1, max(60, int(_max_age().total_seconds()))):
        return
    from guanqing.core.tasks import recount_snapshot

    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: recount_snapshot.enqueue(name, args, language))


def recount(name: str, args: dict, language: str) -> None:
    """The worker's half of `read`: count and keep the snapshot in the reader's language, then
    clear the mark."""
    with translation.override(language):
        entry_key = key(name, args)
        try:
            count(name, args, keep=True)
        finally:
            cache.delete(f"{entry_key}:recounting")


@dataclass(frozen=True)
class Warmed:
    counted: int
    failed: list[str]  # the computations that could not count (logged with their error)


def warm(today: datetime.date) -> Warmed:
    """Count and keep the registered defaults of `today` (the daily job). Those that count fast
    are not kept (as `read` would not keep them). One that fails (a year missing from the
    working-day calendar) is logged and left to its first reader; the others are counted, and the
    daily jobs after this one run."""
    counted, failed = 0, []
    for computation in computations():
        if computation.warm is None:
            continue
        try:
            for args in computation.warm(today):
                count(computation.name, args)
                counted += 1
        except Exception:
            logger.exception("counting the %s snapshot of %s failed", computation.name, today)
            failed.append(computation.name)
    return Warmed(counted=counted, failed=failed)


def describe_warmed(warmed: Warmed) -> str:
    line = gettext("统计快照 %(count)s 项") % {"count": warmed.counted}
    if warmed.failed:
        line += gettext("；未能统计：%(names)s（见日志）") % {"names": "、".join(warmed.failed)}
    return line


def span_args(span, today: datetime.date) -> dict:
    """The arguments of a figures snapshot of a date range (`DateRange`) counted on `today`."""
    return {
        "first": span.first.isoformat(),
        "last": span.last.isoformat(),
        "today": today.isoformat(),
    }


def span_defaults(today: datetime.date) -> list[dict]:
    """The default view of a page of a date range: 1 January to today (`DateRange.parse`)."""
    from guanqing.core.daterange import DateRange

    return [span_args(DateRange.parse(None, None, today=today), today)]


def span_counts(count: Callable) -> Callable[..., Any]:
    """A computation over `span_args`: `count(span, today)`, for the committee's figures of a range
    (`count(span, today, scope)` when registered `scoped`: `scope` is None for the committee)."""
    from guanqing.core.daterange import DateRange

    def compute(*, first: str, last: str, today: str, **scope):
        span = DateRange(datetime.date.fromisoformat(first), datetime.date.fromisoformat(last))
        return count(span, datetime.date.fromisoformat(today), **scope)

    return compute


def for_reader(
    queryset, name: str, args: dict, live: Callable[[], Any], *, reader=None
) -> Snapshot:
    """`read(name, args)` when the reader of `queryset` (a scoped queryset) sees every row, which
    is what the registered computation counts; the snapshot of the reader's shared scope when the
    computation is `scoped` and `reader` (the user) has one; else `live()`, counted now over the
    reader's rows."""
    from guanqing.core.scope.querysets import is_every_row, shared_scope

    if is_every_row(queryset):
        return read(name, args)
    if reader is not None and _computation(name).scoped:
        scope = shared_scope(reader)
        if scope is not None:
            return read(name, {**args, "scope": scope})
    as_of = timezone.now()
    return Snapshot(value=live(), as_of=as_of, kept=False)
