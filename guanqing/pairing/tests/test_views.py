"""The pairing pages: a member's pairings and visit form, the compliance board, their scope."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.conftest import client_for
from guanqing.pairing import compliance, rules
from guanqing.pairing.models import Pairing, Visit, VisitPhoto
from guanqing.pairing.tests import PNG, pair_world
from guanqing.testing import factories as f

DAY = datetime.timedelta(days=1)


@pytest.fixture
def paired(world):
    return pair_world(world)


def _visit_url(pairing):
    return f"/pairing/{pairing.pk}/visit/"


# --- /pairing/mine/ -------------------------------------------------------------------------------


def test_member_sees_its_pairings_with_the_current_statuses(paired):
    response = client_for(paired.users.member).get("/pairing/mine/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "张国宝户" in html
    assert "邵国樑" not in html and "周大伯" not in html
    assert _visit_url(paired.pairing) in html
    quarter = compliance.period_key(rules.quarter_of(paired.today))
    expected = next(
        r
        for r in compliance.pairing_year(paired.pairing, paired.today.year, paired.today)
        if r["period"] == quarter
    )
    assert f'data-status="{expected["status"]}"' in html


@pytest.mark.parametrize("role", ["committee", "unit_admin", "community_worker", "window_clerk"])
def test_roles_other_than_member_get_403_for_my_pairings(paired, role):
    assert client_for(getattr(paired.users, role)).get("/pairing/mine/").status_code == 403


# --- the visit form -------------------------------------------------------------------------------


def _post(paired, **overrides):
    data = {
        "date": paired.today.isoformat(),
        "kinds": ["talk", "festival"],
        "notes": "谈心",
        "cash_amount": "200",
        "in_kind_items": "米、油",
        "in_kind_value": "150.50",
        "support_kind": "none",
    }
    data.update(overrides)
    return client_for(paired.users.member).post(_visit_url(paired.pairing), data)


def test_member_records_a_visit_with_itself_as_participant(paired):
    before = Visit.objects.count()
    response = _post(paired, photo=_png())
    assert response.status_code == 302
    assert response["Location"] == "/pairing/mine/"
    assert Visit.objects.count() == before + 1
    visit = Visit.objects.latest("id")
    assert visit.pairing == paired.pairing
    assert list(visit.participants.all()) == [paired.member]
    assert visit.talk and visit.festival and not visit.brief
    assert str(visit.in_kind_value) == "150.50"
    assert VisitPhoto.objects.filter(visit=visit).count() == 1


def _png():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("a.png", PNG, content_type="image/png")


def test_visit_form_defaults_the_date_to_today(paired):
    response = client_for(paired.users.member).get(_visit_url(paired.pairing))
    assert response.status_code == 200
    assert f'value="{paired.today.isoformat()}"' in response.content.decode()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"kinds": []}, "kinds"),
        ({"cash_amount": "-5"}, "cash_amount"),
        ({"in_kind_items": ""}, "in_kind_items"),
        ({"kinds": ["support"]}, "support_kind"),
        ("future", "date"),
        ("before_start", "date"),
    ],
)
def test_visit_form_shows_service_errors_next_to_their_field_and_writes_nothing(
    paired, overrides, field
):
    if overrides == "future":
        overrides = {"date": (paired.today + DAY).isoformat()}
    elif overrides == "before_start":
        overrides = {"date": (paired.start - DAY).isoformat()}
    before = Visit.objects.count()
    response = _post(paired, **overrides)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert f'id="id_{field}_error"' in response.content.decode()
    assert Visit.objects.count() == before


def test_a_photo_that_is_not_an_image_is_refused_on_the_photo_field(paired):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = Visit.objects.count()
    bad = SimpleUploadedFile("a.png", b"not an image at all", content_type="image/png")
    response = _post(paired, photo=bad)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["photo"]
    assert Visit.objects.count() == before
    assert not VisitPhoto.objects.exists()


def test_member_gets_404_for_a_pairing_it_does_not_hold(paired):
    client = client_for(paired.users.member)
    assert client.get(_visit_url(paired.other_pairing)).status_code == 404
    assert client.get(_visit_url(paired.unit_pairing)).status_code == 404
    before = Visit.objects.count()
    response = client.post(
        _visit_url(paired.other_pairing),
        {"date": paired.today.isoformat(), "kinds": ["talk"], "support_kind": "none"},
    )
    assert response.status_code == 404
    assert Visit.objects.count() == before


def test_read_only_community_worker_cannot_open_the_visit_form(paired):
    # the pairing's household is in the worker's community, so it sees the pairing but cannot write
    assert Pairing.objects.visible_to(paired.users.community_worker).filter(pk=paired.pairing.pk)
    client = client_for(paired.users.community_worker)
    assert client.get(_visit_url(paired.pairing)).status_code == 403


# --- the board ------------------------------------------------------------------------------------


def _expected_unit(paired, user, unit):
    period = rules.quarter_of(paired.today)
    scoped = Pairing.objects.visible_to(user)
    return compliance.unit_board(scoped, unit, period, paired.today)["totals"]


def _stat(html, key):
    marker = f'data-key="{key}">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("<", start)]


def test_unit_admin_board_shows_its_unit_only(paired):
    user = paired.users.unit_admin
    quarter = compliance.period_key(rules.quarter_of(paired.today))
    response = client_for(user).get(f"/pairing/board/?period={quarter}")
    assert response.status_code == 200
    html = response.content.decode()
    totals = _expected_unit(paired, user, paired.unit)
    assert _stat(html, "pairings") == str(totals["pairings"]) == "2"
    assert _stat(html, "done") == str(totals["done"])
    assert "张国宝户" in html and "周大伯户" in html
    assert "邵国樑" not in html
    # asking for another unit changes nothing for a unit administrator
    other = client_for(user).get(f"/pairing/board/?unit={paired.other_unit.pk}&period={quarter}")
    assert "邵国樑" not in other.content.decode()


def test_committee_board_is_city_wide_by_default_and_per_unit_on_request(paired):
    user = paired.users.committee
    client = client_for(user)
    period = rules.quarter_of(paired.today)
    html = client.get(f"/pairing/board/?period={compliance.period_key(period)}").content.decode()
    city = compliance.city_board(Pairing.objects.visible_to(user), period, paired.today)
    assert _stat(html, "pairings") == str(city["totals"]["pairings"]) == "3"
    assert "市纪委" in html and "市发改委" in html and "海曙区" in html
    html = client.get(
        f"/pairing/board/?unit={paired.other_unit.pk}&period={compliance.period_key(period)}"
    ).content.decode()
    assert _stat(html, "pairings") == "1"
    assert "邵国樑户" in html and "张国宝" not in html


def test_board_period_select_offers_this_and_last_year(paired):
    html = client_for(paired.users.committee).get("/pairing/board/").content.decode()
    year = paired.today.year
    assert f'value="{year}Q1"' in html and f'value="{year - 1}Q4"' in html
    assert f'value="{year - 1}-july"' in html
    response = client_for(paired.users.committee).get(f"/pairing/board/?period={year - 1}Q3")
    assert response.context["period_key"] == f"{year - 1}Q3"


@pytest.mark.parametrize("role", ["member", "community_worker", "fund_officer", "system_admin"])
def test_other_roles_get_403_for_the_board(paired, role):
    assert client_for(getattr(paired.users, role)).get("/pairing/board/").status_code == 403


def test_committee_gets_404_for_an_unknown_unit(paired):
    assert client_for(paired.users.committee).get("/pairing/board/?unit=999999").status_code == 404


def _board_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("who", ["committee", "unit_admin"])
def test_board_query_count_does_not_grow_with_the_pairings(paired, who):
    client = client_for(getattr(paired.users, who))
    url = "/pairing/board/"
    unit_url = f"/pairing/board/?unit={paired.unit.pk}"
    # the first request warms per-process caches (policy, district map)
    _board_queries(client, url), _board_queries(client, unit_url)
    first = _board_queries(client, url), _board_queries(client, unit_url)
    for _ in range(5):
        household = f.HouseholdFactory(community=paired.community)
        pairing = f.PairingFactory(
            household=household, unit=paired.unit, member=paired.colleague, started_on=paired.start
        )
        f.VisitFactory(pairing=pairing, participants=[paired.colleague])
    assert (_board_queries(client, url), _board_queries(client, unit_url)) == first


def test_the_board_opens_on_the_newest_period_that_has_ended(paired):
    response = client_for(paired.users.committee).get("/pairing/board/")
    config = compliance.current_config()
    chosen = compliance.parse_period(response.context["period_key"], config)
    ended = [
        p
        for year in (paired.today.year - 1, paired.today.year)
        for p in rules.periods_of_year(year, config)
        if p.end < paired.today
    ]
    assert chosen.end < paired.today
    assert chosen.start == max(p.start for p in ended)


def test_the_household_page_lists_the_visits_the_viewer_may_see(paired):
    url = f"/registry/households/{paired.household.pk}/"
    html = client_for(paired.users.committee).get(url).content.decode()
    assert 'id="household-visits"' in html and "张三" in html and "入户谈心" in html
    # the community worker of the household's community sees them too (read-only)
    assert (
        'id="household-visits"'
        in client_for(paired.users.community_worker).get(url).content.decode()
    )
    # a household without visits shows no visit section
    other = client_for(paired.users.committee).get(
        f"/registry/households/{paired.unit_household.pk}/"
    )
    assert 'id="household-visits"' not in other.content.decode()


def test_the_household_visit_list_costs_the_same_queries_however_many_visits(paired):
    client = client_for(paired.users.committee)
    url = f"/registry/households/{paired.household.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(8):
        f.VisitFactory(
            pairing=paired.pairing,
            date=paired.start + datetime.timedelta(days=20 + n),
            participants=[paired.member, paired.colleague],
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
