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

The full collections that remain (the garbage requests leave in the oldest generation, 30–170 ms
each at a province's data, a few every minute) are moved out of the requests too. From the
first response a process sends, Python starts one by itself only after ten times its usual
number of young collections (`DEFERRED`); after each response, the process runs the full
collection that Python's usual threshold would have started by then (`collect_if_due()`). The
collector does the same work, at the same pace, but no longer in the middle of a request, only
in a request that alone makes ten times that much work for it (an export of a whole province).
In a process with several threads the pass still holds the interpreter's lock, as any pass
does, so a request running beside it waits, as it did. Python 3.14's incremental collector has
no such generation to hold: there only the settles apply.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time

from django.conf import settings
from django.core.signals import request_finished

log = logging.getLogger(__name__)
_lock = threading.Lock()
_state = {"served": 0, "settles": 0, "done": False, "held": False}
SETTLES = 3  # after N, 10 N and 100 N requests
USUAL = gc.get_threshold()  # Python's thresholds when the process started
DEFERRED = 10  # Python's own full collections wait for this many times the usual young passes
HOLDS = sys.version_info < (3, 14)  # 3.14's collector is incremental: no oldest generation


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


def hold_full_collections() -> None:
    """Python's own full collections wait for `DEFERRED` times its usual young passes; a serving
    process runs them after its responses instead (`collect_if_due()`)."""
    if HOLDS:
        young, middle, _oldest = gc.get_threshold()
        gc.set_threshold(young, middle, USUAL[2] * DEFERRED)
    _state["held"] = True


def release_full_collections() -> None:
    """Python's usual thresholds again."""
    gc.set_threshold(*USUAL)
    _state["held"] = False


def collect_if_due() -> bool:
    """The full collection Python's usual threshold would have started by now, if it would
    have: run after a response is sent. True if it ran."""
    if not HOLDS or gc.get_count()[2] < USUAL[2]:
        return False
    if not _lock.acquire(blocking=False):  # another thread is collecting
        return False
    try:
        gc.collect()
    finally:
        _lock.release()
    return True


def after_response() -> None:
    """What a serving process does once a response is sent: the heap settled after the first
    requests, and any full collection that is due."""
    first = settings.GC_SETTLE_AFTER_REQUESTS
    if not first:  # 0: neither
        return
    if not _state["held"]:
        hold_full_collections()
    if not _state["done"] and _settle_due(first):
        settle()
    else:
        collect_if_due()


def _settle_due(first: int) -> bool:
    with _lock:
        if _state["done"]:
            return False
        _state["served"] += 1
        if _state["served"] < first * 10 ** _state["settles"]:
            return False
        _state["settles"] += 1
        _state["done"] = _state["settles"] >= SETTLES
        return True


def _request_finished(**_kwargs) -> None:
    after_response()


DISPATCH_UID = "guanqing.core.collector"


def connect() -> None:
    """After each response: settle the heap after GC_SETTLE_AFTER_REQUESTS requests, and run the
    full collections that are due (0: neither)."""
    request_finished.connect(_request_finished, dispatch_uid=DISPATCH_UID)


def reset() -> None:
    """Forget the requests counted, whether the heap was settled, and Python's usual thresholds
    again (for tests)."""
    with _lock:
        _state.update(served=0, settles=0, done=False)
    release_full_collections()
