"""The pairing counters behind the committee's home-page headline (core/counters.py): visits
and 人次 by visit date, kept by database triggers (migration 0003) and recounted from the visits
by `guanqing counters`."""

from __future__ import annotations

from django.db.models import Count

from guanqing.core.counters import Counter, MoveTrigger, RowTrigger
from guanqing.pairing.models import Visit

VISITS = "pairing.visits"
PERSON_TIMES = "pairing.visit_person_times"

TRIGGERS = [
    RowTrigger("pairing_visit_count", "pairing_visit", VISITS, day_column="date"),
    RowTrigger(
        "pairing_visit_person_count",
        "pairing_visit_participants",
        PERSON_TIMES,
        day_sql="SELECT date FROM pairing_visit WHERE id = {row}.visit_id",
    ),
    # a visit moved to another day takes its participants' 人次 along
    MoveTrigger(
        "pairing_visit_person_move",
        "pairing_visit",
        PERSON_TIMES,
        day_column="date",
        weight_sql="SELECT COUNT(*) FROM pairing_visit_participants WHERE visit_id = {row}.id",
    ),
]


# counter → the triggers that keep it (registered from PairingConfig.ready())
COUNTERS = (
    (Counter(VISITS, "guanqing.pairing.counts.recount_visits"), TRIGGERS[:1]),
    (Counter(PERSON_TIMES, "guanqing.pairing.counts.recount_person_times"), TRIGGERS[1:]),
)


def recount_visits() -> dict:
    rows = Visit.objects.order_by().values("date").annotate(n=Count("pk"))
    return {row["date"]: row["n"] for row in rows}


def recount_person_times() -> dict:
    through = Visit.participants.through.objects.order_by()
    rows = through.values("visit__date").annotate(n=Count("pk"))
    return {row["visit__date"]: row["n"] for row in rows}
