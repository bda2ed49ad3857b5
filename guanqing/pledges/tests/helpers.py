"""Shared records of the pledge tests: today is pinned to Wednesday 2026-05-13 (`pinned_today`);
the at-risk horizon is then Wednesday 2026-05-20 (five working days on)."""

from __future__ import annotations

import datetime

from guanqing.pledges import services
from guanqing.pledges.choices import TargetKind

D = datetime.date
TODAY = D(2026, 5, 13)
HORIZON = D(2026, 5, 20)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


def pledge(world, number=1, *, units=None, publish=True, actor=None, **fields):
    """A pledge of 2026 led by the member's unit (市纪委), published unless told otherwise."""
    values = {
        "year": 2026,
        "number": number,
        "title": f"实事{number}",
        "promise": "全年开展十二场培训",
        "lead_units": units if units is not None else [world.unit],
        "target_kind": TargetKind.MANUAL,
        "target_value": 12,
        "target_unit": "场",
    } | fields
    actor = actor or world.users.committee
    row = services.pledge_save(actor=actor, **values)
    if publish:
        services.pledge_move(actor=actor, pledge=row, action="publish")
        row.refresh_from_db()
    return row


def report(world, row, *, value=3, month=TODAY, text="本月开展三场", files=(), actor=None):
    return services.report_save(
        actor=actor or world.users.unit_admin,
        pledge=row,
        month=month,
        value=value,
        text=text,
        files=files,
    )
