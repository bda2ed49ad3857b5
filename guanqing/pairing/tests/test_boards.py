"""The boards' SQL (`boards.py`) against the rules it translates (`rules.status`, `deadline`,
`duty_holder`, `eligible_visits`): generated pairings, relays, visits, periods, business dates and
committee settings, on whichever database the tests run on."""

from __future__ import annotations

import datetime
from collections import Counter

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanqing.pairing import boards, rules
from guanqing.pairing.models import Pairing, PairingTerm, Visit
from guanqing.testing import factories as f

D = datetime.date
DAY = datetime.timedelta(days=1)
BASE = D(2025, 1, 1)
HOUSEHOLDS = 8


def near(anchors, spread=1):
    """A day on or next to one of `anchors`: the edges a rule turns on."""
    return st.builds(
        lambda anchor, delta: anchor + delta * DAY,
        st.sampled_from(anchors),
        st.integers(min_value=-spread, max_value=spread),
    )


@st.composite
def pairing_spec(draw, period, today, grace, soon):
    edges = [
        period.start,
        period.end,
        period.start + grace * DAY,
        period.end - grace * DAY,
        today,
        period.start + 20 * DAY,
        period.start - 200 * DAY,
    ]
    start = draw(near(edges))
    span = st.builds(
        lambda n: start + n * DAY, st.sampled_from([0, 5, grace - 1, grace, grace + 1, 400])
    )
    end_edges = [*edges, today + (soon - 1) * DAY, today + soon * DAY]
    end = draw(st.one_of(st.none(), span, near(end_edges)))
    if end is not None and end < start:
        start, end = end, start
    last = end if end is not None else max(start, today) + 30 * DAY
    # a relay: the first term up to a handover day, the second (maybe the whole unit) after it
    handover = draw(st.one_of(st.none(), near([start, last, period.end, today])))
    if handover is not None and not start < handover <= last:
        handover = None
    holders = draw(st.lists(st.sampled_from(["a", "b", None]), min_size=2, max_size=2))
    visit_days = near([period.start, period.end, today, start, last])
    visits = [
        (day, talk, festival)
        for day, talk, festival in draw(
            st.lists(st.tuples(visit_days, st.booleans(), st.booleans()), max_size=3)
        )
        if start <= day <= last
    ]
    return {"start": start, "end": end, "handover": handover, "holders": holders, "visits": visits}


def _create(world, members, households, specs):
    created = []
    for index, spec in enumerate(specs):
        end = spec["end"]
        pairing = Pairing.objects.create(
            household=households[index],
            unit=world.unit,
            started_on=spec["start"],
            ended_on=end,
            end_reason="lifted" if end else "",
        )
        first, second = (members[h] for h in spec["holders"])
        if spec["handover"] is None:
            PairingTerm.objects.create(
                pairing=pairing, member=first, starts_on=pairing.started_on, ends_on=end
            )
        else:
            handover = spec["handover"]
            PairingTerm.objects.create(
                pairing=pairing,
                member=first,
                starts_on=pairing.started_on,
                ends_on=handover - DAY,
            )
            PairingTerm.objects.create(pairing=pairing, member=second, starts_on=handover)
        for offset, talk, festival in spec["visits"]:
            Visit.objects.create(
                pairing=pairing,
                date=offset,
                talk=talk,
                festival=festival,
                brief=not (talk or festival),  # every visit does something
                recorded_by=world.users.committee,
            )
        created.append(pairing)
    return created


def _facts(pairing) -> rules.PairingFacts:
    return rules.PairingFacts(
        started_on=pairing.started_on,
        ended_on=pairing.ended_on,
        terms=tuple(
            rules.Term(t.member_id, t.starts_on, t.ends_on) for t in pairing.terms.order_by()
        ),
        visits=tuple(
            rules.VisitFact(date=v.date, kinds={k for k in ("talk", "festival") if getattr(v, k)})
            for v in pairing.visits.order_by()
        ),
    )


def test_the_boards_sql_gives_the_rules_answer_for_every_pairing(world):
    members = {"a": world.member, "b": f.MemberFactory(unit=world.unit), None: None}
    households = [f.HouseholdFactory(community=world.community) for _ in range(HOUSEHOLDS)]
    periods = [p for year in (2025, 2026) for p in rules.periods_of_year(year)]

    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        data=st.data(),
        period=st.sampled_from(periods),
        grace=st.integers(min_value=0, max_value=45),
        soon=st.integers(min_value=0, max_value=20),
        minimum=st.integers(min_value=1, max_value=2),
    )
    def check(data, period, grace, soon, minimum):
        today = data.draw(
            near([period.start, period.end, period.end - soon * DAY, period.start + 40 * DAY])
        )
        specs = data.draw(
            st.lists(pairing_spec(period, today, grace, soon), min_size=1, max_size=HOUSEHOLDS)
        )
        config = rules.ComplianceConfig(
            grace_days=grace, due_soon_days=soon, quarterly_talk_minimum=minimum
        )
        with transaction.atomic():
            pairings = _create(world, members, households, specs)
            scoped = Pairing.objects.filter(pk__in=[p.pk for p in pairings])
            rows = {r["pk"]: r for r in boards.unit_rows(scoped, period, today, config)}
            counts = Counter()
            for _unit, status, n in boards.status_counts(scoped, period, today, config, "unit_id"):
                counts[status] += n
            expected_counts = Counter()
            for pairing in pairings:
                facts = _facts(pairing)
                touches = facts.started_on <= period.end and (
                    facts.ended_on is None or facts.ended_on >= period.start
                )
                assert (pairing.pk in rows) == touches
                if not touches:
                    continue
                expected = rules.status(facts, period, today, config).value
                expected_counts[expected] += 1
                row = rows[pairing.pk]
                assert row["status"] == expected, (facts, period, today, config)
                assert row["deadline"] == rules.deadline(facts, period)
                assert row["done_count"] == len(rules.eligible_visits(facts, period, today))
                assert row["holder_id"] == rules.duty_holder(facts, period)
            assert counts == expected_counts
            transaction.set_rollback(True)

    check()


def test_days_between_counts_whole_days_across_a_leap_day(world):
    pairing = f.PairingFactory(
        household=world.household, unit=world.unit, started_on=D(2024, 2, 27)
    )
    Pairing.objects.filter(pk=pairing.pk).update(ended_on=D(2024, 3, 2), end_reason="moved")
    span = (
        Pairing.objects.filter(pk=pairing.pk)
        .annotate(span=boards.DaysBetween("ended_on", "started_on"))
        .values_list("span", flat=True)
        .get()
    )
    assert span == 4


def test_a_kept_unit_board_query_answers_for_its_own_unit_settings_and_data(world):
    mine = f.PairingFactory(
        household=world.household, unit=world.unit, member=world.member, started_on=BASE
    )
    theirs = f.PairingFactory(
        household=world.other_household,
        unit=world.other_unit,
        member=world.other_member,
        started_on=BASE,
    )
    period = rules.quarter_of(D(2025, 2, 1))
    today = D(2025, 4, 2)

    def board(unit, config=rules.DEFAULT_CONFIG):
        scoped = Pairing.objects.filter(unit_id=unit.pk)
        return {
            (r["pk"], r["status"], r["holder"])
            for r in boards.unit_rows(scoped, period, today, config)
        }

    assert board(world.unit) == {(mine.pk, "overdue", world.member.name)}
    assert board(world.other_unit) == {(theirs.pk, "overdue", world.other_member.name)}
    # new data is read afresh, a visit after the period's end does not count
    Visit.objects.create(
        pairing=mine, date=D(2025, 3, 31), talk=True, recorded_by=world.users.committee
    )
    Visit.objects.create(
        pairing=theirs, date=D(2025, 4, 1), talk=True, recorded_by=world.users.committee
    )
    assert board(world.unit) == {(mine.pk, "done", world.member.name)}
    assert board(world.other_unit) == {(theirs.pk, "overdue", world.other_member.name)}
    # the committee's settings are part of what the query depends on
    stricter = rules.ComplianceConfig(quarterly_talk_minimum=2)
    assert board(world.unit, stricter) == {(mine.pk, "overdue", world.member.name)}
