"""Test records of the problem loop: a category with its dispatch rule (written directly, a fast
fixture), and problems moved through the services (so their deadline, events and audit are real):
reported, assigned, handling, closed.

    cat = ff.category(unit=world.unit)
    p = ff.handling(committee=world.users.committee, unit_admin=world.users.unit_admin,
                    category=cat, received_on=D(2026, 5, 6))
"""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth import get_user_model

from guanqing.core.roles import Role
from guanqing.frontline import services
from guanqing.frontline.choices import ProblemSource, Urgency
from guanqing.frontline.models import DispatchRule, Problem, ProblemCategory

_seq = itertools.count(1)

PHONE = "13805741234"


def category(*, unit=None, urgency: str = Urgency.PROBLEM, district=None, name=None, **kwargs):
    """An active category; with `unit`, its default dispatch rule (for `district` when given)."""
    n = next(_seq)
    row = ProblemCategory.objects.create(
        code=kwargs.pop("code", f"CAT{n:04d}"),
        name=name or f"难题类别{n}",
        urgency=urgency,
        **kwargs,
    )
    if unit is not None:
        DispatchRule.objects.create(category=row, district=district, unit=unit)
    return row


def committee_user():
    """The first active committee account (the `world` fixture has one)."""
    return get_user_model().objects.filter(role=Role.COMMITTEE, is_active=True).order_by("pk")[0]


def reported(
    *,
    category,
    actor=None,
    source: str | None = None,
    received_on: datetime.date | None = None,
    **kwargs,
) -> Problem:
    """A received problem: from the public page (no account) unless an actor is given (then a
    hand-over from 12345/81890)."""
    data = {
        "source": source or (ProblemSource.PUBLIC if actor is None else ProblemSource.HOTLINE),
        "category": category,
        "title": f"路灯不亮{next(_seq)}",
        "description": "小区门口的路灯坏了一个多月",
        "address": "海曙区测试街道 1 号",
        "reporter_name": "王小明",
        "reporter_phone": PHONE,
        "received_on": received_on,
    }
    data.update(kwargs)
    return services.problem_report(actor=actor, **data)


def assigned(*, committee=None, unit=None, problem=None, **kwargs) -> Problem:
    """A problem dispatched to `unit` (by default the category's dispatch rule)."""
    committee = committee or committee_user()
    problem = problem or reported(**kwargs)
    unit = unit or services.default_unit(problem)
    return services.problem_dispatch(actor=committee, problem=problem, unit=unit)


def handling(*, unit_admin, committee=None, problem=None, **kwargs) -> Problem:
    """A problem the unit of `unit_admin` has signed for."""
    problem = assigned(committee=committee, unit=unit_admin.unit, problem=problem, **kwargs)
    return services.problem_accept(actor=unit_admin, problem=problem)


def closed(*, unit_admin, answer: str = "已修复路灯", on=None, problem=None, **kwargs) -> Problem:
    """A problem answered by the unit of `unit_admin`; `problem.rating_codes` holds the codes."""
    problem = handling(unit_admin=unit_admin, problem=problem, **kwargs)
    return services.problem_answer(actor=unit_admin, problem=problem, answer=answer, on=on)
