"""The day counts behind the committee's visit headline and the visit list's totals (visits, 人次,
cash and in-kind help in fen) stay equal to the visits themselves,
whichever way a visit is written, moved or removed, and `guanqing counters` says when they do not."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from guanqing.core import counters
from guanqing.core.counters import DayCount
from guanqing.pairing import counts
from guanqing.pairing.models import Visit
from guanqing.testing import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date


def stored(key):
    return dict(DayCount.objects.filter(key=key).exclude(n=0).values_list("day", "n"))


def test_visits_and_person_times_are_counted_by_day_as_they_are_written(world):
    pairing = f.PairingFactory(household=world.household, unit=world.unit, started_on=D(2026, 1, 5))
    f.VisitFactory(pairing=pairing, date=D(2026, 3, 1), participants=[world.member])
    f.VisitFactory(
        pairing=pairing, date=D(2026, 3, 1), participants=[world.member, world.other_member]
    )
    f.VisitFactory(pairing=pairing, date=D(2026, 4, 2))
    assert stored(counts.VISITS) == {D(2026, 3, 1): 2, D(2026, 4, 2): 1}
    assert stored(counts.PERSON_TIMES) == {D(2026, 3, 1): 3}
    assert counters.total(counts.VISITS, D(2026, 1, 1), D(2026, 3, 31)) == 2
    assert counters.total(counts.PERSON_TIMES, D(2026, 1, 1), D(2026, 12, 31)) == 3
    call_command("counters")  # no difference: no error


def test_a_moved_or_removed_visit_moves_its_count(world):
    pairing = f.PairingFactory(household=world.household, unit=world.unit, started_on=D(2026, 1, 5))
    visit = f.VisitFactory(pairing=pairing, date=D(2026, 3, 1), participants=[world.member])
    Visit.objects.filter(pk=visit.pk).update(date=D(2026, 3, 9))
    assert stored(counts.VISITS) == {D(2026, 3, 9): 1}
    visit.participants.clear()
    assert stored(counts.PERSON_TIMES) == {}
    Visit.objects.filter(pk=visit.pk).delete()
    assert stored(counts.VISITS) == {}
    call_command("counters")


def test_a_bulk_load_is_counted_too(world):
    pairing = f.PairingFactory(household=world.household, unit=world.unit, started_on=D(2026, 1, 5))
    user = f.UserFactory()
    Visit.objects.bulk_create(
        Visit(pairing=pairing, date=D(2026, 5, day), talk=True, recorded_by=user)
        for day in range(1, 11)
    )
    assert counters.total(counts.VISITS, D(2026, 5, 1), D(2026, 5, 31)) == 10


def test_a_count_changed_behind_the_platforms_back_is_reported_and_fixed(world, capsys):
    pairing = f.PairingFactory(household=world.household, unit=world.unit, started_on=D(2026, 1, 5))
    f.VisitFactory(pairing=pairing, date=D(2026, 3, 1))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_daycount SET n = 7 WHERE key = %s", [counts.VISITS])
    with pytest.raises(CommandError):
        call_command("counters")
    assert "2026-03-01" in capsys.readouterr().out
    call_command("counters", fix=True)
    call_command("counters")
    assert stored(counts.VISITS) == {D(2026, 3, 1): 1}


def test_the_committee_headline_equals_the_visits_it_stands_for(world, client):
    from guanqing.conftest import client_for
    from guanqing.pairing import selectors

    pairing = f.PairingFactory(household=world.household, unit=world.unit, started_on=D(2026, 1, 5))
    for day in (D(2026, 1, 10), D(2026, 2, 10), D(2026, 2, 11)):
        f.VisitFactory(pairing=pairing, date=day, participants=[world.member])
    committee = world.users.committee
    assert counters.total(counts.VISITS, D(2026, 1, 1), D(2026, 2, 28)) == (
        selectors.visits_between(committee, D(2026, 1, 1), D(2026, 2, 28))
    )
    assert counters.total(counts.PERSON_TIMES, D(2026, 1, 1), D(2026, 12, 31)) == (
        selectors.person_times_between(committee, D(2026, 1, 1), D(2026, 12, 31))
    )
    assert client_for(committee).get("/").status_code == 200


def test_a_bulk_load_with_the_triggers_suspended_is_recounted_at_the_end(world):
    pairing = f.PairingFactory(household=world.household, unit=world.unit, started_on=D(2026, 1, 5))
    user = f.UserFactory()
    with counters.bulk_load():
        Visit.objects.bulk_create(
            Visit(pairing=pairing, date=D(2026, 6, day), talk=True, recorded_by=user)
            for day in range(1, 6)
        )
        assert stored(counts.VISITS) == {}  # nothing counted row by row
    assert counters.total(counts.VISITS, D(2026, 6, 1), D(2026, 6, 30)) == 5
    f.VisitFactory(pairing=pairing, date=D(2026, 6, 1))  # the triggers are back
    assert stored(counts.VISITS)[D(2026, 6, 1)] == 2
    call_command("counters")


def test_cash_and_in_kind_are_summed_in_fen_by_day_as_they_change(world):
    pairing = f.PairingFactory(household=world.household, unit=world.unit, started_on=D(2026, 1, 5))
    visit = f.VisitFactory(
        pairing=pairing, date=D(2026, 3, 1), cash_amount=Decimal("500.25"), in_kind_value=0
    )
    f.VisitFactory(pairing=pairing, date=D(2026, 3, 1), cash_amount=Decimal("0.75"))
    assert stored(counts.CASH_FEN) == {D(2026, 3, 1): 50100}
    Visit.objects.filter(pk=visit.pk).update(cash_amount=Decimal("100.10"), in_kind_value=30)
    assert stored(counts.CASH_FEN) == {D(2026, 3, 1): 10085}
    assert stored(counts.IN_KIND_FEN) == {D(2026, 3, 1): 3000}
    Visit.objects.filter(pk=visit.pk).update(date=D(2026, 3, 2))  # the amounts move with the day
    assert stored(counts.CASH_FEN) == {D(2026, 3, 1): 75, D(2026, 3, 2): 10010}
    assert stored(counts.IN_KIND_FEN) == {D(2026, 3, 2): 3000}
    Visit.objects.filter(pk=visit.pk).delete()
    assert stored(counts.CASH_FEN) == {D(2026, 3, 1): 75}
    assert stored(counts.IN_KIND_FEN) == {}
    call_command("counters")  # the recount agrees
