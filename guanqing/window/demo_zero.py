"""The "六零" demo data: each window's self-checks for the months before the current one (the
current month is left for the clerks to fill in, so the board shows it waiting).

Called by the window demo once its cases (and ratings) are in the database: every check agrees
with the system's evidence (`zero_selectors.evidence_for`) — an item whose measure counts anything
that month is "not met" with a note saying what was found; a few items without a measure are "not
met" in a few months, as a window's own honest answer would be. Like the rest of the demo the rows
are bulk-inserted (seed data, not audited one by one).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from guanqing.window import zero_selectors as selectors
from guanqing.window.choices import ZeroMeasure
from guanqing.window.models import Window, ZeroCheck

MONTHS = 5  # the months before the current one
# What a window wrote where the system found something, by measure (demo data, in Chinese).
FOUND = {
    ZeroMeasure.OVERDUE: "系统查到逾期未办结 {count} 件，已逐件督办并说明原因",
    ZeroMeasure.LATE: "系统查到超期办结 {count} 件，已分析原因并整改",
    ZeroMeasure.BAD_RATINGS: "收到差评 {count} 条，已核实整改并回访",
}
# A window's own "not met" on an item without a measure: (window index, month index) pairs, and
# what it wrote.
MANUAL_SHORT = {(1, 1), (2, 3), (3, 0)}
MANUAL_NOTES = [
    "本月有群众反映首问答复不够清楚，已在窗口例会上通报并整改",
    "本月未开展上门服务，下月起每周安排一次帮办代办",
    "本月有一件材料审核出现疏漏，已当场更正并加强复核",
]


def build(today: datetime.date, *, months: int = MONTHS) -> int:
    """The checks of every active window with a clerk for the `months` months before today's;
    returns how many rows were inserted (none when there are checks already)."""
    items = selectors.active_items()
    if not items or ZeroCheck.objects.exists():
        return 0
    current = selectors.month_of(today)
    checked_months = [selectors.add_months(current, -n) for n in range(months, 0, -1)]
    windows = list(
        Window.objects.filter(is_active=True).prefetch_related("clerks").order_by("unit_id", "id")
    )
    rows = []
    manual = [item for item in items if not item.measure]
    measures = {item.measure for item in items if item.measure}
    for w_index, window in enumerate(windows):
        clerks = sorted(
            (clerk for clerk in window.clerks.all() if clerk.is_active), key=lambda u: u.pk
        )
        if not clerks:
            continue
        for m_index, month in enumerate(checked_months):
            evidence = selectors.evidence_for(window.pk, month, today=today, measures=measures)
            short = None
            if manual and (w_index, m_index) in MANUAL_SHORT:
                short = manual[(w_index + m_index) % len(manual)]
            for item in items:
                met, note = True, ""
                found = evidence.get(item.measure) if item.measure else None
                if found is not None and found.count:
                    met, note = False, FOUND[item.measure].format(count=found.count)
                elif item is short:
                    met, note = False, MANUAL_NOTES[(w_index + m_index) % len(MANUAL_NOTES)]
                rows.append(
                    ZeroCheck(
                        window=window,
                        month=month,
                        item=item,
                        met=met,
                        note=note,
                        checked_by=clerks[0],
                    )
                )
    ZeroCheck.objects.bulk_create(rows, batch_size=500)
    # Each month's checks as written on its last day (auto_now gave them the moment of loading).
    for month in checked_months:
        end = selectors.month_end(month)
        at = timezone.make_aware(datetime.datetime.combine(end, datetime.time(17, 0)))
        ZeroCheck.objects.filter(month=month).update(checked_at=at)
    return len(rows)
