"""Background work of the training rotations, run by `guanqing worker`: solving a plan.

A solve can take the plan's whole time limit (a province's, most of a minute), so the page
enqueues it and polls. While one is queued or running the plan is marked as solving (a key in the
shared cache holding the task's id), and a second is refused: `solve_start` adds the mark only
when there is none. The task removes it when it ends, whatever the outcome; a mark whose task the
backend reports finished (a worker that died) is dropped when read, and every mark expires.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, default_task_backend, task
from django_tasks.exceptions import TaskResultDoesNotExist

from guanqing.core.notifications.services import notification_send
from guanqing.training import services
from guanqing.training.choices import SolveStatus
from guanqing.training.models import Plan

PENDING = "pending"
# How long a mark outlives a task that never reports back: the queue's wait and the solve.
MARK_SECONDS = 30 * 60
WAITING = {TaskResultStatus.READY, TaskResultStatus.RUNNING}


def _key(plan_id: int) -> str:
    return f"training:solving:{plan_id}"


def solving(plan: Plan) -> bool:
    """True while a solve of the plan is queued or running."""
    mark = cache.get(_key(plan.pk))
    if mark is None:
        return False
    if mark != PENDING and default_task_backend.supports_get_result:
        try:
            status = solve_plan.get_result(mark).status
        except TaskResultDoesNotExist:
            status = None
        if status not in WAITING:
            cache.delete(_key(plan.pk))
            return False
    return True


def solve_start(plan: Plan, actor) -> bool:
    """Enqueue a solve of the plan for `actor`; False (nothing enqueued) while one is under way."""
    if not cache.add(_key(plan.pk), PENDING, MARK_SECONDS):
        return False
    try:
        result = solve_plan.enqueue(plan.pk, actor.pk)
    except Exception:
        cache.delete(_key(plan.pk))
        raise
    if result.status in WAITING:
        # a worker will run it: remember which task, so a dead one's mark can be dropped
        cache.set(_key(plan.pk), result.id, MARK_SECONDS)
    return True


def _finished(plan_id: int) -> None:
    cache.delete(_key(plan_id))


def outcome_text(plan: Plan) -> str:
    """The outcome of the plan's last solve in one sentence (the notification's text)."""
    if plan.solve_status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        return _("“%(plan)s”已排期：%(status)s，差距 %(gap)s%%，用时 %(seconds)s 秒。") % {
            "plan": plan.title,
            "status": plan.get_solve_status_display(),
            "gap": f"{plan.solve_gap or 0:.2f}",
            "seconds": f"{plan.solve_seconds or 0:.1f}",
        }
    return _("“%(plan)s”未能排期：%(reason)s") % {
        "plan": plan.title,
        "reason": plan.solve_explanation or plan.get_solve_status_display(),
    }


@task()
def solve_plan(plan_id: int, actor_id: int) -> dict:
    """Solve the plan (services.plan_solve: the schedule or the reasons there is none, stored on
    the plan; members told their dates) and tell the committee member who asked."""
    actor = get_user_model().objects.get(pk=actor_id)
    try:
        plan = Plan.objects.get(pk=plan_id)
        result = services.plan_solve(actor=actor, plan=plan)
    except Exception:
        notification_send(
            recipients=[actor],
            kind="training_solve_failed",
            text=_("排期没有完成，请稍后重试；若再次失败请联系系统管理员。"),
            dedupe_key=f"training:solve-failed:{plan_id}:{timezone.now().isoformat()}",
            link=reverse("training:plan", args=[plan_id]),
        )
        raise
    finally:
        _finished(plan_id)
    plan.refresh_from_db()
    notification_send(
        recipients=[actor],
        kind="training_solved",
        text=outcome_text(plan),
        dedupe_key=f"training:solved:{plan.pk}:{plan.solved_at.isoformat()}",
        link=reverse("training:plan", args=[plan.pk]),
    )
    return {
        "status": result.status,
        "gap": result.gap,
        "seconds": round(result.seconds, 3),
    }
