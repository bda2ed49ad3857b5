"""The pairing counters (core/counters.py): visits and 人次 by visit date, behind the committee's
home-page headline (migration 0003), and the cash and in-kind help in fen, behind the visit list's
totals when its filter is dates alone (migration 0004); and the pairings of each unit, whose sum is
the length of the committee's whole pairing list (migration 0005). Kept by database triggers and
recounted from the records by `guanqing counters`."""

from __future__ import annotations

from guanqing.core.counters import (
    Counter,
    GroupTrigger,
    MoveTrigger,
    RowTrigger,
    fen_by_day,
    fen_sql,
    rows_by,
)
from guanqing.pairing.models import Pairing, Visit

VISITS = "pairing.visits"
PERSON_TIMES = "pairing.visit_person_times"
CASH_FEN = "pairing.visit_cash_fen"
IN_KIND_FEN = "pairing.visit_in_kind_fen"
PAIRINGS_BY_UNIT = "pairing.pairings_by_unit"


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


# the help a visit brought, in fen, on its day (installed by migration 0004)
SUM_TRIGGERS = [
    RowTrigger(
        f"pairing_visit_{name}_sum",
        "pairing_visit",
        key,
        day_column="date",
        weight_sql=fen_sql(column),
        weight_columns=(column,),
    )
    for name, key, column in (
        ("cash", CASH_FEN, "cash_amount"),
        ("in_kind", IN_KIND_FEN, "in_kind_value"),
    )
]

# the pairings of each unit: the length of the committee's whole pairing list (migration 0005)
GROUP_TRIGGERS = [
    GroupTrigger("pairing_pairing_count", "pairing_pairing", PAIRINGS_BY_UNIT, "unit_id")
]

# counter → the triggers that keep it (registered from PairingConfig.ready())
COUNTERS = (
    (
        Counter(VISITS, "guanqing.pairing.counts.recount_visits", rows_of="pairing.Visit"),
        TRIGGERS[:1],
    ),
    (Counter(PERSON_TIMES, "guanqing.pairing.counts.recount_person_times"), TRIGGERS[1:]),
    (Counter(CASH_FEN, "guanqing.pairing.counts.recount_cash"), SUM_TRIGGERS[:1]),
    (Counter(IN_KIND_FEN, "guanqing.pairing.counts.recount_in_kind"), SUM_TRIGGERS[1:]),
    (
        Counter(
            PAIRINGS_BY_UNIT,
            "guanqing.pairing.counts.recount_pairings",
            by_group=True,
            rows_of="pairing.Pairing",
        ),
        GROUP_TRIGGERS,
    ),
)


def recount_visits() -> dict:
    return rows_by(Visit.objects.all(), "date")


def recount_person_times() -> dict:
    return rows_by(Visit.participants.through.objects.all(), "visit__date")


def recount_cash() -> dict:
    return fen_by_day(Visit.objects.all(), "date", "cash_amount")


def recount_in_kind() -> dict:
    return fen_by_day(Visit.objects.all(), "date", "in_kind_value")


def recount_pairings() -> dict:
    return rows_by(Pairing.objects.all(), "unit_id")
