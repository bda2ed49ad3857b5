"""Rows a whole test module reads, written once for the module instead of once for each test
(what Django's ``TestCase.setUpTestData`` does for a class).

Some modules run hundreds of tests against the same few dozen records made through the services
(problems reported, dispatched, handled and closed, each with its audit records): making them for
every test cost more than the tests themselves. ``module_rows(build)`` gives two fixtures:

- ``_module_rows`` (module scope; one per module) opens a transaction, writes ``world`` and ``build(world)`` in it on
  the pinned day, and keeps it open while the module's tests run; it is rolled back after them;
- ``<name>`` (each test) is a deep copy of what ``build`` returned. The test runs in a savepoint
  inside that transaction (``django_db`` as usual), so what it writes is rolled back and the next
  test meets the rows as written, and what it changes on the objects it was handed stays its own.

A module using it defines ``world`` as its rows' world (``world = module_world("name")``), so a
test asking for both gets the one the rows were written with.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction

from guanqing.testing.shared_demo import settle_deferred_checks


def module_rows(name: str, build: Callable[[Any], Any], *, pinned: bool = True):
    """(module fixture, test fixture) for `build(world)`; assign both in the test module.
    `pinned=False` for a module whose tests run on the real day: the rows are written then too,
    and its tests are not moved to the pinned day."""

    @pytest.fixture(scope="module", name="_module_rows")
    def rows(django_db_setup, django_db_blocker):
        from guanqing.conftest import PINNED_TODAY, build_world
        from guanqing.core.calendar.seed import seed
        from guanqing.core.calendar.workdays import forget_cached_years
        from guanqing.core.models import CalendarDay

        with django_db_blocker.unblock():
            if connection.in_atomic_block:
                raise RuntimeError("module rows are written before a test's transaction, not in it")
            atomic = transaction.atomic()
            # like a test case's own block: a durable block inside it stays allowed
            atomic._from_testcase = True
            atomic.__enter__()
            try:
                # the clock stands still while the rows are written, at the moment every test of
                # the module starts from (`pinned_today`): nothing is written in a test's future
                clock = time_machine.travel(PINNED_TODAY, tick=False) if pinned else nullcontext()
                with clock:
                    seed(CalendarDay)
                    forget_cached_years()
                    value = build(build_world())
                forget_cached_years()
                settle_deferred_checks()
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                raise
        yield value
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            forget_cached_years()

    # `_module_rows` named here, not looked up: the module's transaction must open before the
    # test's own (`db`), which pytest sees to only for the fixtures a fixture names
    if pinned:

        @pytest.fixture(name=name)
        def each(_module_rows, db, official_calendar, pinned_today):
            return copy.deepcopy(_module_rows)

    else:

        @pytest.fixture(name=name)
        def each(_module_rows, db, official_calendar):
            return copy.deepcopy(_module_rows)

    return rows, each


def module_world(name: str, world_of: Callable[[Any], Any] = lambda rows: rows.world):
    """A `world` fixture for a module using `module_rows(name, …)`: the world its rows hold."""

    @pytest.fixture(name="world")
    def world(request, _module_rows):
        return world_of(request.getfixturevalue(name))

    return world
