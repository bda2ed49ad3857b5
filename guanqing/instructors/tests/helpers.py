"""Shared records of the instructors' tests: today is pinned to Wednesday 2026-05-13."""

from __future__ import annotations

import datetime

from guanqing.frontline.models import ProblemCategory
from guanqing.instructors.choices import TermState
from guanqing.instructors.models import InstructorTerm, WorkLog
from guanqing.testing import factories as f

D = datetime.date
TODAY = D(2026, 5, 13)
TERM_STARTS = D(2026, 1, 1)
TERM_ENDS = D(2027, 12, 31)


def term(world, *, member=None, village=None, starts=TERM_STARTS, ends=TERM_ENDS, **kw):
    member = member or world.member
    return InstructorTerm.objects.create(
        unit=member.unit,
        member=member,
        village=village or world.community,
        starts_on=starts,
        ends_on=ends,
        required_days=kw.pop("required_days", 20),
        state=kw.pop("state", TermState.APPOINTED),
        **kw,
    )


def log(term, first, last=None, work="走访农户"):
    last = last or first
    return WorkLog.objects.create(
        term=term, starts_on=first, ends_on=last, days=(last - first).days + 1, work=work
    )


def other_term(world):
    """A term of the other unit's member, in the other community."""
    return term(world, member=world.other_member, village=world.other_community)


def category(code="road", name="道路"):
    return ProblemCategory.objects.get_or_create(code=code, defaults={"name": name})[0]


def second_member(world, name="王五"):
    return f.MemberFactory(unit=world.unit, branch=world.org, name=name)
