"""The care pages as users meet them: the unit's open obligations (overdue first, then due
soonest) with their meet and waive forms, recording an event (the unit's active members, the rules
grouped by system, a second recording opening the first), the committee picking a unit first, an
event's timeline, a member's own page and report, the catalogue editor, the board, the figures,
the home sections; query counts that do not grow with the rows."""

from __future__ import annotations

import io
import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from guanqing.care import home, services
from guanqing.care.choices import ObligationState
from guanqing.care.models import CareEvent, CareRule, Obligation
from guanqing.care.tests.helpers import PLAIN, SENSITIVE, D, other_record, record, rule
from guanqing.conftest import api_as, client_for
from guanqing.core.tests.test_i18n import english_client
from guanqing.registry.choices import MemberStatus
from guanqing.testing import factories as f


@pytest.fixture
def w(world, official_calendar, pinned_today):
    return world


def _rows(html: str, key: str) -> list[str]:
    return re.findall(rf'data-{key}="(\d+)"', html)


def _options(html: str, name: str) -> set[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    return set(re.findall(r'<option value="(\d+)"', select.group(0))) if select else set()


# --- the unit's open obligations ---------------------------------------------------------------


def test_the_list_shows_overdue_first_then_due_soonest_and_only_open_ones(w):
    soon = record(w, PLAIN, on=D(2026, 5, 12)).obligations.get()  # due 15 May
    late = record(w, PLAIN, on=D(2026, 4, 20)).obligations.get()  # due 23 Apr: overdue
    later = record(w, "talk-promotion", on=D(2026, 5, 12)).obligations.get()  # due 26 May
    done = record(w, SENSITIVE, on=D(2026, 5, 11)).obligations.get()
    services.obligation_meet(actor=w.users.unit_admin, obligation=done, done_note="x")
    html = client_for(w.users.unit_admin).get("/care/").content.decode()
    assert _rows(html, "obligation") == [str(late.pk), str(soon.pk), str(later.pk)]
    assert 'data-timing="overdue"' in html
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # each row's forms have their own field ids
    overdue = client_for(w.users.unit_admin).get("/care/?when=overdue").content.decode()
    assert _rows(overdue, "obligation") == [str(late.pk)]


def test_each_rows_forms_on_the_list_are_its_own(w):
    """The list renders the forms once and stamps each row's key in: what each row shows is what
    rendering its own forms gives, addresses and field ids included."""
    from django.template.loader import render_to_string

    from guanqing.care.views_unit import _action_forms

    obligations = [
        record(w, PLAIN, on=D(2026, 5, 12)).obligations.get(),
        record(w, "talk-promotion", on=D(2026, 5, 11)).obligations.get(),
    ]
    html = client_for(w.users.unit_admin).get("/care/").content.decode()
    token = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">')
    for o in obligations:
        cell = re.search(rf'data-obligation="{o.pk}".*?data-label="操作">(.*?)</td>', html, re.S)
        row = {"obligation": o, "actions": ["meet", "waive"], **_action_forms(o.pk)}
        own = render_to_string("care/_obligation_actions.html", {"row": row, "next": "list"})
        assert f'action="/care/obligations/{o.pk}/meet/"' in cell.group(1)
        assert f'id="meet{o.pk}_done_note"' in cell.group(1)
        assert len(token.findall(cell.group(1))) == 2  # each form can be posted
        assert token.sub("", cell.group(1)) == token.sub("", own)


def test_meeting_from_the_list_returns_to_the_list(w):
    o = record(w).obligations.get()
    response = client_for(w.users.unit_admin).post(
        f"/care/obligations/{o.pk}/meet/", {"done_note": "上门慰问", "next": "list"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/care/"
    o.refresh_from_db()
    assert o.state == ObligationState.MET


def test_a_waiver_without_reason_is_shown_beside_the_field(w):
    o = record(w).obligations.get()
    response = client_for(w.users.unit_admin).post(f"/care/obligations/{o.pk}/waive/", {})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-action="waive" open' in html
    assert "field__error" in html or "errorlist" in html
    o.refresh_from_db()
    assert o.state == ObligationState.OPEN


def test_a_second_move_is_refused_with_a_message(w):
    o = record(w).obligations.get()
    client = client_for(w.users.unit_admin)
    client.post(f"/care/obligations/{o.pk}/waive/", {"reason": "已调离"})
    response = client.post(f"/care/obligations/{o.pk}/meet/", {"done_note": "x"}, follow=True)
    assert "不能登记落实" in response.content.decode()
    o.refresh_from_db()
    assert o.state == ObligationState.WAIVED


def test_another_units_obligation_answers_404(w):
    o = other_record(w).obligations.get()
    client = client_for(w.users.unit_admin)
    assert client.post(f"/care/obligations/{o.pk}/meet/", {"done_note": "x"}).status_code == 404
    assert client.post(f"/care/obligations/{o.pk}/waive/", {"reason": "x"}).status_code == 404


# --- recording ---------------------------------------------------------------------------------


def test_the_record_form_offers_the_units_active_members_and_the_rules_by_system(w):
    retired = f.MemberFactory(unit=w.unit, branch=w.org, name="退休的", status=MemberStatus.RETIRED)
    html = client_for(w.users.unit_admin).get("/care/record/").content.decode()
    assert _options(html, "member") == {str(w.member.pk)}  # not the retired, not the other unit's
    assert retired.pk != w.member.pk
    for system in ("六必谈", "六必访", "六必帮", "六激励"):
        assert f'<optgroup label="{system}">' in html


def test_recording_twice_opens_the_first_record(w):
    client = client_for(w.users.unit_admin)
    data = {"member": w.member.pk, "rule": rule(PLAIN).pk, "occurred_on": "2026-05-11"}
    first = client.post("/care/record/", data)
    event = CareEvent.objects.get()
    assert first["Location"] == f"/care/events/{event.pk}/"
    again = client.post("/care/record/", data, follow=True)
    assert "已有这条记录" in again.content.decode()
    assert CareEvent.objects.count() == Obligation.objects.count() == 1


def test_a_day_in_the_future_is_shown_beside_the_field(w):
    response = client_for(w.users.unit_admin).post(
        "/care/record/",
        {"member": w.member.pk, "rule": rule(PLAIN).pk, "occurred_on": "2026-05-14"},
    )
    assert response.status_code == 400
    assert "发生日期不能晚于今天" in response.content.decode()
    assert not CareEvent.objects.exists()


def test_the_committee_picks_the_unit_first(w):
    client = client_for(w.users.committee)
    html = client.get("/care/record/").content.decode()
    assert 'data-key="unit-pick"' in html
    assert 'data-key="event-form"' not in html
    picked = client.get("/care/record/", {"unit": w.other_unit.pk}).content.decode()
    assert _options(picked, "member") == {str(w.other_member.pk)}
    response = client.post(
        f"/care/record/?unit={w.other_unit.pk}",
        {"member": w.other_member.pk, "rule": rule(PLAIN).pk, "occurred_on": "2026-05-11"},
    )
    assert response.status_code == 302
    assert CareEvent.objects.get().unit == w.other_unit


# --- an event's page -----------------------------------------------------------------------------


def test_the_event_page_tells_what_happened_in_order(w):
    o = record(w, PLAIN, on=D(2026, 5, 5)).obligations.get()  # due 8 May
    services.care_daily(D(2026, 5, 9))
    services.obligation_meet(actor=w.users.unit_admin, obligation=o, done_note="上门慰问家属")
    html = client_for(w.users.unit_admin).get(f"/care/events/{o.event_id}/").content.decode()
    steps = re.findall(r'data-step="(\w+)"', html)
    # recorded today (13 May), after the deadline (8 May) and the escalation (9 May)
    assert steps == ["due", "escalated", "recorded", "met"]
    assert "上门慰问家属" in html
    assert 'data-timing="late"' in html


def test_the_event_page_offers_no_buttons_to_the_member(w):
    o = record(w).obligations.get()
    html = client_for(w.users.member).get(f"/care/events/{o.event_id}/").content.decode()
    assert 'data-action="meet"' not in html
    unit_html = client_for(w.users.unit_admin).get(f"/care/events/{o.event_id}/").content.decode()
    assert 'data-action="meet"' in unit_html
    assert 'data-action="waive"' in unit_html


# --- a member's own page -------------------------------------------------------------------------


def test_a_member_reports_its_own_event_once(w):
    client = client_for(w.users.member)
    data = {"rule": rule(SENSITIVE).pk, "occurred_on": "2026-05-12", "note": "住院"}
    assert client.post("/care/mine/", data).status_code == 302
    again = client.post("/care/mine/", data, follow=True).content.decode()
    assert "已有这条记录" in again
    event = CareEvent.objects.get()
    assert (event.member, event.source) == (w.member, "member")
    assert f'data-event="{event.pk}"' in again
    assert "住院或患重病" in again


def test_a_member_sees_only_its_own_events(w):
    record(w)
    other_record(w)
    html = client_for(w.users.member).get("/care/mine/").content.decode()
    assert len(_rows(html, "event")) == 1


# --- the catalogue, the board, the figures --------------------------------------------------------


def test_the_committee_edits_a_rule_from_the_catalogue(w):
    item = rule(PLAIN)
    client = client_for(w.users.committee)
    html = client.get("/care/rules/").content.decode()
    assert f'data-rule="{PLAIN}"' in html
    data = {
        "system": "visit",
        "code": PLAIN,
        "name": "直系亲属去世",
        "actor_kind": "party_office",
        "action": "visit",
        "limit_workdays": "2",
        "is_active": "on",
        "sort_order": "2",
    }
    assert client.post(f"/care/rules/{item.pk}/", data).status_code == 302
    item.refresh_from_db()
    assert item.limit_workdays == 2
    bad = client.post(f"/care/rules/{item.pk}/", data | {"limit_workdays": "0"})
    assert bad.status_code == 400
    new = client.post("/care/rules/new/", data | {"code": "visit-wedding", "name": "结婚"})
    assert new.status_code == 302
    assert CareRule.objects.get(code="visit-wedding").name == "结婚"


def test_the_board_shows_the_overdue_across_units_escalated_first(w):
    mine = record(w, PLAIN, on=D(2026, 4, 20)).obligations.get()
    theirs = other_record(w, PLAIN, on=D(2026, 5, 5)).obligations.get()  # due 8 May
    services.care_daily(D(2026, 5, 9))  # both escalated on 9 May
    third = other_record(w, SENSITIVE, on=D(2026, 5, 7)).obligations.get()  # due 13 May: not yet
    Obligation.objects.filter(pk=mine.pk).update(escalated_on=None)
    html = client_for(w.users.committee).get("/care/board/").content.decode()
    assert _rows(html, "obligation") == [str(theirs.pk), str(mine.pk)]
    assert str(third.pk) not in _rows(html, "obligation")
    assert _rows(html, "unit") == [str(w.other_unit.pk), str(w.unit.pk)]
    assert f'href="/care/?unit={w.unit.pk}&amp;when=overdue">1</a>' in html
    # the units sorted by another column, and the whole table as a sheet
    record(w, "talk-promotion", on=D(2026, 4, 1))  # a second overdue one for the unit
    html = client_for(w.users.committee).get("/care/board/?sort=overdue").content.decode()
    assert _rows(html, "unit") == [str(w.unit.pk), str(w.other_unit.pk)]
    assert 'aria-sort="descending"' in html and "下载全表（Excel）" in html
    sheet = client_for(w.users.committee).get("/care/board/?sort=overdue&export=units")
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    names = [row[0] for row in rows]
    assert names.index(w.unit.name) < names.index(w.other_unit.name)
    assert rows[names.index(w.unit.name)][1:] == (2, 2, 0)  # open, overdue, escalated


def test_the_committee_reads_the_kept_figures_with_their_time_and_a_unit_counts_its_own(w):
    import itertools
    from unittest import mock

    from django.core.cache import cache
    from django.test import override_settings

    cache.clear()
    record(w, PLAIN, on=D(2026, 5, 4))
    span = {"from": "2026-01-01", "to": "2026-06-30"}
    committee = client_for(w.users.committee)
    slow = mock.patch(
        "guanqing.core.snapshots.time.perf_counter", side_effect=itertools.count(0, 2.0)
    )
    with override_settings(FIGURES_SLOW_MS=1, FIGURES_MAX_AGE=300):
        with slow:  # the count "takes" two seconds: kept
            first = committee.get("/care/figures/", span).content.decode()
        assert "数据截至" not in first  # counted just now
        record(w, PLAIN, on=D(2026, 5, 5))
        kept = committee.get("/care/figures/", span).content.decode()
        assert "数据截至" in kept and "由系统定时重新统计" in kept
        visits = r'data-row="visit">.*?data-events>(\d+)<'
        assert re.search(visits, kept, re.S).group(1) == "1"  # one event, as counted
        api = api_as(w.users.committee).get("/api/v1/care/figures/", span).json()
        assert (api["totals"]["events"], api["as_of"] is not None) == (1, True)
        # a unit's administrator counts the unit's own now: both events
        unit_api = api_as(w.users.unit_admin).get("/api/v1/care/figures/", span).json()
        assert unit_api["totals"]["events"] == 2
        unit_page = client_for(w.users.unit_admin).get("/care/figures/", span).content.decode()
        assert "数据截至" not in unit_page
    cache.clear()


def test_the_figures_count_by_unit_and_system(w):
    on_time = record(w, PLAIN, on=D(2026, 5, 4)).obligations.get()
    late = record(w, SENSITIVE, on=D(2026, 4, 27)).obligations.get()
    record(w, "talk-promotion", on=D(2026, 4, 1))  # open and overdue
    waived = other_record(w, PLAIN, on=D(2026, 4, 1)).obligations.get()
    record(w, PLAIN, on=D(2026, 5, 12))  # not yet due
    services.obligation_meet(
        actor=w.users.unit_admin, obligation=on_time, done_note="x", on=D(2026, 5, 6)
    )
    services.obligation_meet(
        actor=w.users.unit_admin, obligation=late, done_note="x", on=D(2026, 5, 12)
    )
    services.obligation_waive(actor=w.users.committee, obligation=waived, reason="x")
    from guanqing.care import figures
    from guanqing.core.daterange import DateRange

    result = figures.figures(
        w.users.committee, DateRange(D(2026, 1, 1), D(2026, 6, 30)), D(2026, 5, 13)
    )
    assert result.totals == {
        "events": 5,
        "due": 5,
        "on_time": 1,
        "late": 1,
        "waived": 1,
        "overdue": 1,
        "pending": 1,
    }
    units = {row.key: row for row in result.by_unit}
    assert (units[w.unit.pk].events, units[w.other_unit.pk].waived) == (4, 1)
    systems = {row.key: row for row in result.by_system}
    assert (systems["visit"].events, systems["talk"].overdue, systems["help"].events) == (4, 1, 0)
    unit_view = figures.figures(
        w.users.unit_admin, DateRange(D(2026, 1, 1), D(2026, 6, 30)), D(2026, 5, 13)
    )
    assert unit_view.totals["events"] == 4
    page = client_for(w.users.committee).get("/care/figures/", {"from": "2026-13-01"})
    assert page.status_code == 200
    assert "field__error" in page.content.decode()


# --- the home page ------------------------------------------------------------------------------


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_home_sections_link_every_number(w):
    record(w, PLAIN, on=D(2026, 4, 20))  # overdue
    record(w, PLAIN, on=D(2026, 5, 12))  # due Fri 15 May: this week
    record(w, "talk-promotion", on=D(2026, 5, 12))  # due 26 May
    unit = home.unit_care(_request(w.users.unit_admin))
    assert [(s["value"], s["url"]) for s in unit["stats"]] == [
        (1, "/care/?when=overdue"),
        (1, "/care/?when=week"),
    ]
    services.care_daily(D(2026, 5, 13))
    city = home.city_care(_request(w.users.committee))
    assert [(s["value"], s["url"]) for s in city["stats"]] == [
        (1, "/care/board/"),
        (1, "/care/?when=overdue"),
    ]
    mine = home.my_care(_request(w.users.member))
    assert [(s["value"], s["url"]) for s in mine["stats"]] == [
        (3, "/care/mine/"),
        (3, "/care/mine/"),
    ]
    for section in (unit, city, mine):
        for stat in section["stats"]:
            assert (
                client_for(
                    {"unit": w.users.unit_admin, "city": w.users.committee}.get(
                        "unit" if section is unit else "city" if section is city else "",
                        w.users.member,
                    )
                )
                .get(stat["url"])
                .status_code
                == 200
            )


def test_a_member_without_events_sees_no_care_section(w):
    assert home.my_care(_request(w.users.member)) is None
    assert home.unit_care(_request(w.users.member)) is None
    assert home.city_care(_request(w.users.unit_admin)) is None


def test_home_sections_keep_to_a_few_queries(w, django_assert_max_num_queries):
    record(w)
    with django_assert_max_num_queries(1):
        home.unit_care(_request(w.users.unit_admin))
    with django_assert_max_num_queries(1):
        home.city_care(_request(w.users.committee))
    with django_assert_max_num_queries(2):
        home.my_care(_request(w.users.member))


# --- query budgets ------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more(w, n):
    for i in range(n):
        member = f.MemberFactory(unit=w.unit, branch=w.org, name=f"党员{i}")
        record(w, PLAIN, member=member, on=D(2026, 4, 1 + i))
        other_record(w, SENSITIVE, on=D(2026, 4, 1 + i))


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("unit_admin", "/care/"),
        ("committee", "/care/"),
        ("unit_admin", "/care/events/"),
        ("committee", "/care/events/"),
        ("committee", "/care/board/"),
        ("committee", "/care/figures/"),
        ("unit_admin", "/care/figures/"),
        ("member", "/care/mine/"),
    ],
)
def test_query_counts_do_not_grow_with_the_rows(w, role, url):
    record(w, PLAIN, on=D(2026, 4, 1))
    other_record(w, PLAIN, on=D(2026, 4, 1))
    client = client_for(getattr(w.users, role))
    client.get(url)
    few = _queries(client, url)
    _more(w, 6)
    assert _queries(client, url) == few


# --- one language -------------------------------------------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("unit_admin", "/care/"),
        ("unit_admin", "/care/record/"),
        ("committee", "/care/board/"),
        ("committee", "/care/figures/"),
        ("committee", "/care/rules/new/"),
        ("member", "/care/mine/"),
    ],
)
def test_pages_read_english_for_an_english_user(w, role, url):
    html = english_client(getattr(w.users, role)).get(url).content.decode()
    main = html.split("<main", 1)[-1].split("</main>", 1)[0]
    # data (names, the catalogue's items) may be Chinese; the page's own words are not
    for data in CareRule.objects.values_list("name", flat=True):
        main = main.replace(data, "")
    for data in ("张三", "李四", "市纪委", "市发改委"):
        main = main.replace(data, "")
    assert not CJK.findall(main), CJK.findall(main)[:20]


@pytest.mark.parametrize(("url", "key"), [("/care/", "obligation"), ("/care/events/", "event")])
def test_past_the_limit_the_lists_units_are_searched(w, monkeypatch, url, key):
    from guanqing.care.filters import EventPageFilter, ObligationPageFilter

    own, other = record(w, PLAIN), other_record(w, PLAIN)
    ids = {
        "obligation": (str(own.obligations.first().pk), str(other.obligations.first().pk)),
        "event": (str(own.pk), str(other.pk)),
    }[key]
    client = client_for(w.users.committee)
    assert '<select name="unit"' in client.get(url).content.decode()
    # a province has thousands of units: past the limit (30) the filter is a search
    for filterset in (ObligationPageFilter, EventPageFilter):
        monkeypatch.setitem(filterset.base_filters["unit"].extra, "select_up_to", 1)
    page = client.get(url).content.decode()
    assert 'hx-get="/registry/pick/care-units/"' in page and '<select name="unit"' not in page
    assert set(_rows(page, key)) == set(ids)
    chosen = client.get(url, {"unit": w.other_unit.pk}).content.decode()
    assert _rows(chosen, key) == [ids[1]]
    # a whole name typed without JavaScript filters the same way
    typed = client.get(url, {"unit_q": w.other_unit.name}).content.decode()
    assert _rows(typed, key) == [ids[1]]
