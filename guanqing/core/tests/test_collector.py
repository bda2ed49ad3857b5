"""A serving process settles its heap after its first GC_SETTLE_AFTER_REQUESTS requests, and
again after ten and a hundred times as many: what is garbage then is collected, what is alive is
frozen out of later full collections."""

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


def test_a_test_process_does_not_settle():
    from django.conf import settings

    assert settings.GC_SETTLE_AFTER_REQUESTS == 0
