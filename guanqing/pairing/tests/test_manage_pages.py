"""The pairing management pages: list, detail, the create / handover / end forms, and the
partnerships; their scope, and that a refused write shows its error beside the field and writes
nothing."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanqing.conftest import client_for
from guanqing.core.models import AuditEvent
from guanqing.pairing import selectors
from guanqing.pairing.models import Pairing, PairingTerm
from guanqing.pairing.tests import pair_world
from guanqing.testing import factories as f

DAY = datetime.timedelta(days=1)


@pytest.fixture
def paired(world):
    return pair_world(world)


def _pairing_ids(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-pairing="(\d+)"', response.content.decode())}


def _field_error(response, field: str) -> str:
    """The text of the error shown beside `field` ('' when there is none)."""
    html = response.content.decode()
    found = re.findall(rf'<p class="field__error" id="id_{field}_error">([^<]*)</p>', html)
    return " ".join(found)


def _snapshot():
    """What a refused write must leave untouched."""
    return (
        list(Pairing.objects.order_by("pk").values_list("pk", "ended_on", "end_reason")),
        list(
            PairingTerm.objects.order_by("pk").values_list(
                "pk", "member_id", "starts_on", "ends_on"
            )
        ),
        AuditEvent.objects.count(),
    )


# --- the list -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("committee", {"pairing", "other_pairing", "unit_pairing"}),
        ("unit_admin", {"pairing", "unit_pairing"}),
        ("member", {"pairing"}),
        ("community_worker", {"pairing"}),
    ],
)
def test_list_shows_each_role_only_its_scope(paired, role, expected):
    response = client_for(getattr(paired.users, role)).get("/pairing/")
    assert response.status_code == 200
    assert _pairing_ids(response) == {getattr(paired, name).pk for name in expected}


@pytest.mark.parametrize("role", ["window_clerk", "fund_officer", "system_admin", "audit_admin"])
def test_roles_without_pairings_get_403_for_the_list(paired, role):
    assert client_for(getattr(paired.users, role)).get("/pairing/").status_code == 403


def test_member_keeps_seeing_a_pairing_it_handed_over_without_a_household_link(paired):
    PairingTerm.objects.filter(pairing=paired.pairing).update(ends_on=paired.today - 2 * DAY)
    f.PairingTermFactory(
        pairing=paired.pairing, member=paired.colleague, starts_on=paired.today - DAY
    )
    response = client_for(paired.users.member).get("/pairing/")
    assert _pairing_ids(response) == {paired.pairing.pk}
    html = response.content.decode()
    assert f"/registry/households/{paired.household.pk}/" not in html
    assert "王五" in html  # the current holder


def test_list_filters_by_status_name_holder_and_unit(paired):
    client = client_for(paired.users.committee)
    paired.other_pairing.ended_on = paired.today
    paired.other_pairing.end_reason = "moved"
    paired.other_pairing.save()
    ended = client.get("/pairing/", {"status": "ended"})
    assert _pairing_ids(ended) == {paired.other_pairing.pk}
    assert "迁出" in ended.content.decode()
    active = client.get("/pairing/", {"status": "active"})
    assert _pairing_ids(active) == {paired.pairing.pk, paired.unit_pairing.pk}
    assert _pairing_ids(client.get("/pairing/", {"q": "周大"})) == {paired.unit_pairing.pk}
    assert _pairing_ids(client.get("/pairing/", {"holder": "李四"})) == {paired.other_pairing.pk}
    by_unit = client.get("/pairing/", {"unit": paired.other_unit.pk})
    assert _pairing_ids(by_unit) == {paired.other_pairing.pk}
    by_community = client.get("/pairing/", {"community": paired.community.pk})
    assert _pairing_ids(by_community) == {paired.pairing.pk}
    by_district = client.get("/pairing/", {"district": "330203"})
    assert len(_pairing_ids(by_district)) == 3


def test_past_thirty_units_the_list_filter_searches_them(paired):
    for n in range(30):
        f.UnitFactory(name=f"候选单位{n:02d}")
    client = client_for(paired.users.committee)
    html = client.get("/pairing/").content.decode()
    assert 'hx-get="/registry/pick/units/"' in html and "候选单位07" not in html
    # the filter bar refreshes the list when a unit is chosen from the search
    assert "change from:find [data-picker]" in html
    by_unit = client.get("/pairing/", {"unit": paired.other_unit.pk})
    assert _pairing_ids(by_unit) == {paired.other_pairing.pk}
    # a whole name typed without JavaScript filters the same way
    typed = client.get("/pairing/", {"unit_q": paired.other_unit.name})
    assert _pairing_ids(typed) == {paired.other_pairing.pk}


def test_list_answers_htmx_with_the_results_only(paired):
    response = client_for(paired.users.committee).get(
        "/pairing/", {"q": "张"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert _pairing_ids(response) == {paired.pairing.pk}


def _list_queries(user, rows: int) -> int:
    client = client_for(user)
    client.get("/pairing/")  # session and caches warm
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/pairing/", {"per_page": 25})
    assert response.status_code == 200
    assert len(_pairing_ids(response)) == rows
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["committee", "unit_admin"])
def test_list_query_count_does_not_grow_with_rows(world, role):
    def add(n):
        for _ in range(n):
            member = f.MemberFactory(unit=world.unit)
            pairing = f.PairingFactory(
                household=f.HouseholdFactory(community=world.community),
                unit=world.unit,
                member=member,
            )
            f.VisitFactory(pairing=pairing, participants=[member])

    user = getattr(world.users, role)
    add(5)
    few = _list_queries(user, 5)
    add(20)
    many = _list_queries(user, 25)
    assert few == many


# --- the detail page ------------------------------------------------------------------------------


def test_detail_tells_the_whole_story(paired):
    response = client_for(paired.users.committee).get(f"/pairing/{paired.pairing.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/registry/households/{paired.household.pk}/" in html
    assert f'data-term="{paired.pairing.terms.get().pk}"' in html
    assert f'data-visit="{paired.visit.pk}"' in html
    assert f"/pairing/visits/?pairing={paired.pairing.pk}" in html
    assert html.count("data-period=") == 6  # Q1, 元旦春节, Q2, 七一, Q3, Q4
    assert f"/pairing/{paired.pairing.pk}/handover/" in html
    assert f"/pairing/{paired.pairing.pk}/end/" in html
    assert f"/pairing/{paired.pairing.pk}/visit/" in html


def test_detail_switches_year_within_the_pairings_life(paired):
    client = client_for(paired.users.committee)
    last_year = paired.today.year - 1
    paired.pairing.started_on = datetime.date(last_year, 3, 1)
    paired.pairing.save()
    PairingTerm.objects.filter(pairing=paired.pairing).update(starts_on=paired.pairing.started_on)
    response = client.get(f"/pairing/{paired.pairing.pk}/", {"year": last_year})
    html = response.content.decode()
    assert f'data-period="{last_year}Q1"' in html
    assert f'href="?year={paired.today.year}#duties"' in html
    # a year outside the pairing's life falls back to the latest one
    response = client.get(f"/pairing/{paired.pairing.pk}/", {"year": "1999"})
    assert f'data-period="{paired.today.year}Q1"' in response.content.decode()


def test_member_holding_the_pairing_may_record_but_not_manage(paired):
    response = client_for(paired.users.member).get(f"/pairing/{paired.pairing.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/pairing/{paired.pairing.pk}/visit/" in html
    assert "/handover/" not in html and "/end/" not in html


def test_community_worker_reads_the_pairing_without_actions(paired):
    response = client_for(paired.users.community_worker).get(f"/pairing/{paired.pairing.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/visit/" not in html and "/handover/" not in html and "/end/" not in html


def test_unit_admin_gets_404_for_other_units_pairing(paired):
    client = client_for(paired.users.unit_admin)
    pk = paired.other_pairing.pk
    before = _snapshot()
    for url in (f"/pairing/{pk}/", f"/pairing/{pk}/handover/", f"/pairing/{pk}/end/"):
        assert client.get(url).status_code == 404, url
    response = client.post(
        f"/pairing/{pk}/end/", {"reason": "lifted", "ended_on": paired.today.isoformat()}
    )
    assert response.status_code == 404
    assert _snapshot() == before


def test_a_missing_pairing_answers_like_one_outside_scope(paired):
    client = client_for(paired.users.unit_admin)
    missing = client.get("/pairing/999999/")
    outside = client.get(f"/pairing/{paired.other_pairing.pk}/")
    assert missing.status_code == outside.status_code == 404


# --- handover -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["unit_admin", "committee"])
def test_handover_through_the_form_keeps_the_history(paired, role):
    client = client_for(getattr(paired.users, role))
    url = f"/pairing/{paired.pairing.pk}/handover/"
    page = client.get(url)
    assert page.status_code == 200
    assert "王五" in page.content.decode()
    response = client.post(
        url,
        {
            "successor": paired.colleague.pk,
            "effective_date": paired.today.isoformat(),
            "reason": "张三调离",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/pairing/{paired.pairing.pk}/"
    terms = list(paired.pairing.terms.order_by("starts_on"))
    assert [(t.member_id, t.starts_on, t.ends_on) for t in terms] == [
        (paired.member.pk, paired.start, paired.today - DAY),
        (paired.colleague.pk, paired.today, None),
    ]
    assert terms[1].reason == "张三调离"
    # the visit before the handover still counts for 张三
    credited = selectors.with_holder(paired.pairing.visits.all()).get(pk=paired.visit.pk)
    assert credited.holder_id == paired.member.pk
    detail = client.get(response["Location"])
    html = detail.content.decode()
    assert "已交接" in html
    assert f'data-term="{terms[0].pk}"' in html and f'data-term="{terms[1].pk}"' in html
    assert f'data-holder="{paired.member.pk}"' in html


def test_handover_to_a_member_of_another_unit_is_refused_beside_the_field(paired):
    client = client_for(paired.users.committee)
    before = _snapshot()
    response = client.post(
        f"/pairing/{paired.pairing.pk}/handover/",
        {"successor": paired.other_member.pk, "effective_date": paired.today.isoformat()},
    )
    assert response.status_code == 200
    assert "不属于市纪委" in _field_error(response, "successor")
    assert _snapshot() == before


def test_unit_admin_cannot_pick_a_member_it_does_not_see(paired):
    client = client_for(paired.users.unit_admin)
    before = _snapshot()
    response = client.post(
        f"/pairing/{paired.pairing.pk}/handover/",
        {"successor": paired.other_member.pk, "effective_date": paired.today.isoformat()},
    )
    assert response.status_code == 200
    assert _field_error(response, "successor")
    assert "李四" not in response.content.decode()
    assert _snapshot() == before


def test_handover_dated_before_a_recorded_visit_is_refused_beside_the_date(paired):
    client = client_for(paired.users.unit_admin)
    before = _snapshot()
    response = client.post(
        f"/pairing/{paired.pairing.pk}/handover/",
        {"successor": paired.colleague.pk, "effective_date": paired.visit.date.isoformat()},
    )
    assert response.status_code == 200
    assert "已有走访记录" in _field_error(response, "effective_date")
    assert _snapshot() == before


# --- ending ---------------------------------------------------------------------------------------


def test_ending_through_the_form_closes_pairing_and_term(paired):
    client = client_for(paired.users.unit_admin)
    response = client.post(
        f"/pairing/{paired.pairing.pk}/end/",
        {"reason": "lifted", "ended_on": paired.today.isoformat(), "note": "已稳定就业"},
    )
    assert response.status_code == 302
    paired.pairing.refresh_from_db()
    assert paired.pairing.ended_on == paired.today
    assert paired.pairing.end_reason == "lifted"
    assert paired.pairing.end_note == "已稳定就业"
    assert paired.pairing.terms.get().ends_on == paired.today
    html = client.get(response["Location"]).content.decode()
    assert "脱困" in html and "已稳定就业" in html
    assert f"至 {paired.today:%Y-%m-%d}" in html  # the last holder, until the end
    assert "/handover/" not in html  # nothing left to manage
    # an ended pairing's forms send back to its page
    again = client.get(f"/pairing/{paired.pairing.pk}/end/")
    assert again.status_code == 302


def test_ending_before_the_start_is_refused_beside_the_date(paired):
    client = client_for(paired.users.committee)
    before = _snapshot()
    response = client.post(
        f"/pairing/{paired.pairing.pk}/end/",
        {"reason": "moved", "ended_on": (paired.start - DAY).isoformat()},
    )
    assert response.status_code == 200
    assert "结束日期不能早于" in _field_error(response, "ended_on")
    assert _snapshot() == before


def test_ending_needs_a_reason(paired):
    client = client_for(paired.users.committee)
    before = _snapshot()
    response = client.post(
        f"/pairing/{paired.pairing.pk}/end/", {"ended_on": paired.today.isoformat()}
    )
    assert response.status_code == 200
    assert _field_error(response, "reason")
    assert _snapshot() == before


# --- forms are for the committee and unit administrators only -------------------------------------


@pytest.mark.parametrize("page", ["handover", "end"])
@pytest.mark.parametrize("role", ["member", "community_worker", "window_clerk"])
def test_other_roles_get_403_on_the_forms(paired, role, page):
    client = client_for(getattr(paired.users, role))
    url = f"/pairing/{paired.pairing.pk}/{page}/"
    before = _snapshot()
    assert client.get(url).status_code == 403
    data = {"reason": "lifted", "ended_on": paired.today.isoformat()}
    if page == "handover":
        data = {"successor": paired.colleague.pk, "effective_date": paired.today.isoformat()}
    assert client.post(url, data).status_code == 403
    assert _snapshot() == before


# --- create ---------------------------------------------------------------------------------------


@pytest.fixture
def new_household(paired):
    return f.HouseholdFactory(community=paired.community, head_name="杨周宝")


def test_committee_finds_a_household_and_creates_a_pairing(paired, new_household):
    client = client_for(paired.users.committee)
    page = client.get("/pairing/new/", {"q": "杨周"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'value="{new_household.pk}" form="pairing-form"' in html
    assert "张国宝" not in html
    members = client.get(
        "/pairing/new/",
        {"unit": paired.unit.pk},
        headers={"HX-Request": "true", "HX-Target": "member-field"},
    )
    assert "王五" in members.content.decode() and "李四" not in members.content.decode()
    response = client.post(
        "/pairing/new/?q=杨周",
        {
            "household": new_household.pk,
            "unit": paired.unit.pk,
            "member": paired.colleague.pk,
            "started_on": paired.today.isoformat(),
        },
    )
    assert response.status_code == 302
    pairing = Pairing.objects.get(household=new_household)
    assert response["Location"] == f"/pairing/{pairing.pk}/"
    assert pairing.unit == paired.unit
    assert [(t.member_id, t.starts_on) for t in pairing.terms.all()] == [
        (paired.colleague.pk, paired.today)
    ]


def test_past_thirty_units_the_new_pairing_searches_its_unit(paired, new_household):
    for n in range(30):
        f.UnitFactory(name=f"候选单位{n:02d}")
    client = client_for(paired.users.committee)
    html = client.get("/pairing/new/").content.decode()
    field = html.split('id="unit-field"')[1].split('id="member-field"')[0]
    assert 'hx-get="/registry/pick/pairing-units/"' in field and "候选单位07" not in field
    # choosing a unit, from the search or the list, reloads that unit's members
    assert 'hx-trigger="change" hx-include="#pairing-form [name=unit]"' in html
    # typed without JavaScript, a whole name still picks the unit
    response = client.post(
        "/pairing/new/",
        {
            "household": new_household.pk,
            "unit_q": paired.other_unit.name,
            "member": "",
            "started_on": paired.today.isoformat(),
        },
    )
    assert response.status_code == 302
    assert Pairing.objects.get(household=new_household).unit == paired.other_unit


def test_past_thirty_communities_the_household_search_searches_them(paired, new_household):
    client = client_for(paired.users.committee)
    html = client.get("/pairing/new/").content.decode()
    assert '<select name="community" id="id_community">' in html
    street = paired.community.parent
    for n in range(30):
        f.CommunityFactory(parent=street, name=f"候选社区{n:02d}")
    html = client.get("/pairing/new/").content.decode()
    assert 'hx-get="/registry/pick/household-communities/"' in html and "候选社区07" not in html
    # a whole name typed without JavaScript narrows the search to that community
    page = client.get("/pairing/new/", {"community_q": paired.community.name})
    assert f'value="{new_household.pk}" form="pairing-form"' in page.content.decode()
    page = client.get("/pairing/new/", {"community_q": "候选社区"})
    assert "没有与“候选社区”完全相符的记录" in page.content.decode()


def test_committee_creates_a_whole_unit_pairing(paired, new_household):
    response = client_for(paired.users.committee).post(
        "/pairing/new/",
        {
            "household": new_household.pk,
            "unit": paired.other_unit.pk,
            "member": "",
            "started_on": paired.today.isoformat(),
        },
    )
    assert response.status_code == 302
    assert Pairing.objects.get(household=new_household).terms.get().member is None


def test_create_refuses_a_member_of_another_unit_beside_the_field(paired, new_household):
    client = client_for(paired.users.committee)
    before = _snapshot()
    response = client.post(
        "/pairing/new/",
        {
            "household": new_household.pk,
            "unit": paired.unit.pk,
            "member": paired.other_member.pk,
            "started_on": paired.today.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "不属于市纪委" in _field_error(response, "member")
    assert _snapshot() == before


def test_create_refuses_a_second_active_pairing_of_the_same_unit(paired):
    client = client_for(paired.users.committee)
    before = _snapshot()
    response = client.post(
        "/pairing/new/",
        {
            "household": paired.household.pk,
            "unit": paired.unit.pk,
            "started_on": paired.today.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "已与" in _field_error(response, "household")
    assert _snapshot() == before


def test_reloading_the_unit_members_without_javascript_writes_nothing(paired, new_household):
    client = client_for(paired.users.committee)
    before = _snapshot()
    response = client.post(
        "/pairing/new/",
        {
            "household": new_household.pk,
            "unit": paired.other_unit.pk,
            "started_on": paired.today.isoformat(),
            "refresh": "1",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "李四" in html and "王五" not in html
    assert f'value="{new_household.pk}" form="pairing-form" checked' in html
    assert 'class="field__error"' not in html
    assert _snapshot() == before


def test_household_search_lists_at_most_thirty_and_says_so(paired):
    for n in range(31):
        f.HouseholdFactory(community=paired.community, head_name=f"陈{n:02d}")
    html = client_for(paired.users.committee).get("/pairing/new/", {"q": "陈"}).content.decode()
    assert html.count('name="household"') == 30
    assert "只列出前 30 户" in html


@pytest.mark.parametrize("role", ["unit_admin", "member", "community_worker", "fund_officer"])
def test_only_the_committee_creates_pairings(paired, new_household, role):
    client = client_for(getattr(paired.users, role))
    assert client.get("/pairing/new/").status_code == 403
    response = client.post(
        "/pairing/new/",
        {
            "household": new_household.pk,
            "unit": paired.unit.pk,
            "started_on": paired.today.isoformat(),
        },
    )
    assert response.status_code == 403
    assert not Pairing.objects.filter(household=new_household).exists()


# --- partnerships ---------------------------------------------------------------------------------


def _partnership_ids(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-partnership="(\d+)"', response.content.decode())}


def test_partnership_list_scope(paired):
    committee = client_for(paired.users.committee).get("/pairing/partnerships/")
    assert _partnership_ids(committee) == {paired.partnership.pk, paired.other_partnership.pk}
    unit_admin = client_for(paired.users.unit_admin).get("/pairing/partnerships/")
    assert _partnership_ids(unit_admin) == {paired.partnership.pk}
    assert client_for(paired.users.member).get("/pairing/partnerships/").status_code == 403


def test_partnership_list_sums_projects_and_funds(paired):
    f.PartnershipProjectFactory(partnership=paired.partnership, title="卫生室", funds=25000)
    html = client_for(paired.users.unit_admin).get("/pairing/partnerships/").content.decode()
    assert "125,000.00" in html
    assert "2 个" in html


def test_partnership_detail_lists_projects_and_hides_other_units(paired):
    client = client_for(paired.users.unit_admin)
    response = client.get(f"/pairing/partnerships/{paired.partnership.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "饮水工程" in html and "横溪村党支部" in html
    assert f'data-project="{paired.project.pk}"' in html
    assert client.get(f"/pairing/partnerships/{paired.other_partnership.pk}/").status_code == 404


def test_partnership_list_query_count_does_not_grow_with_rows(world):
    def add(n):
        for _ in range(n):
            village = f.CommunityFactory(parent=world.street, kind="village")
            village_org = f.PartyOrgFactory(unit=None, division=village, kind="branch")
            partnership = f.PartnershipFactory(unit_org=world.org, village_org=village_org)
            f.PartnershipProjectFactory(partnership=partnership)

    client = client_for(world.users.committee)

    def count(rows):
        client.get("/pairing/partnerships/")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/pairing/partnerships/", {"per_page": 25})
        assert len(_partnership_ids(response)) == rows
        return len(ctx.captured_queries)

    add(5)
    few = count(5)
    add(20)
    assert count(25) == few
