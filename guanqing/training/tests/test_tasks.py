"""The solve task: it stores the outcome on the plan and tells the members their dates and the
committee member who asked the outcome; a failed solve is reported too; one solve of a plan at a
time, and a mark left by a task the backend reports finished does not block the next."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from guanqing.core.models import Notification
from guanqing.testing import factories as f
from guanqing.training import services, tasks
from guanqing.training.choices import PlanState, SolveStatus
from guanqing.training.models import Assignment, Plan

D = datetime.date


@pytest.fixture
def plan(world, official_calendar, pinned_today):
    world.member.rank = "division"
    world.member.save(update_fields=["rank"])
    for unit in (world.unit, world.unit, world.other_unit):
        f.MemberFactory(unit=unit, rank="division")
    plan = services.plan_save(
        actor=world.users.committee,
        year=2026,
        title="处级干部轮训",
        venue="市委党校",
        sessions_count=2,
        classes_per_session=1,
        days_per_session=2,
        class_capacity=5,
        unit_share="1.00",
        required_ranks=["division"],
        first_date=D(2026, 9, 21),
        last_date=D(2026, 12, 31),
        time_limit_seconds=5,
    )
    services.participants_build(actor=world.users.committee, plan=plan)
    return plan


def test_the_task_stores_the_outcome_and_notifies(world, plan):
    result = tasks.solve_plan.enqueue(plan.pk, world.users.committee.pk)
    assert result.status == TaskResultStatus.SUCCESSFUL
    plan.refresh_from_db()
    assert plan.state == PlanState.SCHEDULED
    assert plan.solve_status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert plan.solve_seconds is not None and plan.solved_at is not None
    assert result.return_value["status"] == plan.solve_status
    assert Assignment.objects.filter(participant__plan=plan).count() == 4
    member = Notification.objects.get(recipient=world.users.member, kind="training_scheduled")
    a = Assignment.objects.select_related("session").get(participant__member=world.member)
    assert a.session.days[0] in member.text and "市委党校" in member.text
    told = Notification.objects.get(recipient=world.users.committee, kind="training_solved")
    assert told.text == tasks.outcome_text(plan) and told.link == f"/training/{plan.pk}/"


def test_a_failed_solve_is_reported_and_releases_the_plan(world, plan):
    Plan.objects.filter(pk=plan.pk).update(state=PlanState.CLOSED)  # the table refuses a solve
    assert tasks.solve_start(plan, world.users.committee)
    assert not tasks.solving(plan)
    told = Notification.objects.get(recipient=world.users.committee, kind="training_solve_failed")
    assert told.link == f"/training/{plan.pk}/"
    plan.refresh_from_db()
    assert plan.solve_status == "" and not Assignment.objects.exists()


def test_one_solve_of_a_plan_at_a_time(world, plan):
    cache.set(tasks._key(plan.pk), tasks.PENDING)
    assert tasks.solving(plan)
    assert not tasks.solve_start(plan, world.users.committee)
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT
    cache.delete(tasks._key(plan.pk))
    assert tasks.solve_start(plan, world.users.committee)
    plan.refresh_from_db()
    assert plan.state == PlanState.SCHEDULED and not tasks.solving(plan)


@pytest.mark.parametrize(
    ("status", "under_way"),
    [
        (TaskResultStatus.READY, True),
        (TaskResultStatus.RUNNING, True),
        (TaskResultStatus.SUCCESSFUL, False),
        (TaskResultStatus.FAILED, False),
        (None, False),  # the backend no longer knows the task
    ],
)
def test_a_mark_whose_task_has_ended_is_dropped(world, plan, monkeypatch, status, under_way):
    def get_result(result_id):
        assert result_id == "task-1"
        if status is None:
            raise TaskResultDoesNotExist(result_id)
        return SimpleNamespace(status=status)

    monkeypatch.setattr(tasks, "default_task_backend", SimpleNamespace(supports_get_result=True))
    monkeypatch.setattr(tasks, "solve_plan", SimpleNamespace(get_result=get_result))
    cache.set(tasks._key(plan.pk), "task-1")
    assert tasks.solving(plan) is under_way
    assert (cache.get(tasks._key(plan.pk)) is not None) is under_way


def test_a_queued_solve_marks_the_plan_with_its_task(world, plan, monkeypatch):
    queued = SimpleNamespace(status=TaskResultStatus.READY, id="task-7")
    monkeypatch.setattr(tasks, "solve_plan", SimpleNamespace(enqueue=lambda *args: queued))
    assert tasks.solve_start(plan, world.users.committee)
    assert cache.get(tasks._key(plan.pk)) == "task-7"
    assert not tasks.solve_start(plan, world.users.committee)
