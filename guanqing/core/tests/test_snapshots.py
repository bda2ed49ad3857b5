"""Figures kept as snapshots (core/snapshots.py): a slow count is kept and shown with its time, a
stale one is shown while the worker recounts it (once), a fast one is counted on every request;
and the committee's figures pages read it, a unit's administrator its own unit's
(test_shared_scope.py), anyone else counts live."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone, translation

from guanqing.conftest import client_for
from guanqing.core import daily, snapshots
from guanqing.testing import factories as f

NAME = "tests.counted"


class Figures:
    """A registered computation that counts how often it runs and answers what it is told."""

    def __init__(self):
        self.value = 1
        self.calls = []

    def __call__(self, *, day: str) -> dict:
        self.calls.append(day)
        return {"day": day, "value": self.value, "label": translation.gettext("全部")}


@pytest.fixture
def figures():
    counted = Figures()
    snapshots.register(NAME, counted, warm=lambda today: [{"day": today.isoformat()}])
    cache.clear()
    snapshots._asked.clear()
    yield counted
    snapshots._registry.pop(NAME, None)
    cache.clear()
    snapshots._asked.clear()


def later(seconds: int):
    """timezone.now(), `seconds` from now, for the snapshot module."""
    moment = timezone.now() + datetime.timedelta(seconds=seconds)
    return mock.patch("guanqing.core.snapshots.timezone.now", return_value=moment)


@override_settings(FIGURES_SLOW_MS=None)
def test_without_a_threshold_every_read_counts_afresh(figures):
    assert snapshots.read(NAME, {"day": "2026-12-03"}).value["value"] == 1
    figures.value = 2
    second = snapshots.read(NAME, {"day": "2026-12-03"})
    assert (second.value["value"], second.kept) == (2, False)
    assert len(figures.calls) == 2


@override_settings(FIGURES_SLOW_MS=60_000)
def test_a_fast_count_is_not_kept(figures):
    snapshots.read(NAME, {"day": "2026-12-03"})
    figures.value = 2
    assert snapshots.read(NAME, {"day": "2026-12-03"}).value["value"] == 2


@override_settings(FIGURES_SLOW_MS=1, FIGURES_MAX_AGE=300)
def test_within_afresh_a_kept_snapshot_is_not_read(figures):
    snapshots.count(NAME, {"day": "2026-12-03"}, keep=True)
    figures.value = 2
    with snapshots.afresh():
        fresh = snapshots.read(NAME, {"day": "2026-12-03"})
    assert (fresh.value["value"], fresh.kept) == (2, False)
    # outside, readers still get the kept one (a publication does not replace it)
    assert snapshots.read(NAME, {"day": "2026-12-03"}).value["value"] == 1


@override_settings(FIGURES_SLOW_MS=1, FIGURES_MAX_AGE=300)
def test_a_slow_count_is_kept_and_read_with_its_time(figures):
    with mock.patch("guanqing.core.snapshots.time.perf_counter", side_effect=[0.0, 2.0]):
        first = snapshots.read(NAME, {"day": "2026-12-03"})
    assert (first.value["value"], first.kept) == (1, False)
    figures.value = 2
    again = snapshots.read(NAME, {"day": "2026-12-03"})
    assert (again.value["value"], again.kept, again.as_of) == (1, True, first.as_of)
    assert len(figures.calls) == 1
    # other arguments are another snapshot
    assert snapshots.read(NAME, {"day": "2026-12-04"}).value["value"] == 2


@pytest.mark.django_db(transaction=True)
@override_settings(FIGURES_SLOW_MS=1, FIGURES_MAX_AGE=300)
def test_a_stale_snapshot_is_shown_while_the_worker_recounts_it_once(figures):
    args = {"day": "2026-12-03"}
    snapshots.count(NAME, args, keep=True)
    figures.value = 2
    with later(200):  # still fresh: nothing queued
        assert snapshots.read(NAME, args).value["value"] == 1
    assert len(figures.calls) == 1
    # the worker (here the immediate task backend) recounts once, however many read meanwhile
    with (
        later(400),
        mock.patch("guanqing.core.snapshots.recount", wraps=snapshots.recount) as recount,
    ):
        stale = snapshots.read(NAME, args)
        assert (stale.value["value"], stale.kept) == (1, True)
        fresh = snapshots.read(NAME, args)
        snapshots.read(NAME, args)
    recount.assert_called_once_with(NAME, args, translation.get_language())
    assert (fresh.value["value"], fresh.kept) == (2, True)
    assert fresh.as_of > stale.as_of
    assert len(figures.calls) == 2
    assert cache.get(f"{snapshots.key(NAME, args)}:recounting") is None


@pytest.mark.django_db(transaction=True)
@override_settings(FIGURES_SLOW_MS=1, FIGURES_MAX_AGE=300)
def test_a_process_asks_the_shared_cache_for_a_recount_once_a_minute_while_none_comes(
    figures, monkeypatch
):
    args = {"day": "2026-12-03"}
    snapshots.count(NAME, args, keep=True)
    asked = []
    add = cache.add
    monkeypatch.setattr(snapshots.cache, "add", lambda *a, **k: asked.append(a[0]) or add(*a, **k))
    queued = []  # the worker never gets to it: the snapshot stays stale
    monkeypatch.setattr(snapshots, "recount", lambda *a: queued.append(a))
    with later(400):
        for _ in range(5):
            assert snapshots.read(NAME, args).kept
    assert len(asked) == 1
    assert len(queued) == 1
    with later(400 + 59):
        snapshots.read(NAME, args)
    assert len(asked) == 1
    with later(400 + 61):  # a minute on: asked again; the mark in the shared cache still stands
        snapshots.read(NAME, args)
    assert len(asked) == 2
    assert len(queued) == 1
    cache.delete(f"{snapshots.key(NAME, args)}:recounting")  # the mark expired, no recount came
    with later(400 + 122):
        snapshots.read(NAME, args)
    assert len(queued) == 2
    # another snapshot is asked for on its own
    snapshots.count(NAME, {"day": "2026-12-04"}, keep=True)
    with later(400 + 123):
        snapshots.read(NAME, {"day": "2026-12-04"})
    assert len(queued) == 3


@override_settings(FIGURES_SLOW_MS=1)
def test_each_language_has_its_own_snapshot(figures):
    args = {"day": "2026-12-03"}
    with translation.override("zh-hans"):
        snapshots.count(NAME, args, keep=True)
    with translation.override("en"):
        assert snapshots.read(NAME, args).value["label"] == "All"
    with translation.override("zh-hans"):
        assert snapshots.read(NAME, args).value["label"] == "全部"


@override_settings(FIGURES_SLOW_MS=1)
def test_the_daily_job_counts_the_defaults_of_the_day(figures):
    job = next(job for job in daily.jobs() if job.name == "figures.snapshots")
    ours = {NAME: snapshots._registry[NAME]}  # the apps' own are counted by their tests
    with (
        mock.patch.dict(snapshots._registry, ours, clear=True),
        mock.patch("guanqing.core.snapshots.time.perf_counter", side_effect=[0.0, 2.0]),
    ):
        line = job.describe(job.run(datetime.date(2026, 12, 3)))
    assert "2026-12-03" in figures.calls
    assert line == "统计快照 1 项"
    figures.value = 2
    kept = snapshots.read(NAME, {"day": "2026-12-03"})
    assert (kept.value["value"], kept.kept) == (1, True)


@override_settings(FIGURES_SLOW_MS=1)
def test_a_computation_that_fails_is_named_by_the_daily_job_and_the_others_are_counted(
    figures, caplog
):
    def broken():
        raise RuntimeError("no calendar")

    ours = {"tests.broken": snapshots.Computation("tests.broken", broken, lambda today: [{}])}
    ours[NAME] = snapshots._registry[NAME]
    with mock.patch.dict(snapshots._registry, ours, clear=True):
        warmed = snapshots.warm(datetime.date(2026, 12, 3))
    assert (warmed.counted, warmed.failed) == (1, ["tests.broken"])
    assert snapshots.describe_warmed(warmed) == "统计快照 1 项；未能统计：tests.broken（见日志）"
    assert "tests.broken" in caplog.text and "no calendar" in caplog.text


def test_the_snapshots_are_counted_after_the_other_daily_jobs():
    assert daily.jobs()[-1].name == "figures.snapshots"


def test_an_unknown_computation_is_named():
    with pytest.raises(LookupError, match="tests.nothing"):
        snapshots.read("tests.nothing", {})


# --- the committee's pairing figures -----------------------------------------------------------


@pytest.fixture
def paired(world):
    pairing = f.PairingFactory(
        household=world.household,
        unit=world.unit,
        member=world.member,
        started_on=datetime.date(2024, 1, 1),
    )
    f.VisitFactory(
        pairing=pairing,
        date=datetime.date(2025, 2, 1),
        cash_amount=Decimal("100"),
        participants=[world.member],
    )
    world.pairing = pairing
    cache.clear()
    yield world
    cache.clear()


RANGE = {"preset": "custom", "from": "2025-01-01", "to": "2025-03-31"}


def visits_card(html: str) -> str:
    return html.split('data-key="visit_person_times">', 1)[1].split("<", 1)[0]


@override_settings(FIGURES_SLOW_MS=1, FIGURES_MAX_AGE=300)
def test_the_committee_reads_the_kept_figures_and_a_unit_its_own(paired):
    committee = client_for(paired.users.committee)
    with mock.patch("guanqing.core.snapshots.time.perf_counter", side_effect=[0.0, 2.0]):
        first = committee.get("/pairing/figures/", RANGE).content.decode()
    assert visits_card(first) == "1"
    assert "数据截至" not in first  # counted just now
    f.VisitFactory(
        pairing=paired.pairing, date=datetime.date(2025, 3, 1), participants=[paired.member]
    )
    kept = committee.get("/pairing/figures/", RANGE).content.decode()
    assert visits_card(kept) == "1"
    assert "数据截至" in kept and "由系统定时重新统计" in kept
    # the unit's administrator reads the unit's own figures, first counted now: the new visit is
    # there
    unit_page = client_for(paired.users.unit_admin).get("/pairing/figures/", RANGE)
    assert visits_card(unit_page.content.decode()) == "2"
    # the API reads the same snapshot and says as of when
    api = committee.get("/api/v1/figures/pairing/", {"from": "2025-01-01", "to": "2025-03-31"})
    assert api.json()["visit_person_times"] == 1
    assert api.json()["as_of"]


@pytest.mark.parametrize(
    ("page", "api", "key"),
    [
        ("/wishes/figures/", "/api/v1/figures/wishes/", ("totals", "posted")),
        ("/community/figures/", "/api/v1/community/figures/", ("registrations", "total")),
    ],
)
@override_settings(FIGURES_SLOW_MS=1, FIGURES_MAX_AGE=300)
def test_the_committee_reads_kept_wish_and_community_figures(world, page, api, key):
    cache.clear()
    span = {"from": "2026-01-01", "to": "2026-12-31"}
    committee = client_for(world.users.committee)
    with mock.patch("guanqing.core.snapshots.time.perf_counter", side_effect=[0.0, 2.0]):
        first = committee.get(page, span).content.decode()
    assert "数据截至" not in first  # counted just now
    counted = committee.get(api, span).json()
    if page.startswith("/wishes/"):
        from guanqing.wishes.tests.factories import WishFactory

        WishFactory(community=world.community)
    else:
        from guanqing.community.tests.factories import RegistrationFactory

        RegistrationFactory(member=world.member, community=world.community, year=2026, half=2)
    kept = committee.get(page, span).content.decode()
    assert "数据截至" in kept
    outer, inner = key
    assert committee.get(api, span).json()[outer][inner] == counted[outer][inner]
    # a narrower reader's figures are its own, first counted now: no "as of"
    narrower = world.users.unit_admin if "community" in page else world.users.community_worker
    assert "数据截至" not in client_for(narrower).get(page, span).content.decode()
    cache.clear()


# --- every registered computation counts what its page counts for the committee ---------------


def _live(name: str, args: dict, committee):
    """What the page itself counts for a member of the committee, for `args`."""
    from guanqing.community import selectors as community
    from guanqing.core.daterange import DateRange
    from guanqing.frontline import figures as frontline
    from guanqing.instructors import figures as instructors
    from guanqing.pairing import compliance
    from guanqing.pairing import figures as pairing
    from guanqing.pairing.models import Pairing
    from guanqing.registry.models import Division
    from guanqing.reports import selectors as reports
    from guanqing.window import figures as window
    from guanqing.wishes import figures as wishes

    if name == "pledges.metric":
        from guanqing.pledges import metrics

        return metrics.metrics()[args["key"]].value(args["year"])
    if name == "registry.city_charts":
        from guanqing.registry import home as registry

        return registry.chart_counts(committee)
    if name == "community.missing_by_unit":
        from guanqing.community import home
        from guanqing.community.rules import Term

        return home.missing_by_unit(committee, Term.parse(args["term"]))
    day = datetime.date.fromisoformat
    today = day(args["today"])
    if name == "instructors.last_month":
        from guanqing.instructors.home import _last_month_short

        return list(_last_month_short(committee, today))
    if name == pairing.CITY_FIGURES:
        pairings = Pairing.objects.visible_to(committee)
        district = args["district"] and Division.objects.get(pk=args["district"])
        return pairing.pairing_figures(
            pairings, day(args["first"]), day(args["last"]), today, district=district
        )
    if name == compliance.CITY_BOARD:
        config = compliance.current_config()
        period = compliance.parse_period(args["period"], config)
        return compliance.city_board(Pairing.objects.visible_to(committee), period, today, config)
    if name == "pairing.active":
        return Pairing.objects.visible_to(committee).active().count()
    if name == "pairing.units_with":
        from guanqing.pairing import selectors

        config = compliance.current_config()
        period = compliance.parse_period(args["period"], config)
        return selectors._units_with(
            Pairing.objects.visible_to(committee), args["status"], period, today, config
        )
    if name == "training.city_headline":
        from guanqing.training.home import plan_headline

        return plan_headline(committee)
    if name == "training.completion":
        from guanqing.training.figures import completion
        from guanqing.training.models import Plan

        return completion(Plan.objects.visible_to(committee).get(pk=args["plan"]))
    if name == "window.ratings_list_summary":
        from guanqing.window import rating_selectors

        return rating_selectors.list_summary(rating_selectors.ratings_for(committee))
    if name == reports.LIVE_REPORT:
        from guanqing.core.reports import Period

        where = reports.parse_where(committee, args["where"])
        period = Period.parse(args["period"])
        return reports.live_report(committee, period, where, today=today).sections
    span = DateRange(day(args["first"]), day(args["last"]))
    if name == "care.figures":
        from guanqing.care import figures as care

        return care.figures(committee, span, today)
    live = {
        window.CITY_FIGURES: lambda: window.window_figures(committee, span, today=today),
        window.CITY_BOARD: lambda: window.window_board(committee, span, today=today),
        window.CITY_RATINGS: lambda: window.rating_figures(committee, span),
        frontline.CITY_FIGURES: lambda: frontline.frontline_figures(committee, span, today=today),
        wishes.CITY_FIGURES: lambda: wishes.wish_figures(committee, span.first, span.last),
        community.CITY_FIGURES: lambda: community.community_figures(
            committee, span.first, span.last, unit=None
        ),
        instructors.CITY_FIGURES: lambda: instructors.figures(committee, span, today),
    }
    return live[name]()


@pytest.mark.parametrize(
    "name",
    [
        "pairing.figures",
        "pairing.city_board",
        "pairing.units_with",
        "pairing.active",
        "reports.live",
        "window.figures",
        "window.board",
        "window.ratings",
        "window.ratings_list_summary",
        "frontline.figures",
        "wishes.figures",
        "community.figures",
        "pledges.metric",
        "community.missing_by_unit",
        "training.completion",
        "training.city_headline",
        "instructors.figures",
        "instructors.last_month",
        "registry.city_charts",
        "care.figures",
    ],
)
def test_a_snapshot_counts_what_the_committee_s_page_counts(paired, name, request):
    today = datetime.date(2025, 3, 31)
    if name.startswith("training."):  # a plan and its cadres, some in each of two units
        from guanqing.training.tests.test_attendance import build_rota

        request.getfixturevalue("official_calendar")
        build_rota(paired, exempt=1)
    if name.startswith("instructors."):  # a term with days logged in the default range
        from guanqing.instructors.tests.helpers import log, term

        days = log(term(paired, starts=datetime.date(2025, 1, 1)), datetime.date(2025, 2, 3))
        assert days.days == 1
    computation = snapshots._computation(name)
    defaults = list(computation.warm(today))
    assert defaults
    for args in defaults:
        assert snapshots.count(name, args).value == _live(name, args, paired.users.committee)


def test_every_registered_computation_is_compared_above():
    from guanqing.core.tests import test_snapshots as this

    compared = set(
        this.test_a_snapshot_counts_what_the_committee_s_page_counts.pytestmark[0].args[1]
    )
    assert {c.name for c in snapshots.computations()} - {NAME} == compared
