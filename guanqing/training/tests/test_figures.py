"""Completion by unit and by rank: completed when every training day is present (a missed day made
up in a later session counts), absent without make-up while a missed day waits in the session the
cadre is in, exemptions apart; the committee sees every unit, a unit administrator its own."""

from __future__ import annotations

import io
from unittest import mock

import openpyxl
import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from guanqing.conftest import client_for
from guanqing.training import attendance
from guanqing.training.choices import AttendanceStatus
from guanqing.training.figures import completion
from guanqing.training.tests.test_attendance import build_rota, on

PRESENT, ABSENT, EXCUSED = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.ABSENT,
    AttendanceStatus.EXCUSED,
)


@pytest.fixture
def r(world, official_calendar):
    return build_rota(world, exempt=1)


def mark(r, session, number, marks):
    day = session.dates[number - 1]
    with on(day, 17):
        attendance.attendance_record(
            actor=r.committee,
            session=session,
            day=day,
            marks={a.participant_id: status for a, status in marks.items()},
        )


def rows_by_label(rows):
    return {row.label: row for row in rows}


def test_completion_counts_by_unit_and_rank(r):
    # 张三 both days: completed; 甲1 absent on day 1, 乙1 excused on day 2: absent without make-up
    mark(r, r.s1, 1, {r.mine: PRESENT, r.a[0]: ABSENT, r.b[0]: PRESENT})
    mark(r, r.s1, 2, {r.mine: PRESENT, r.a[0]: PRESENT, r.b[0]: EXCUSED})
    before = completion(r.plan)
    units = rows_by_label(before.by_unit)
    assert (units["市纪委"].required, units["市纪委"].exempt, units["市纪委"].scheduled) == (
        6,
        1,
        6,
    )
    assert (units["市纪委"].completed, units["市纪委"].absent) == (1, 1)
    assert (units["市发改委"].required, units["市发改委"].completed, units["市发改委"].absent) == (
        4,
        0,
        1,
    )
    assert (before.totals.required, before.totals.completed, before.totals.absent) == (10, 1, 2)
    assert before.totals.rate == 10
    ranks = rows_by_label(before.by_rank)
    assert list(ranks) == ["处级"]
    assert (ranks["处级"].required, ranks["处级"].exempt) == (10, 1)


def test_a_missed_day_made_up_later_completes_the_training(r):
    mark(r, r.s1, 1, {r.mine: PRESENT})
    mark(r, r.s1, 2, {r.mine: EXCUSED})
    with on(r.s1.dates[1], 18):
        attendance.makeup_assign(actor=r.committee, assignment=r.mine, session=r.s3)
    waiting = rows_by_label(completion(r.plan).by_unit)["市纪委"]
    # made up, not yet attended: neither absent without make-up nor completed
    assert (waiting.completed, waiting.absent, waiting.made_up) == (0, 0, 1)
    mark(r, r.s3, 1, {r.mine: ABSENT})
    missed_again = rows_by_label(completion(r.plan).by_unit)["市纪委"]
    assert (missed_again.completed, missed_again.absent) == (0, 1)
    mark(r, r.s3, 2, {r.mine: PRESENT})
    done = rows_by_label(completion(r.plan).by_unit)["市纪委"]
    assert (done.completed, done.absent, done.made_up) == (1, 0, 1)


def test_a_unit_sees_only_its_own_units_figures(r, world):
    mark(r, r.s1, 1, {r.mine: PRESENT, r.b[0]: PRESENT})
    only = completion(r.plan, units=[world.unit])
    assert [row.label for row in only.by_unit] == ["市纪委"]
    assert only.totals.required == 6


def test_the_figures_page_for_the_committee_and_a_unit(r, world, client):
    mark(r, r.s1, 1, {r.mine: PRESENT})
    url = reverse("training:completion")
    client.force_login(world.users.committee)
    body = client.get(url, {"plan": r.plan.pk}).content.decode()
    assert "市纪委" in body and "市发改委" in body
    client.force_login(world.users.unit_admin)
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "市纪委" in body and "市发改委" not in body
    client.force_login(world.users.member)
    assert client.get(url).status_code == 403


def test_the_figures_do_not_list_the_participants_in_their_queries(r, world):
    """The plan's people are chosen by a join on the plan (and the unit), not by a list of their
    ids in every query: the statements stay the same size however many cadres the plan has."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    participant_ids = {str(p.pk) for p in r.plan.participants.all()}
    assert len(participant_ids) > 3
    for units in (None, [world.unit]):
        with CaptureQueriesContext(connection) as captured:
            result = completion(r.plan, units=units)
        assert len(captured.captured_queries) <= 4
        for query in captured.captured_queries:
            listed = query["sql"].split(" IN (")[1:]
            assert not any(
                len(set(part.split(")")[0].replace(" ", "").split(",")) & participant_ids) > 2
                for part in listed
            ), query["sql"]
        assert result.totals.required + result.totals.exempt == sum(
            row.required + row.exempt for row in result.by_unit
        )


def _stat(html: str, key: str) -> str:
    return html.split(f'data-key="{key}">', 1)[1].split("<", 1)[0]


def _unit_rows(html: str) -> list[str]:
    """The unit keys of the table by unit, in the page's order."""
    table = html.split('data-key="units"', 1)[1].split("</table>", 1)[0]
    return [part.split('"', 1)[0] for part in table.split('data-row="')[1:]]


@override_settings(FIGURES_SLOW_MS=1, FIGURES_MAX_AGE=300)
def test_the_committee_reads_a_kept_completion_and_a_unit_counts_its_own_live(r, world):
    cache.clear()
    url = reverse("training:completion")
    committee = client_for(world.users.committee)
    with mock.patch("guanqing.core.snapshots.time.perf_counter", side_effect=[0.0, 2.0]):
        first = committee.get(url, {"plan": r.plan.pk}).content.decode()
    assert _stat(first, "completed") == "0" and "数据截至" not in first
    mark(r, r.s1, 1, {r.mine: PRESENT})
    mark(r, r.s1, 2, {r.mine: PRESENT})
    kept = committee.get(url, {"plan": r.plan.pk}).content.decode()
    assert _stat(kept, "completed") == "0"  # as counted, with the time it was counted
    assert "数据截至" in kept
    own = client_for(world.users.unit_admin).get(url).content.decode()
    assert _stat(own, "completed") == "1" and "数据截至" not in own
    cache.clear()


def test_the_units_come_lowest_completion_first_cut_to_the_first_rows_with_the_whole_sheet(
    r, world
):
    mark(r, r.s1, 1, {r.mine: PRESENT})
    mark(r, r.s1, 2, {r.mine: PRESENT})  # 市纪委 1 of 6 completed, 市发改委 0 of 4
    url = reverse("training:completion")
    committee = client_for(world.users.committee)
    mine, other = str(world.unit.pk), str(world.other_unit.pk)
    assert _unit_rows(committee.get(url).content.decode()) == [other, mine]
    assert _unit_rows(committee.get(url, {"sort": "rate"}).content.decode()) == [mine, other]
    with mock.patch("guanqing.core.ui.ranking.TOP_ROWS", 1):
        cut = committee.get(url, {"sort": "required"}).content.decode()
    assert _unit_rows(cut) == [mine]
    assert "显示前 1 行，共 2 个单位" in cut
    sheet = committee.get(url, {"sort": "required", "export": "units"})
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True)
    )
    by_name = {row[0]: row for row in rows if row[0] in ("市纪委", "市发改委")}
    assert list(by_name) == ["市纪委", "市发改委"]  # both, in the page's order
    assert by_name["市纪委"][1:5] == (6, 6, 1, 17)  # required, scheduled, completed, rate %
    assert by_name["市发改委"][1:5] == (4, 4, 0, 0)


def test_the_committees_home_shows_the_newest_plans_cadres_and_assignments(r, world):
    from django.test import RequestFactory

    from guanqing.training import home

    request = RequestFactory().get("/")
    request.user = world.users.committee
    section = home.city_training(request)
    values = {str(stat["label"]): stat["value"] for stat in section["stats"]}
    # 11 cadres on the list, one exempt; every one of the ten placed in a session
    assert values == {"须参训": 10, "已排期": 10, "未排期": 0}
    assert r.plan.title in section["note"]
    request.user = world.users.unit_admin
    assert home.city_training(request) is None
