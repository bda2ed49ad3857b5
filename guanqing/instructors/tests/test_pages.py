"""The instructors' pages: who opens which (every role), the unit's list with this month's days
against the required days, a term's page, the instructor's phone log (saving, errors beside the
field), the raise action, the city view, the figures, the setting, the home sections; and query
counts that do not grow with the number of terms."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from guanqing.conftest import client_for
from guanqing.core.roles import Role
from guanqing.frontline.models import Problem
from guanqing.instructors import home
from guanqing.instructors.models import InstructorSettings, RaisedProblem, WorkLog
from guanqing.instructors.tests.helpers import D, category, log, other_term, second_member, term
from guanqing.testing import factories as f

ROLES = [r.value for r in Role]
PAGES = {
    # page -> the roles that open it (200); every other role gets 403
    "/instructors/terms/": {"committee", "unit_admin", "member"},
    "/instructors/terms/new/": {"committee", "unit_admin"},
    "/instructors/log/": {"member"},
    "/instructors/city/": {"committee"},
    "/instructors/figures/": {"committee", "unit_admin"},
    "/instructors/settings/": {"committee"},
}


@pytest.fixture
def w(world, official_calendar, pinned_today):
    return world


@pytest.mark.parametrize("role", ROLES)
def test_who_opens_each_page(w, role):
    own = term(w)
    client = client_for(getattr(w.users, role))
    for url, allowed in PAGES.items():
        assert client.get(url).status_code == (200 if role in allowed else 403), (url, role)
    detail = client.get(f"/instructors/terms/{own.pk}/").status_code
    assert detail == (200 if role in {"committee", "unit_admin", "member"} else 403)


def test_a_term_outside_the_scope_is_404(w):
    other = other_term(w)
    mate = term(w, member=second_member(w))
    assert client_for(w.users.unit_admin).get(f"/instructors/terms/{other.pk}/").status_code == 404
    assert client_for(w.users.member).get(f"/instructors/terms/{mate.pk}/").status_code == 404
    assert client_for(w.users.committee).get(f"/instructors/terms/{other.pk}/").status_code == 200


def test_the_unit_list_shows_this_months_days_against_the_required(w):
    own = term(w)
    log(own, D(2026, 5, 4), D(2026, 5, 6))
    other_term(w)
    page = client_for(w.users.unit_admin).get("/instructors/terms/").content.decode()
    assert f'data-term="{own.pk}"' in page
    assert page.count("data-term=") == 1
    assert "data-days>3<" in page
    assert "data-required>20<" in page


def test_the_instructor_logs_from_the_phone_page(w):
    own = term(w)
    client = client_for(w.users.member)
    response = client.post(
        "/instructors/log/",
        {"starts_on": "2026-05-11", "ends_on": "2026-05-12", "work": "走访农户"},
    )
    assert response.status_code == 302
    entry = WorkLog.objects.get()
    assert (entry.term, entry.days) == (own, 2)
    page = client.get("/instructors/log/").content.decode()
    assert "data-days>2<" in page


def test_a_refused_entry_is_shown_beside_its_field(w):
    term(w)
    response = client_for(w.users.member).post(
        "/instructors/log/", {"starts_on": "2026-05-20", "work": "走访"}
    )
    assert response.status_code == 400
    assert "驻村日期不能晚于今天" in response.content.decode()
    assert not WorkLog.objects.exists()


def test_a_member_without_a_term_is_told_so(w):
    page = client_for(w.users.member).get("/instructors/log/").content.decode()
    assert "您目前没有农村工作指导员任期" in page


def test_the_unit_raises_a_problem_from_the_term_page(w):
    category()
    own = term(w)
    response = client_for(w.users.unit_admin).post(
        f"/instructors/terms/{own.pk}/raise/", {"title": "路灯损坏", "description": "十余盏"}
    )
    assert response.status_code == 302
    raised = RaisedProblem.objects.get()
    page = client_for(w.users.unit_admin).get(f"/instructors/terms/{own.pk}/").content.decode()
    assert f'data-problem="{raised.public_id}"' in page
    assert Problem.objects.get(pk=raised.problem_id).title == "路灯损坏"


def test_raise_errors_are_shown_beside_the_field(w):
    category()
    own = term(w)
    response = client_for(w.users.unit_admin).post(
        f"/instructors/terms/{own.pk}/raise/", {"title": "", "description": "十余盏"}
    )
    assert response.status_code == 400
    assert not RaisedProblem.objects.exists()


def test_ending_from_the_term_page(w):
    own = term(w)
    response = client_for(w.users.unit_admin).post(
        f"/instructors/terms/{own.pk}/end/", {"on": "2026-05-12", "reason": "调任"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.state == "ended"


def test_the_city_view_groups_terms_by_unit(w):
    own, other = term(w), other_term(w)
    page = client_for(w.users.committee).get("/instructors/city/").content.decode()
    assert f'data-unit="{w.unit.pk}"' in page and f'data-unit="{w.other_unit.pk}"' in page
    assert f'data-term="{own.pk}"' in page and f'data-term="{other.pk}"' in page


def test_the_setting_page_saves(w):
    response = client_for(w.users.committee).post(
        "/instructors/settings/", {"days_per_month": "12"}
    )
    assert response.status_code == 302
    assert InstructorSettings.current().days_per_month == 12


def test_home_sections(w):
    own = term(w)
    log(own, D(2026, 5, 4))
    request = RequestFactory().get("/")
    request.user = w.users.member
    stats = home.my_days(request)["stats"]
    assert [s["value"] for s in stats] == [1, 20]
    request.user = w.users.unit_admin
    # April: 0 of 20 days, so the instructor is short
    assert [s["value"] for s in home.unit_instructors(request)["stats"]] == [1, 1]
    request.user = w.users.committee
    assert home.unit_instructors(request) is None
    assert [s["value"] for s in home.city_instructors(request)["stats"]] == [1, 1]


def test_the_unit_choice_lists_only_units_whose_terms_the_user_sees(w):
    own = term(w)
    other = other_term(w)
    unit_page = client_for(w.users.unit_admin).get("/instructors/terms/").content.decode()
    assert 'name="unit"' not in unit_page  # one unit only: nothing to choose
    assert other.unit.name not in unit_page
    city_page = client_for(w.users.committee).get("/instructors/terms/").content.decode()
    assert f'<option value="{own.unit_id}">' in city_page
    assert f'<option value="{other.unit_id}">' in city_page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_terms(w, n):
    for i in range(n):
        member = f.MemberFactory(unit=w.unit, branch=w.org, name=f"队员{i}")
        village = f.CommunityFactory(parent=w.street, code=f"33020300120{i}", name=f"村{i}")
        t = term(w, member=member, village=village)
        log(t, D(2026, 5, 4))


@pytest.mark.parametrize(
    "url", ["/instructors/terms/", "/instructors/city/", "/instructors/figures/"]
)
def test_query_counts_do_not_grow_with_terms(w, url):
    category()
    first = term(w)
    log(first, D(2026, 5, 4))
    client = client_for(w.users.committee)
    client.get(url)
    few = _queries(client, url)
    _more_terms(w, 8)
    assert _queries(client, url) == few


def test_home_sections_keep_to_a_few_queries(w, django_assert_max_num_queries):
    term(w)
    request = RequestFactory().get("/")
    request.user = w.users.member
    with django_assert_max_num_queries(3):
        home.my_days(request)
    request.user = w.users.committee
    with django_assert_max_num_queries(3):
        home.city_instructors(request)


def test_the_unit_and_city_sections_read_no_log_entries(w, django_assert_max_num_queries):
    """The appointed terms and last month's days per term, summed by the database: two queries
    whatever the number of terms and entries."""
    term(w)
    _more_terms(w, 4)
    request = RequestFactory().get("/")
    request.user = w.users.committee
    with django_assert_max_num_queries(2):
        stats = home.city_instructors(request)["stats"]
    assert stats[0]["value"] == 5
    request.user = w.users.unit_admin
    with django_assert_max_num_queries(2):
        home.unit_instructors(request)


def test_the_raise_form_is_offered_only_where_the_loop_accepts_it(w):
    from guanqing.frontline import interface

    own = term(w)
    unit_page = client_for(w.users.unit_admin).get(f"/instructors/terms/{own.pk}/")
    assert 'data-key="raise"' in unit_page.content.decode()
    committee_page = client_for(w.users.committee).get(f"/instructors/terms/{own.pk}/")
    assert 'data-key="raise"' not in committee_page.content.decode()
    member_page = client_for(w.users.member).get("/instructors/log/").content.decode()
    assert ('data-key="raise"' in member_page) is interface.may_raise(w.users.member)


def test_past_the_limit_the_terms_units_are_searched(w, monkeypatch):
    from guanqing.instructors.filters import TermPageFilter

    own, other = term(w), other_term(w)
    client = client_for(w.users.committee)
    listed = client.get("/instructors/terms/").content.decode()
    assert '<select name="unit"' in listed and 'hx-get="/registry/pick/' not in listed
    # a province has thousands of units: past the limit (30) the filter is a search
    monkeypatch.setitem(TermPageFilter.base_filters["unit"].extra, "select_up_to", 1)
    page = client.get("/instructors/terms/").content.decode()
    assert 'hx-get="/registry/pick/instructor-units/"' in page and '<select name="unit"' not in page
    chosen = client.get("/instructors/terms/", {"unit": w.other_unit.pk}).content.decode()
    assert f'data-term="{other.pk}"' in chosen and f'data-term="{own.pk}"' not in chosen
    # a whole name typed without JavaScript filters the same way
    typed = client.get("/instructors/terms/", {"unit_q": w.other_unit.name}).content.decode()
    assert f'data-term="{other.pk}"' in typed and f'data-term="{own.pk}"' not in typed


def _term_rows(html: str) -> list[int]:
    return [int(part.split('"', 1)[0]) for part in html.split('data-term="')[1:]]


def test_the_figures_list_the_terms_meeting_fewest_months_first_with_the_whole_sheet(w):
    import io
    from unittest import mock

    import openpyxl

    idle, keen = term(w), other_term(w)
    log(keen, D(2026, 1, 5), D(2026, 1, 24))  # January's 20 days: 1 of the 4 months judged
    client = client_for(w.users.committee)
    span = {"from": "2026-01-01", "to": "2026-05-13"}
    assert _term_rows(client.get("/instructors/figures/", span).content.decode()) == [
        idle.pk,
        keen.pk,
    ]
    by_rate = client.get("/instructors/figures/", {**span, "sort": "met_rate"}).content.decode()
    assert _term_rows(by_rate) == [keen.pk, idle.pk]
    assert ">1 / 4<" in by_rate and ">0 / 4<" in by_rate
    with mock.patch("guanqing.core.ui.ranking.TOP_ROWS", 1):
        cut = client.get("/instructors/figures/", span).content.decode()
    assert _term_rows(cut) == [idle.pk] and "显示前 1 行，共 2 个任期" in cut
    sheet = client.get("/instructors/figures/", {**span, "sort": "met_rate", "export": "terms"})
    rows = list(
        openpyxl.load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True)
    )
    heading = list(rows[0])
    body = [dict(zip(heading, row, strict=True)) for row in rows[1:] if row[0]]
    assert [row["驻村天数"] for row in body] == [20, 0]
    assert [row["达标月份占比（%）"] for row in body] == [25, 0]


def test_the_committee_reads_kept_figures_and_a_unit_counts_its_own_live(w, settings):
    from unittest import mock

    from django.core.cache import cache

    settings.FIGURES_SLOW_MS, settings.FIGURES_MAX_AGE = 1, 300
    cache.clear()
    own = term(w)
    client = client_for(w.users.committee)
    with mock.patch("guanqing.core.snapshots.time.perf_counter", side_effect=[0.0, 2.0]):
        first = client.get("/instructors/figures/").content.decode()
    assert "数据截至" not in first and "驻村 0 天" in first
    log(own, D(2026, 5, 4))
    kept = client.get("/instructors/figures/").content.decode()
    assert "数据截至" in kept and "驻村 0 天" in kept
    api = client.get("/api/v1/instructors/figures/").json()
    assert api["totals"]["days"] == 0  # the API reads the same snapshot
    unit = client_for(w.users.unit_admin).get("/instructors/figures/").content.decode()
    assert "数据截至" not in unit and "驻村 1 天" in unit
    cache.clear()


def test_the_city_view_shows_a_page_of_units_at_a_time(w):
    from unittest import mock

    own, other = term(w), other_term(w)
    log(own, D(2026, 5, 4), D(2026, 5, 6))
    client = client_for(w.users.committee)
    whole = client.get("/instructors/city/").content.decode()
    assert f'data-unit="{w.unit.pk}"' in whole and f'data-unit="{w.other_unit.pk}"' in whole
    assert 'class="results-meta"' not in whole  # one page: no page links
    with mock.patch("guanqing.instructors.views_unit.CITY_UNITS_PER_PAGE", 1):
        first = client.get("/instructors/city/").content.decode()
        second = client.get("/instructors/city/", {"page": 2}).content.decode()
    units = sorted([w.unit, w.other_unit], key=lambda u: (u.sort_order, u.pk))
    assert f'data-unit="{units[0].pk}"' in first and f'data-unit="{units[1].pk}"' not in first
    assert f'data-unit="{units[1].pk}"' in second and f'data-unit="{units[0].pk}"' not in second
    assert "共 2 个单位" in first and "共 2 条" not in first  # units, not records
    # this month's days of the unit's term (logged from 4 May, three days)
    own_page = first if units[0] == w.unit else second
    row = own_page.split(f'data-term="{own.pk}"', 1)[1].split("</tr>", 1)[0]
    assert ">3<" in row
    assert f'data-term="{other.pk}"' in (second if units[0] == w.unit else first)
