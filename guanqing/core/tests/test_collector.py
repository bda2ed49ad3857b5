"""A serving process settles its heap after its first GC_SETTLE_AFTER_REQUESTS requests, and
again after ten and a hundred times as many: what is garbage then is collected, what is alive is
frozen out of later full collections. The full collections that remain run after a response is
sent, not in the middle of a request."""

from __future__ import annotations

import gc
import weakref

import pytest
from django.test import override_settings

from guanqing.core import collector


class Node:
    """An object that can sit in a reference cycle and be watched through a weak reference."""

    def __init__(self):
        self.other = None


@pytest.fixture
def fresh():
    collector.reset()
    gc.unfreeze()
    yield
    collector.reset()
    gc.unfreeze()  # this test process is not a server: its objects go back to the collector


def serve(client, times: int) -> None:
    for _ in range(times):
        assert client.get("/accounts/login/").status_code == 200


@pytest.mark.django_db
@override_settings(GC_SETTLE_AFTER_REQUESTS=3)
def test_the_heap_is_settled_after_the_first_requests_and_twice_more_then_never(
    client, fresh, monkeypatch
):
    settled = []
    settle = collector.settle
    monkeypatch.setattr(collector, "settle", lambda: settled.append(settle()))
    serve(client, 2)
    assert gc.get_freeze_count() == 0  # not yet

    kept = Node()  # alive when the heap settles: frozen
    cycle = Node()
    cycle.other = Node()
    cycle.other.other = cycle  # garbage in a cycle, left for the collector
    lost = weakref.ref(cycle)
    del cycle
    assert lost() is not None

    serve(client, 1)  # the third request
    assert len(settled) == 1
    assert gc.get_freeze_count() > 0
    assert lost() is None  # collected first, not frozen
    assert not any(obj is kept for obj in gc.get_objects())  # out of the collector's passes

    serve(client, 26)
    assert len(settled) == 1
    serve(client, 1)  # the thirtieth
    assert len(settled) == 2
    serve(client, 270)  # the three hundredth
    assert len(settled) == 3
    serve(client, 300)
    assert len(settled) == 3  # three times in a process's life


@pytest.mark.django_db
@override_settings(GC_SETTLE_AFTER_REQUESTS=0)
def test_zero_never_settles(client, fresh):
    serve(client, 5)
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == collector.USUAL  # nor holds Python's own full collections


class FullPasses:
    """Python's full collections, and whether the view of a request was running at the time."""

    def __init__(self):
        self.during_view = 0
        self.after = 0
        self.in_view = False

    def __call__(self, phase, info):
        if phase == "start" and info["generation"] == 2:
            if self.in_view:
                self.during_view += 1
            else:
                self.after += 1


@pytest.fixture
def full_passes(monkeypatch):
    from django.contrib.auth import views

    passes = FullPasses()
    get = views.LoginView.get

    def watched(self, request, *args, **kwargs):  # the view, and its response's rendering
        passes.in_view = True
        try:
            response = get(self, request, *args, **kwargs)
            response.render()
            return response
        finally:
            passes.in_view = False

    monkeypatch.setattr(views.LoginView, "get", watched)
    gc.callbacks.append(passes)
    yield passes
    gc.callbacks.remove(passes)


def make_a_full_collection_due() -> None:
    """As many young collections as Python's usual threshold lets pass before a full one."""
    while gc.get_count()[2] < collector.USUAL[2]:
        gc.collect(1)


needs_generations = pytest.mark.skipif(
    not collector.HOLDS, reason="Python 3.14's collector is incremental: nothing to hold"
)


@needs_generations
@pytest.mark.django_db
@override_settings(GC_SETTLE_AFTER_REQUESTS=1000)
def test_a_full_collection_that_falls_due_runs_after_the_response_not_in_the_request(
    client, fresh, full_passes
):
    serve(client, 1)
    assert gc.get_threshold()[2] == collector.USUAL[2] * collector.DEFERRED  # held
    gc.collect()
    cycle = Node()
    cycle.other = Node()
    cycle.other.other = cycle
    lost = weakref.ref(cycle)
    gc.collect(1)  # alive: moved to the oldest generation
    del cycle  # garbage there now: only a full pass frees it
    make_a_full_collection_due()
    assert lost() is not None
    full_passes.after = 0

    serve(client, 1)
    assert (full_passes.during_view, full_passes.after) == (0, 1)
    assert lost() is None
    assert gc.get_count()[2] < collector.USUAL[2]

    serve(client, 1)  # none due now
    assert full_passes.after == 1


@needs_generations
@pytest.mark.django_db
@override_settings(GC_SETTLE_AFTER_REQUESTS=1000)
def test_python_still_starts_a_full_collection_itself_past_ten_times_its_usual_threshold(
    client, fresh
):
    serve(client, 1)
    gc.freeze()  # as after a settle: what is left to collect is young
    gc.collect()
    seen = []
    callback = lambda phase, info: seen.append(info["generation"])  # noqa: E731
    gc.callbacks.append(callback)
    kept = []  # objects that live long enough to reach the oldest generation
    try:
        while gc.get_count()[2] < collector.USUAL[2] * 2:
            kept.append([])
        assert 2 not in seen  # held: Python's usual threshold passed twice over
        most = collector.USUAL[0] * collector.USUAL[1] * collector.USUAL[2] * collector.DEFERRED
        for _ in range(most * 2):
            kept.append([])
            if 2 in seen:
                break
        assert 2 in seen  # a request that makes that much work for it is still collected in it
        assert gc.get_count()[2] < collector.USUAL[2]
    finally:
        gc.callbacks.remove(callback)


def test_releasing_gives_python_its_usual_thresholds(fresh):
    collector.hold_full_collections()
    collector.release_full_collections()
    assert gc.get_threshold() == collector.USUAL


def test_a_test_process_does_not_settle():
    from django.conf import settings

    assert settings.GC_SETTLE_AFTER_REQUESTS == 0
