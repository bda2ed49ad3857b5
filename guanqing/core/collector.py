"""Python's garbage collector in a process that serves requests: the long-lived heap settled.

A serving process holds several hundred thousand objects that live as long as it does: the
modules, the URL patterns, the compiled templates, the translation catalogues, the caches filled
by the first requests. Python's full collection walks every one of them each time it runs, and
with them the cycles that requests left behind (a serializer and its fields, a queryset and the
prefetched rows): 350–500 ms, a few times a minute under load, added to whichever request was
being served. In `bench/pages.py` those passes made the slowest requests of the run, up to 550 ms
on lists whose median is 30–60 ms (docs/performance.md, "Full collections").

After the process's first `GC_SETTLE_AFTER_REQUESTS` requests, the heap is collected once and
what survives is frozen (`gc.freeze()`): later collections skip it. The first pages fill more
caches than fifty requests reach (each template is compiled when first rendered), so it is done
again after ten and a hundred times as many requests, three times in all. Each runs when that
request's response has been sent (Django's `request_finished`); a full collection of the whole
heap, a few hundred milliseconds, three times in a process's life.

A frozen object is still freed when its last reference goes; only a cycle of frozen objects that
later becomes garbage is kept. What is frozen is what was alive at those three moments, less
what was collected just before.
"""

from __future__ import annotations

import gc
import logging
import threading
import time

from django.conf import settings
from django.core.signals import request_finished

log = logging.getLogger(__name__)
_lock = threading.Lock()
_state = {"served": 0, "settles": 0, "done": False}
SETTLES = 3  # after N, 10 N and 100 N requests


def settle() -> int:
    """Collect everything collectable, then move every object still alive out of the
    collector's passes; returns how many objects were frozen."""
    started = time.perf_counter()
    collected = gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.info(
        "heap settled: %s objects collected, %s frozen, in %.0f ms",
        collected,
        frozen,
        (time.perf_counter() - started) * 1000,
    )
    return frozen


def _request_finished(**_kwargs) -> None:
    if _state["done"]:
        return
    first = settings.GC_SETTLE_AFTER_REQUESTS
    if not first:  # 0: never
        return
    with _lock:
        if _state["done"]:
            return
        _state["served"] += 1
        if _state["served"] < first * 10 ** _state["settles"]:
            return
        _state["settles"] += 1
        _state["done"] = _state["settles"] >= SETTLES
    settle()


def connect() -> None:
    """Count the requests served, and settle the heap after GC_SETTLE_AFTER_REQUESTS of them
    (0: never)."""
    request_finished.connect(_request_finished, dispatch_uid="guanqing.core.collector")


def reset() -> None:
    """Forget the requests counted and whether the heap was settled (for tests)."""
    with _lock:
        _state.update(served=0, settles=0, done=False)
