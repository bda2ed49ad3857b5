"""The visit list (filters, totals, scope, query count), the API's matching filters, and the visit
form for members and for those who record on a member's behalf."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.conftest import api_as, client_for
from guanqing.core.models import AuditEvent
from guanqing.pairing.figures import wan_yuan, yuan
from guanqing.pairing.models import Visit
from guanqing.pairing.tests import pair_world
from guanqing.registry import selectors as registry_selectors
from guanqing.registry import services as registry_services
from guanqing.testing import factories as f

DAY = datetime.timedelta(days=1)
LIST = "/pairing/visits/"


@pytest.fixture
def paired(world):
    world = pair_world(world)
    # a festival visit with help, two participants
    world.help_visit = f.VisitFactory(
        pairing=world.pairing,
        date=world.start + 20 * DAY,
        talk=False,
        festival=True,
        cash_amount=Decimal("300.00"),
        in_kind_items="米、油",
        in_kind_value=Decimal("150.50"),
        participants=[world.member, world.colleague],
        recorded_by=world.users.member,
        notes="春节慰问",
    )
    # 江东区 merged into the world's district: its households count there today
    old = f.DistrictFactory(code="330204000000", name="江东区")
    registry_services.division_abolish(
        actor=world.users.committee,
        division=old,
        on=datetime.date(2016, 10, 1),
        successor=world.district,
    )
    old_community = f.CommunityFactory(parent=f.StreetFactory(parent=old), name="老江东社区")
    world.old_household = f.HouseholdFactory(community=old_community, head_name="江老伯")
    world.old_pairing = f.PairingFactory(
        household=world.old_household,
        unit=world.unit,
        member=world.colleague,
        started_on=world.start,
    )
    world.old_visit = f.VisitFactory(
        pairing=world.old_pairing,
        date=world.start + 30 * DAY,
        talk=False,
        brief=True,
        support_kind="employment",
        support=True,
        participants=[world.colleague],
        recorded_by=world.users.unit_admin,
    )
    # a district of its own, not merged into anything
    world.far_district = f.DistrictFactory(code="330206000000", name="北仑区")
    far_community = f.CommunityFactory(parent=f.StreetFactory(parent=world.far_district))
    far_household = f.HouseholdFactory(community=far_community, head_name="林阿婆")
    far_pairing = f.PairingFactory(
        household=far_household, unit=world.other_unit, member=world.other_member
    )
    world.far_visit = f.VisitFactory(
        pairing=far_pairing,
        date=world.start + 40 * DAY,
        participants=[world.other_member],
        recorded_by=world.users.committee,
    )
    return world


def _shown(client, **params) -> set[int]:
    response = client.get(LIST, {"per_page": 100, **params})
    assert response.status_code == 200
    return {v.pk for v in response.context["rows"]}


def _ids(*visits) -> set[int]:
    return {v.pk for v in visits}


# --- scope ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["committee", "unit_admin", "member", "community_worker"])
def test_each_role_sees_exactly_the_visits_in_its_scope(paired, role):
    user = getattr(paired.users, role)
    expected = set(Visit.objects.visible_to(user).values_list("pk", flat=True))
    assert expected  # every role has something to see
    assert _shown(client_for(user)) == expected


def test_unit_admin_sees_only_its_units_visits_even_when_asking_for_another(paired):
    client = client_for(paired.users.unit_admin)
    assert _shown(client) == _ids(paired.visit, paired.help_visit, paired.old_visit)
    assert _shown(client, unit=paired.other_unit.pk) == set()


@pytest.mark.parametrize("role", ["window_clerk", "fund_officer", "system_admin", "audit_admin"])
def test_roles_without_pairings_get_403_for_the_visit_list(paired, role):
    assert client_for(getattr(paired.users, role)).get(LIST).status_code == 403


# --- filters --------------------------------------------------------------------------------------


def test_filters_narrow_the_list(paired):
    client = client_for(paired.users.committee)
    everything = _ids(
        paired.visit, paired.other_visit, paired.help_visit, paired.old_visit, paired.far_visit
    )
    assert _shown(client) == everything
    assert _shown(client, unit=paired.unit.pk) == _ids(
        paired.visit, paired.help_visit, paired.old_visit
    )
    # the page's community picker sends the community's id (the API takes its code)
    assert _shown(client, community=paired.community.pk) == _ids(paired.visit, paired.help_visit)
    assert _shown(client, q="江老") == _ids(paired.old_visit)
    assert _shown(client, member=paired.colleague.pk) == _ids(paired.help_visit, paired.old_visit)
    assert _shown(client, participant="王五") == _ids(paired.help_visit, paired.old_visit)
    assert _shown(client, kind="festival") == _ids(paired.help_visit)
    assert _shown(client, helped="true") == _ids(paired.help_visit, paired.old_visit)
    assert _shown(client, helped="false") == everything - _ids(paired.help_visit, paired.old_visit)
    day = paired.start + 20 * DAY
    assert _shown(client, date_from=day.isoformat(), date_to=(day + 10 * DAY).isoformat()) == (
        _ids(paired.help_visit, paired.old_visit)
    )


def test_district_filter_rolls_merged_districts_into_todays(paired):
    client = client_for(paired.users.committee)
    today_code = paired.district.code[:6]
    assert _shown(client, district=today_code) == _ids(
        paired.visit, paired.other_visit, paired.help_visit, paired.old_visit
    )
    # the abolished district alone is only itself
    assert _shown(client, district="330204") == _ids(paired.old_visit)
    assert _shown(client, district=paired.far_district.code[:6]) == _ids(paired.far_visit)
    # the select offers today's districts, not the abolished one
    html = client.get(LIST).content.decode()
    assert f'value="{today_code}"' in html and 'value="330204"' not in html


def test_the_api_list_accepts_the_same_filters(paired):
    client = api_as(paired.users.committee)

    def ids(**params):
        response = client.get("/api/v1/visits/", {"page_size": 100, **params})
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(district=paired.district.code[:6], helped="true") == _ids(
        paired.help_visit, paired.old_visit
    )
    assert ids(q="张国宝", participant="王五") == _ids(paired.help_visit)
    assert ids(community=paired.community.code, helped="false") == _ids(paired.visit)
    # and stays in scope
    unit_admin = api_as(paired.users.unit_admin)
    response = unit_admin.get("/api/v1/visits/", {"district": paired.district.code[:6]})
    got = {row["id"] for row in response.json()["results"]}
    assert got == _ids(paired.visit, paired.help_visit, paired.old_visit)


def test_htmx_filter_answers_with_the_results_only_and_keeps_the_filters_in_the_export_link(
    paired,
):
    client = client_for(paired.users.committee)
    response = client.get(
        LIST,
        {"kind": "festival", "page": 1},
        headers={"HX-Request": "true", "HX-Target": "results"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<form" not in html
    assert "张国宝户" in html and "邵国樑" not in html
    assert 'href="/pairing/visits/export/?kind=festival"' in html
    full = client.get(LIST, {"kind": "festival"}).content.decode()
    assert "<form" in full and 'id="results"' in full
    # the filter bar shows the page's selects, also when the filters are set
    assert "走访类型" in full and "区县代码" not in full
    assert '<option value="festival" selected>' in full


def test_past_the_limit_the_unit_and_community_are_searched_not_listed(paired):
    """A province has thousands of units and communities: past 30 the filter bar searches them
    (a chosen one is shown by name) instead of listing every one in a select."""
    client = client_for(paired.users.committee)
    with mock.patch("guanqing.pairing.views_visits.PICKER_SELECT_UP_TO", 1):
        html = client.get(LIST, {"unit": paired.unit.pk}).content.decode()
    assert 'name="unit_q"' in html and 'name="community_q"' in html
    assert f'<option value="{paired.other_unit.pk}"' not in html
    assert paired.unit.name in html
    # under the limit they are selects
    html = client.get(LIST).content.decode()
    assert f'<option value="{paired.other_unit.pk}"' in html
    # a unit administrator has one unit: no unit filter
    html = client_for(paired.users.unit_admin).get(LIST).content.decode()
    assert 'name="unit"' not in html and 'name="unit_q"' not in html


# --- totals ---------------------------------------------------------------------------------------


def test_totals_cover_the_whole_filtered_set_not_one_page(paired):
    client = client_for(paired.users.committee)
    for n in range(12):
        f.VisitFactory(
            pairing=paired.pairing,
            date=paired.start + (50 + n) * DAY,
            cash_amount=Decimal("1000.25"),
            participants=[paired.member, paired.colleague],
        )
    response = client.get(LIST, {"unit": paired.unit.pk, "per_page": 10})
    totals = response.context["totals"]
    visits = Visit.objects.filter(pairing__unit=paired.unit)
    cash = sum(v.cash_amount for v in visits)
    in_kind = sum(v.in_kind_value for v in visits)
    person_times = sum(v.participants.count() for v in visits)
    assert len(response.context["rows"]) == 10
    assert totals["visits"] == visits.count() == 15
    assert totals["person_times"] == person_times
    assert totals["cash_yuan"] == yuan(cash) == "12303.00"
    assert totals["cash_wan_yuan"] == wan_yuan(cash) == "1.23"
    assert totals["in_kind_yuan"] == yuan(in_kind)
    html = response.content.decode()
    assert f'data-key="visits">{totals["visits"]}<' in html
    assert f'data-key="person_times">{person_times}<' in html
    assert 'data-key="cash">12,303.00<' in html


def _visits_with_help(paired) -> None:
    for n in range(6):
        f.VisitFactory(
            pairing=paired.pairing,
            date=paired.start + (50 + 10 * n) * DAY,
            cash_amount=Decimal("300.50"),
            in_kind_value=Decimal("20"),
            participants=[paired.member, paired.colleague][: 1 + n % 2],
        )


def _dated(paired, dates: dict) -> tuple[dict, object]:
    """The list's date parameters for `dates` (days after the pairing's start) and the visits they
    leave."""
    params, visits = {}, Visit.objects.all()
    if "from" in dates:
        params["date_from"] = (paired.start + dates["from"] * DAY).isoformat()
        visits = visits.filter(date__gte=params["date_from"])
    if "to" in dates:
        params["date_to"] = (paired.start + dates["to"] * DAY).isoformat()
        visits = visits.filter(date__lte=params["date_to"])
    return params, visits


def _live_totals(visits) -> dict:
    return {
        "visits": visits.count(),
        "person_times": sum(v.participants.count() for v in visits),
        "cash_yuan": yuan(sum(v.cash_amount for v in visits)),
        "in_kind_yuan": yuan(sum(v.in_kind_value for v in visits)),
    }


@pytest.mark.parametrize("dates", [{}, {"from": 55}, {"to": 95}, {"from": 60, "to": 90}])
def test_the_committee_s_totals_by_dates_come_from_the_day_counts_and_equal_the_visits(
    paired, dates
):
    _visits_with_help(paired)
    params, visits = _dated(paired, dates)
    client = client_for(paired.users.committee)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST, {**params, "per_page": 10})
    totals = response.context["totals"]
    assert {key: totals[key] for key in _live_totals(visits)} == _live_totals(visits)
    assert response.context["page_obj"].paginator.count == visits.count()
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "core_daycount" in sql
    assert 'COUNT(*) AS "__count" FROM "pairing_visit"' not in sql  # nor is the list counted


def test_other_filters_and_scoped_roles_count_the_visits_themselves(paired):
    _visits_with_help(paired)
    other = f.PairingFactory(
        household=f.HouseholdFactory(community=paired.community), started_on=paired.start
    )
    f.VisitFactory(pairing=other, date=paired.start + 70 * DAY, cash_amount=Decimal("9"))
    committee = client_for(paired.users.committee)
    response = committee.get(LIST, {"unit": paired.unit.pk})
    visits = Visit.objects.filter(pairing__unit=paired.unit)
    totals = response.context["totals"]
    assert {key: totals[key] for key in _live_totals(visits)} == _live_totals(visits)
    unit_admin = client_for(paired.users.unit_admin)
    with CaptureQueriesContext(connection) as ctx:
        response = unit_admin.get(LIST)
    totals = response.context["totals"]
    assert {key: totals[key] for key in _live_totals(visits)} == _live_totals(visits)
    assert "core_daycount" not in " ".join(q["sql"] for q in ctx.captured_queries)


@pytest.mark.parametrize("dates", [{}, {"from": 55}, {"from": 60, "to": 90}])
def test_the_api_s_list_of_every_visit_of_a_span_takes_its_length_from_the_day_counts(
    paired, dates
):
    _visits_with_help(paired)
    params, visits = _dated(paired, dates)
    client = client_for(paired.users.committee)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/api/v1/visits/", {**params, "page_size": 2}).json()
    assert body["count"] == visits.count() and len(body["results"]) == min(2, visits.count())
    assert [row["id"] for row in body["results"]] == list(
        visits.order_by("-date", "-id").values_list("pk", flat=True)[:2]
    )
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "core_daycount" in sql
    assert 'COUNT(*) AS "__count" FROM "pairing_visit"' not in sql
    # another filter, or a narrower reader: the visits are counted themselves
    unit = client.get("/api/v1/visits/", {**params, "unit": paired.unit.pk}).json()
    assert unit["count"] == visits.filter(pairing__unit=paired.unit).count()
    with CaptureQueriesContext(connection) as ctx:
        own = client_for(paired.users.unit_admin).get("/api/v1/visits/", params).json()
    assert own["count"] == visits.filter(pairing__unit=paired.unit).count()
    assert "core_daycount" not in " ".join(q["sql"] for q in ctx.captured_queries)


# --- query count ----------------------------------------------------------------------------------


def _add_visits(paired, n: int) -> None:
    for _ in range(n):
        household = f.HouseholdFactory(community=paired.community)
        member = f.MemberFactory(unit=paired.unit)
        pairing = f.PairingFactory(
            household=household, unit=paired.unit, member=member, started_on=paired.start
        )
        f.VisitFactory(
            pairing=pairing,
            participants=[member, paired.colleague],
            recorded_by=paired.users.unit_admin,
        )


def _list_queries(client, **params) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST, {"per_page": 100, **params})
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["rows"])


@pytest.mark.parametrize("who", ["committee", "unit_admin", "community_worker"])
def test_visit_list_query_count_does_not_grow_with_the_rows(paired, who):
    client = client_for(getattr(paired.users, who))
    _add_visits(paired, 5)
    _list_queries(client)  # warms per-process caches (policy, district map)
    few, few_rows = _list_queries(client, helped="false")
    _add_visits(paired, 20)
    many, many_rows = _list_queries(client, helped="false")
    assert many_rows >= few_rows + 20
    assert many == few


# --- the visit form: recording on a member's behalf -----------------------------------------------


def _visit_url(pairing, next_url: str | None = None) -> str:
    url = f"/pairing/{pairing.pk}/visit/"
    return f"{url}?next={next_url}" if next_url else url


def _data(paired, **overrides) -> dict:
    data = {
        "date": paired.today.isoformat(),
        "kinds": ["talk"],
        "notes": "谈心，了解近况",
        "support_kind": "none",
    }
    data.update(overrides)
    return data


def test_unit_admin_records_a_visit_for_its_member(paired):
    client = client_for(paired.users.unit_admin)
    page = client.get(_visit_url(paired.pairing)).content.decode()
    # the colleague is offered, the other unit's member is not
    assert "王五" in page and "李四" not in page
    before = Visit.objects.count()
    response = client.post(
        _visit_url(paired.pairing),
        _data(paired, participants=[paired.member.pk, paired.colleague.pk]),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/registry/households/{paired.household.pk}/"
    assert Visit.objects.count() == before + 1
    visit = Visit.objects.latest("id")
    assert set(visit.participants.all()) == {paired.member, paired.colleague}
    assert visit.recorded_by == paired.users.unit_admin
    event = AuditEvent.objects.get(object_type="pairing.visit", object_id=str(visit.pk))
    assert event.action == "create"
    assert event.actor == paired.users.unit_admin
    assert sorted(event.changes["participants"][1]) == sorted(["张三", "王五"])


def test_the_holder_is_pre_selected_for_the_unit_admin(paired):
    response = client_for(paired.users.unit_admin).get(_visit_url(paired.pairing))
    form = response.context["form"]
    assert form["participants"].value() == [paired.member.pk]
    assert form.fields["participants"].required
    assert form["kinds"].value() == ["talk"]


def test_colleagues_of_the_same_name_are_told_apart(paired):
    f.MemberFactory(unit=paired.unit, branch=paired.org, name="王五")
    html = client_for(paired.users.unit_admin).get(_visit_url(paired.pairing)).content.decode()
    assert html.count("王五（市纪委机关党委）") == 2


def test_unit_admin_returns_to_a_safe_next_url_only(paired):
    client = client_for(paired.users.unit_admin)
    data = _data(paired, participants=[paired.member.pk])
    response = client.post(_visit_url(paired.pairing, "/pairing/visits/?kind=talk"), data)
    assert response["Location"] == "/pairing/visits/?kind=talk"
    for unsafe in ("https://evil.example/", "//evil.example/x"):
        response = client.post(_visit_url(paired.pairing), {**data, "next": unsafe})
        assert response["Location"] == f"/registry/households/{paired.household.pk}/"


def test_unit_admin_of_another_unit_gets_404_and_writes_nothing(paired):
    client = client_for(paired.users.unit_admin)
    url = _visit_url(paired.other_pairing)
    assert client.get(url).status_code == 404
    before = Visit.objects.count()
    response = client.post(url, _data(paired, participants=[paired.other_member.pk]))
    assert response.status_code == 404
    assert Visit.objects.count() == before


def test_committee_must_name_the_participants(paired):
    before = Visit.objects.count()
    response = client_for(paired.users.committee).post(_visit_url(paired.pairing), _data(paired))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["participants"]
    assert 'id="id_participants_error"' in response.content.decode()
    assert Visit.objects.count() == before


def test_the_holder_left_out_is_refused_beside_the_participants(paired):
    before = Visit.objects.count()
    response = client_for(paired.users.unit_admin).post(
        _visit_url(paired.pairing), _data(paired, participants=[paired.colleague.pk])
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["participants"]
    assert "张三" in errors["participants"][0]
    assert Visit.objects.count() == before


def test_committee_records_on_a_whole_unit_pairing(paired):
    response = client_for(paired.users.committee).post(
        _visit_url(paired.unit_pairing), _data(paired, participants=[paired.colleague.pk])
    )
    assert response.status_code == 302
    visit = Visit.objects.latest("id")
    assert visit.pairing == paired.unit_pairing
    assert list(visit.participants.all()) == [paired.colleague]


def test_a_large_units_participants_are_searched_among_its_members(paired, monkeypatch):
    from guanqing.pairing import forms

    monkeypatch.setattr(forms, "PARTICIPANT_BOXES_UP_TO", 1)
    admin = client_for(paired.users.unit_admin)
    url = _visit_url(paired.pairing)
    page = admin.get(url).content.decode()
    assert "data-picker-many" in page and f'data-picker-within="{paired.unit.pk}"' in page
    assert "participant-box" not in page and "王五" not in page
    # the holder is chosen already, listed ticked
    assert f'value="{paired.member.pk}" checked' in page and "张三" in page
    # the search finds the unit's active members, never another unit's
    search = "/registry/pick/visit-participants/"
    found = admin.get(search, {"q": "王", "within": paired.unit.pk}).content.decode()
    assert "王五" in found
    committee = client_for(paired.users.committee)
    found = committee.get(search, {"q": "李", "within": paired.unit.pk}).content.decode()
    assert "李四" not in found  # of another unit
    assert client_for(paired.users.member).get(search, {"q": "王"}).status_code == 403

    before = Visit.objects.count()
    chosen = [paired.member.pk, paired.colleague.pk]
    response = admin.post(url, _data(paired, participants=chosen))
    assert response.status_code == 302
    assert set(Visit.objects.latest("id").participants.all()) == {paired.member, paired.colleague}
    # another unit's member, or none at all, is refused beside the field and nothing is written
    for participants in ([paired.member.pk, paired.other_member.pk], []):
        response = committee.post(url, _data(paired, participants=participants))
        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["participants"]
        assert "李四" not in response.content.decode()
    assert Visit.objects.count() == before + 1
    # a member recording its own visit keeps the list of its colleagues' names
    assert "participant-box" in client_for(paired.users.member).get(url).content.decode()


# --- the visit form: a member and its colleagues --------------------------------------------------


def test_member_adds_a_colleague_and_is_always_a_participant(paired):
    client = client_for(paired.users.member)
    page = client.get(_visit_url(paired.pairing)).content.decode()
    assert "王五" in page
    response = client.post(
        _visit_url(paired.pairing), _data(paired, participants=[paired.colleague.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == "/pairing/mine/"
    visit = Visit.objects.latest("id")
    assert set(visit.participants.all()) == {paired.member, paired.colleague}


def test_member_ignores_next_and_returns_to_its_pairings(paired):
    response = client_for(paired.users.member).post(
        _visit_url(paired.pairing, "/pairing/visits/"), _data(paired)
    )
    assert response["Location"] == "/pairing/mine/"


def test_member_cannot_name_a_participant_outside_its_unit(paired):
    client = client_for(paired.users.member)  # signing in is audited: count after it
    before = Visit.objects.count()
    events = AuditEvent.objects.count()
    response = client.post(
        _visit_url(paired.pairing), _data(paired, participants=[paired.other_member.pk])
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["participants"]
    assert "市纪委" in form.errors["participants"][0]
    html = response.content.decode()
    assert 'id="id_participants_error"' in html
    assert "李四" not in html  # a name outside the member's scope is not revealed
    assert Visit.objects.count() == before
    assert AuditEvent.objects.count() == events


def test_committee_naming_another_units_member_is_refused_beside_the_field(paired):
    before = Visit.objects.count()
    response = client_for(paired.users.committee).post(
        _visit_url(paired.pairing),
        _data(paired, participants=[paired.member.pk, paired.other_member.pk]),
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["participants"]
    assert Visit.objects.count() == before


# --- the visit form: help, support and the 五清 profile -------------------------------------------


def test_support_note_and_in_kind_items_are_saved(paired):
    response = client_for(paired.users.member).post(
        _visit_url(paired.pairing),
        _data(
            paired,
            kinds=["talk", "support"],
            support_kind="employment",
            support_note="介绍到小区物业做保洁，月薪2800元",
            in_kind_items="棉被两床",
            in_kind_value="260",
        ),
    )
    assert response.status_code == 302
    visit = Visit.objects.latest("id")
    assert visit.support and visit.support_kind == "employment"
    assert visit.support_note == "介绍到小区物业做保洁，月薪2800元"
    assert visit.in_kind_items == "棉被两床" and visit.in_kind_value == Decimal("260")


def test_visit_form_is_pre_filled_with_the_current_profile(paired):
    paired.household.needs = "就业岗位"
    paired.household.save(update_fields=["needs"])
    response = client_for(paired.users.member).get(_visit_url(paired.pairing))
    form = response.context["form"]
    assert form["profile_needs"].value() == "就业岗位"
    html = response.content.decode()
    assert "更新五清档案" in html and "<details" in html


def test_a_profile_update_flows_to_the_household_and_its_timeline(paired):
    household = paired.household
    household.situation = "户主腿脚不便\n独居"
    household.needs = "就业岗位"
    household.save(update_fields=["situation", "needs"])
    response = client_for(paired.users.member).post(
        _visit_url(paired.pairing),
        _data(
            paired,
            # unchanged fields come back as the browser sends them (CRLF): nothing to update
            profile_situation="户主腿脚不便\r\n独居",
            profile_hardship_cause=household.hardship_cause,
            profile_outlook=household.outlook,
            profile_skills=household.skills,
            profile_needs="就业岗位；孙子上学的助学金",
        ),
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.needs == "就业岗位；孙子上学的助学金"
    assert household.situation == "户主腿脚不便\n独居"
    event = registry_selectors.household_timeline(household).filter(action="update").first()
    assert event is not None
    assert event.actor == paired.users.member
    assert set(event.changes) == {"needs"}
    page = client_for(paired.users.committee).get(f"/registry/households/{household.pk}/")
    assert "孙子上学的助学金" in page.content.decode()


def test_a_refused_visit_leaves_the_profile_untouched(paired):
    household = paired.household
    before = household.needs
    response = client_for(paired.users.member).post(
        _visit_url(paired.pairing),
        _data(paired, kinds=[], profile_needs="新的需求"),
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["kinds"]
    household.refresh_from_db()
    assert household.needs == before
    # the section keeps what was typed
    assert response.context["form"]["profile_needs"].value() == "新的需求"


# --- reaching the form --------------------------------------------------------------------------


def test_household_page_offers_the_visit_form_to_those_who_may_record(paired):
    url = f"/registry/households/{paired.household.pk}/"
    record = f"/pairing/{paired.pairing.pk}/visit/?next="
    assert record in client_for(paired.users.unit_admin).get(url).content.decode()
    assert record in client_for(paired.users.committee).get(url).content.decode()
    assert record not in client_for(paired.users.community_worker).get(url).content.decode()
    # a pairing without visits yet still offers the button
    html = (
        client_for(paired.users.unit_admin)
        .get(f"/registry/households/{paired.unit_household.pk}/")
        .content.decode()
    )
    assert f"/pairing/{paired.unit_pairing.pk}/visit/" in html


def test_nav_shows_the_visit_list_to_the_roles_that_use_it(paired):
    for role in ("committee", "unit_admin", "member", "community_worker"):
        html = client_for(getattr(paired.users, role)).get("/").content.decode()
        assert 'href="/pairing/visits/"' in html, role
    html = client_for(paired.users.fund_officer).get("/").content.decode()
    assert 'href="/pairing/visits/"' not in html


@pytest.mark.parametrize(
    "params", [{"date_from": "9999-12-31"}, {"date_to": "0001-01-01"}, {"date_to": "9999-12-31"}]
)
def test_the_counted_totals_hold_at_the_ends_of_the_calendar(paired, params):
    client = client_for(paired.users.committee)
    response = client.get(LIST, params)
    assert response.status_code == 200
    visits = Visit.objects.filter(
        date__gte=params.get("date_from", "0001-01-01"),
        date__lte=params.get("date_to", "9999-12-31"),
    )
    assert response.context["totals"]["visits"] == visits.count()
    assert response.context["page_obj"].paginator.count == visits.count()


def test_an_export_past_the_limit_is_refused_with_a_request_to_narrow_it(paired, settings):
    """A province's ten million visits do not fit a sheet nor a request: past the limit the
    export is refused, back on the list with its filters and a message; nothing is recorded."""
    client = client_for(paired.users.committee)
    settings.EXPORT_MAX_ROWS = 2
    response = client.get("/pairing/visits/export/", {"kind": "", "helped": "false"})
    assert response.status_code == 302
    assert response["Location"] == "/pairing/visits/?kind=&helped=false"
    page = client.get(response["Location"]).content.decode()
    assert "要导出 3 条，超过单次导出的上限 2 条" in page
    assert not AuditEvent.objects.filter(action="export").exists()
    narrowed = client.get("/pairing/visits/export/", {"kind": "festival"})
    assert narrowed.status_code == 200 and AuditEvent.objects.filter(action="export").count() == 1
