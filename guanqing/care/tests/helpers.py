"""Shared records of the care tests: today is pinned to Wednesday 2026-05-13."""

from __future__ import annotations

import datetime

from guanqing.care import services
from guanqing.care.models import CareRule

D = datetime.date
TODAY = D(2026, 5, 13)
MONDAY = D(2026, 5, 11)


def rule(code: str) -> CareRule:
    """A rule of the default catalogue (seeded by the migration)."""
    return CareRule.objects.get(code=code)


# 住院或患重病: sensitive, 走访慰问 by 单位党组织 within 5 working days
SENSITIVE = "visit-hospital"
# 直系亲属去世: not sensitive, 走访慰问 within 3 working days
PLAIN = "visit-bereavement"


def record(world, code=PLAIN, *, actor=None, member=None, on=MONDAY, note=""):
    return services.care_event_record(
        actor=actor or world.users.unit_admin,
        member=member or world.member,
        rule=rule(code),
        occurred_on=on,
        note=note,
    )[0]


def other_record(world, code=PLAIN, on=MONDAY):
    """An event of the other unit's member, recorded by the committee."""
    return record(world, code, actor=world.users.committee, member=world.other_member, on=on)
