"""Who sees which case: a clerk its windows' cases (not another window's of the same unit), a unit
administrator its unit's windows', the committee all, every other role none; only the clerk of the
window changes them. A clerk's queue: open cases, running ones first by deadline, in a constant
number of queries however long it is."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.core.calendar.workdays import add_workdays
from guanqing.core.roles import Role
from guanqing.window import selectors, services
from guanqing.window.choices import CaseState
from guanqing.window.models import Case, CaseEvent, CasePause
from guanqing.window.tests import factories as wf

D = datetime.date
TODAY = wf.TODAY
NOBODY = ("member", "community_worker", "fund_officer", "system_admin", "security_admin")


@pytest.fixture
def cases(world, official_calendar, pinned_today):
    d = wf.desk(world)
    d.own = wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter)
    d.sibling = wf.accepted_case(actor=d.second_clerk, window=d.second_window, matter=d.matter)
    d.foreign = wf.accepted_case(actor=d.other_clerk, window=d.other_window, matter=d.other_matter)
    for case, clerk in ((d.own, d.clerk), (d.sibling, d.second_clerk), (d.foreign, d.other_clerk)):
        services.case_pause(actor=clerk, case=case, on=TODAY, kind="other", reason="x")
    return d


def visible(user, model=Case) -> set[int]:
    rows = model.objects.visible_to(user)
    if model is Case:
        return set(rows.values_list("pk", flat=True))
    return set(rows.values_list("case_id", flat=True))


@pytest.mark.parametrize("model", [Case, CasePause, CaseEvent])
def test_each_role_sees_its_own_cases_only(cases, world, model):
    own, sibling, foreign = cases.own.pk, cases.sibling.pk, cases.foreign.pk
    assert visible(cases.clerk, model) == {own}
    assert visible(cases.second_clerk, model) == {sibling}
    assert visible(cases.other_clerk, model) == {foreign}
    assert visible(world.users.unit_admin, model) == {own, sibling}
    assert visible(world.users.committee, model) == {own, sibling, foreign}
    for role in (*NOBODY, "audit_admin"):
        assert visible(getattr(world.users, role), model) == set(), role


def test_a_clerk_without_a_window_sees_nothing(cases):
    assert visible(wf.clerk()) == set()


def test_only_the_clerks_of_the_window_may_change_its_cases(cases, world):
    editable = {
        role: set(Case.objects.editable_by(getattr(world.users, role)).values_list("pk", flat=True))
        for role in (*NOBODY, "committee", "unit_admin")
    }
    assert editable == {role: set() for role in editable}
    assert set(Case.objects.editable_by(cases.clerk).values_list("pk", flat=True)) == {cases.own.pk}


def test_a_clerk_sees_only_its_windows(cases, world):
    from guanqing.window.models import Window

    assert set(Window.objects.visible_to(cases.clerk)) == {cases.window}
    assert set(Window.objects.visible_to(world.users.unit_admin)) == {
        cases.window,
        cases.second_window,
    }
    # a clerk of two windows sees both
    cases.second_window.clerks.add(cases.clerk)
    assert visible(cases.clerk) == {cases.own.pk, cases.sibling.pk}
    assert visible(cases.clerk, CasePause) == {cases.own.pk, cases.sibling.pk}


def test_the_roles_of_the_matrix_are_all_covered():
    covered = {"window_clerk", "unit_admin", "committee", *NOBODY, "audit_admin"}
    assert covered == set(Role.values)


# ---------------------------------------------------------------------------------------------
# The clerk's queue
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def desk(world, official_calendar, pinned_today):
    return wf.desk(world)


def accept(d, day, **kwargs):
    return wf.accepted_case(
        actor=d.clerk, window=d.window, matter=d.matter, accepted_on=day, **kwargs
    )


def test_the_queue_puts_overdue_and_due_soon_first_and_paused_last(desk):
    relaxed = accept(desk, TODAY)  # due 20 May
    overdue = accept(desk, D(2026, 5, 6))  # due 12 May
    due_soon = accept(desk, D(2026, 5, 8))  # due 14 May
    paused = accept(desk, D(2026, 4, 28))
    services.case_pause(actor=desk.clerk, case=paused, on=D(2026, 5, 6), kind="other", reason="x")
    done = accept(desk, D(2026, 5, 6))
    services.case_complete(actor=desk.clerk, case=done, on=TODAY, outcome="approved")
    wf.correction_case(actor=desk.clerk, window=desk.window, matter=desk.matter)
    wf.accepted_case(actor=desk.second_clerk, window=desk.second_window, matter=desk.matter)

    rows = selectors.with_clocks(selectors.clerk_queue(desk.clerk))
    assert [r.pk for r in rows] == [overdue.pk, due_soon.pk, relaxed.pk, paused.pk]
    timings = [r.clock.timing for r in rows]
    assert timings[:3] == ["overdue", "due_soon", "open"]
    assert rows[0].clock.remaining_workdays == -1
    assert rows[1].clock.remaining_workdays == 1
    # the paused case's clock counts the running pause up to today: 7, 8, 9 (Saturday worked),
    # 11, 12, 13 May; used: 29, 30 April and 6 May
    assert rows[3].clock.paused_workdays == 6
    assert rows[3].clock.workdays_used == 3
    assert rows[3].clock.deadline == add_workdays(D(2026, 4, 28), 5 + 6)


def test_the_queue_shows_the_missing_materials(desk):
    materials = [m for m in desk.matter.current.materials.all() if m.deferrable]
    case = accept(
        desk,
        TODAY,
        deferred_materials=materials,
        supply_by=D(2026, 5, 18),
        deferral_promise="按期补齐",
    )
    services.case_supply(actor=desk.clerk, case=case, materials=materials[:1], on=TODAY)
    (row,) = selectors.clerk_queue(desk.clerk)
    assert [m.material for m in row.outstanding_materials] == materials[1:]


def queue_queries(user) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        rows = selectors.with_clocks(selectors.clerk_queue(user))
        shown = [
            (r.window.name, r.version.matter.name, r.handled_by.username, r.outstanding_materials)
            for r in rows
        ]
    assert len(shown) == len(rows)
    return len(ctx.captured_queries), len(rows)


def test_the_queue_costs_the_same_queries_however_long(desk):
    accept(desk, TODAY)
    few, rows = queue_queries(desk.clerk)
    assert rows == 1
    for day in (D(2026, 5, 6), D(2026, 5, 7), D(2026, 5, 8), D(2026, 5, 11), D(2026, 5, 12)):
        case = accept(desk, day)
        if day.day % 2:
            services.case_pause(actor=desk.clerk, case=case, on=TODAY, kind="other", reason="x")
    many, rows = queue_queries(desk.clerk)
    assert rows == 6
    assert many == few <= 4  # settings, cases, pauses, missing materials


def test_the_unit_admin_and_committee_queues_are_their_scope(desk, world):
    accept(desk, TODAY)
    wf.accepted_case(actor=desk.second_clerk, window=desk.second_window, matter=desk.matter)
    wf.accepted_case(actor=desk.other_clerk, window=desk.other_window, matter=desk.other_matter)
    assert selectors.clerk_queue(world.users.unit_admin).count() == 2
    assert selectors.clerk_queue(world.users.committee).count() == 3
    assert selectors.clerk_queue(world.users.member).count() == 0
    assert all(
        c.state in (CaseState.ACCEPTED, CaseState.PAUSED)
        for c in selectors.clerk_queue(world.users.committee)
    )


def test_the_committee_queue_orders_the_whole_city_the_same_way(desk, world):
    paused = accept(desk, D(2026, 4, 28))
    services.case_pause(actor=desk.clerk, case=paused, on=D(2026, 5, 6), kind="other", reason="x")
    relaxed = accept(desk, TODAY)
    # another unit's window: due 12 May, before the clerk's case
    overdue = wf.accepted_case(
        actor=desk.other_clerk,
        window=desk.other_window,
        matter=desk.other_matter,
        accepted_on=D(2026, 5, 6),
    )
    rows = selectors.with_clocks(selectors.clerk_queue(world.users.committee))
    assert [r.pk for r in rows] == [overdue.pk, relaxed.pk, paused.pk]
    assert [r.clock.timing for r in rows[:2]] == ["overdue", "open"]
    assert rows[2].state == CaseState.PAUSED
