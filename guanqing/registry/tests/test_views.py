"""Registry pages: scope (own / read-only / outsider 404), htmx partials, forms, reveal."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanqing.conftest import client_for
from guanqing.core.models import AuditEvent
from guanqing.registry import selectors
from guanqing.registry.models import Household, Member, PartyOrg, Person, Unit
from guanqing.testing import factories as f
from guanqing.testing.idnumbers import make_id_number

pytestmark = pytest.mark.django_db


def htmx_get(client, url, **params):
    return client.get(url, params, headers={"HX-Request": "true", "HX-Target": "results"})


# --- list pages ------------------------------------------------------------------------------


LISTS = [
    "registry:household_list",
    "registry:member_list",
    "registry:unit_list",
    "registry:partyorg_list",
    "registry:division_list",
]


@pytest.mark.parametrize("name", LISTS)
def test_list_page_renders_full_page_with_filters(world, name):
    response = client_for(world.users.committee).get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert 'id="results"' in html
    assert 'hx-push-url="true"' in html


@pytest.mark.parametrize("name", LISTS)
def test_list_page_answers_htmx_with_the_results_partial_only(world, name):
    response = htmx_get(client_for(world.users.committee), reverse(name), q="x")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'class="filters"' not in html


@pytest.mark.parametrize("name", LISTS)
def test_security_and_audit_admins_are_refused_registry_pages(world, name):
    for user in (world.users.security_admin, world.users.audit_admin):
        assert client_for(user).get(reverse(name)).status_code == 403


SYSTEM_ADMIN_REFUSED = [
    ("registry:household_list", None),
    ("registry:household_detail", "household"),
    ("registry:household_create", None),
    ("registry:household_edit", "household"),
    ("registry:person_add", "household"),
    ("registry:person_edit", "person"),
    ("registry:partyorg_list", None),
    ("registry:partyorg_detail", "org"),
    ("registry:partyorg_create", None),
    ("registry:partyorg_edit", "org"),
]


@pytest.mark.parametrize("name,obj", SYSTEM_ADMIN_REFUSED)
def test_all_three_separated_admins_get_403_on_household_and_party_org_pages(world, name, obj):
    url = reverse(name, args=[getattr(world, obj).pk] if obj else [])
    for role in ("system_admin", "security_admin", "audit_admin"):
        assert client_for(getattr(world.users, role)).get(url).status_code == 403, role


@pytest.mark.parametrize(
    "name,obj",
    [
        ("registry:unit_list", None),
        ("registry:unit_detail", "unit"),
        ("registry:member_list", None),
        ("registry:member_detail", "member"),
        ("registry:division_list", None),
    ],
)
def test_system_admin_reads_the_lists_it_needs_to_bind_accounts(world, name, obj):
    url = reverse(name, args=[getattr(world, obj).pk] if obj else [])
    response = client_for(world.users.system_admin).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # nothing on these pages leads to the party-organisation pages it may not open
    assert "/registry/party-orgs/" not in html


def test_system_admin_menu_shows_accounts_and_reference_lists_only(world):
    html = client_for(world.users.system_admin).get("/").content.decode()
    nav = html[html.index('<ul class="nav">') : html.index("</ul>", html.index('<ul class="nav">'))]
    for path in (
        "/accounts/users/",
        "/registry/units/",
        "/registry/members/",
        "/registry/divisions/",
    ):
        assert f'href="{path}"' in nav, path
    for path in ("/registry/households/", "/registry/party-orgs/", "/registry/excel/", "/audit/"):
        assert path not in nav, path


def test_anonymous_user_is_sent_to_login(world):
    response = Client().get(reverse("registry:household_list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_community_worker_lists_only_own_households(world):
    html = client_for(world.users.community_worker).get(reverse("registry:household_list"))
    html = html.content.decode()
    assert "张国宝" in html
    assert "邵国樑" not in html


def test_household_list_masks_id_numbers(world):
    html = client_for(world.users.committee).get(reverse("registry:household_list")).content
    html = html.decode()
    number = world.household.id_number
    assert number not in html
    assert number[:6] + "********" + number[-4:] in html


def test_household_search_by_name_filters_in_place(world):
    response = htmx_get(
        client_for(world.users.committee), reverse("registry:household_list"), q="邵"
    )
    html = response.content.decode()
    assert "邵国樑" in html and "张国宝" not in html


def test_household_search_by_full_id_number_finds_the_household(world):
    response = htmx_get(
        client_for(world.users.committee),
        reverse("registry:household_list"),
        q=world.other_household.id_number,
    )
    html = response.content.decode()
    assert "邵国樑" in html and "张国宝" not in html


def test_household_list_filters_by_district_code(world):
    other_district = f.DistrictFactory(code="330212000000", name="鄞州区")
    f.HouseholdFactory(
        community=f.CommunityFactory(parent=f.StreetFactory(parent=other_district)),
        head_name="王鄞州",
    )
    response = htmx_get(
        client_for(world.users.committee), reverse("registry:household_list"), district="330212"
    )
    html = response.content.decode()
    assert "王鄞州" in html and "张国宝" not in html


def test_member_list_for_unit_admin_shows_own_unit_only(world):
    html = client_for(world.users.unit_admin).get(reverse("registry:member_list")).content.decode()
    assert "张三" in html and "李四" not in html


@pytest.mark.parametrize(
    ("name", "page_filter", "mine", "theirs"),
    [
        ("registry:member_list", "MemberPageFilter", "张三", "李四"),
        ("registry:partyorg_list", "PartyOrgPageFilter", "市纪委机关党委", "市发改委机关党委"),
    ],
)
def test_past_the_limit_the_lists_units_are_searched(
    world, monkeypatch, name, page_filter, mine, theirs
):
    from guanqing.registry import filters

    client = client_for(world.users.committee)
    url = reverse(name)
    listed = client.get(url).content.decode()
    assert '<select name="unit"' in listed and 'hx-get="/registry/pick/units/"' not in listed
    # a province has thousands of units: past the limit (30) the filter is a search
    chosen_filter = getattr(filters, page_filter).base_filters["unit"]
    monkeypatch.setitem(chosen_filter.extra, "select_up_to", 1)
    page = client.get(url).content.decode()
    assert 'hx-get="/registry/pick/units/"' in page and '<select name="unit"' not in page
    chosen = client.get(url, {"unit": world.unit.pk}).content.decode()
    assert mine in chosen and theirs not in chosen
    # a whole name typed without JavaScript filters the same way
    typed = client.get(url, {"unit_q": world.other_unit.name}).content.decode()
    assert theirs in typed and mine not in typed
    # a unit administrator's one unit: a drop-down of it alone
    own = client_for(world.users.unit_admin).get(url).content.decode()
    select = own.split('<select name="unit"', 1)[1].split("</select>", 1)[0]
    assert f'value="{world.unit.pk}"' in select and f'value="{world.other_unit.pk}"' not in select


def test_partyorg_list_groups_organisations_by_unit_as_a_tree(world):
    child = f.PartyOrgFactory(unit=world.unit, parent=world.org, name="第一党支部")
    html = client_for(world.users.committee).get(reverse("registry:partyorg_list")).content
    html = html.decode()
    assert "市纪委机关党委" in html and child.name in html and "市发改委机关党委" in html
    # the branch is nested below its committee
    assert html.index("市纪委机关党委") < html.index("第一党支部")


def test_division_tree_marks_abolished_district_and_names_successor(world):
    from guanqing.registry import services

    old = f.DistrictFactory(code="330204000000", name="江东区")
    new = f.DistrictFactory(code="330212000000", name="鄞州区")
    import datetime

    services.division_abolish(
        actor=world.users.committee, division=old, on=datetime.date(2016, 10, 1), successor=new
    )
    html = client_for(world.users.committee).get(reverse("registry:division_list")).content
    html = html.decode()
    assert "江东区" in html
    assert "已撤销" in html
    assert "鄞州区" in html[html.index("江东区") :]


def test_division_search_shows_a_flat_table(world):
    response = htmx_get(
        client_for(world.users.committee), reverse("registry:division_list"), q="徐家漕"
    )
    html = response.content.decode()
    assert "徐家漕社区" in html and "<table" in html and "别的社区" not in html


def _count_queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "name,make",
    [
        (
            "registry:household_list",
            lambda w: f.PersonFactory(household=f.HouseholdFactory(community=w.community)),
        ),
        (
            "registry:member_list",
            lambda w: f.MemberFactory(unit=w.unit, branch=w.org, home_community=w.community),
        ),
        ("registry:unit_list", lambda w: f.MemberFactory(unit=f.UnitFactory())),
        ("registry:partyorg_list", lambda w: f.PartyOrgFactory(unit=w.unit, parent=w.org)),
        (
            "registry:division_list",
            lambda w: f.CommunityFactory(parent=w.street),
        ),
    ],
)
def test_list_query_count_does_not_grow_with_rows(world, name, make):
    client = client_for(world.users.committee)
    url = reverse(name)
    params = {"per_page": 100}
    client.get(url, params)  # the first request of a session also notes its activity
    for _ in range(5):
        make(world)
    small = _count_queries(client, url, params)
    for _ in range(20):
        make(world)
    large = _count_queries(client, url, params)
    assert large == small


# --- counts follow the viewer's scope --------------------------------------------------------


def _more_members_elsewhere(world, n=2):
    """Members of world.unit (in world.org) who live outside the community worker's community."""
    for _ in range(n):
        f.MemberFactory(unit=world.unit, branch=world.org, home_community=world.other_community)


def _unit_counts(user) -> dict:
    response = client_for(user).get(reverse("registry:unit_list"))
    return {u.name: (u.member_count, u.org_count) for u in response.context["rows"]}


def test_unit_list_counts_only_members_and_orgs_the_viewer_sees(world):
    _more_members_elsewhere(world)
    assert _unit_counts(world.users.committee)["市纪委"] == (3, 1)
    # the worker sees the one member living in its community, and no unit's party orgs
    assert _unit_counts(world.users.community_worker)["市纪委"] == (1, 0)
    assert _unit_counts(world.users.community_worker)["市发改委"] == (0, 0)
    # a member sees only itself
    assert _unit_counts(world.users.member) == {"市纪委": (1, 1)}


def _org_counts(nodes) -> dict:
    counts = {}
    for node in nodes:
        counts[node["item"].name] = node["item"].member_count
        counts.update(_org_counts(node["children"]))
    return counts


def test_unit_detail_counts_members_per_org_in_the_viewers_scope(world):
    branch = f.PartyOrgFactory(unit=world.unit, parent=world.org, name="第一党支部")
    f.MemberFactory(unit=world.unit, branch=branch, home_community=world.other_community)
    _more_members_elsewhere(world)
    url = reverse("registry:unit_detail", args=[world.unit.pk])

    def counts(user):
        return _org_counts(client_for(user).get(url).context["org_tree"])

    assert counts(world.users.committee) == {"市纪委机关党委": 3, "第一党支部": 1}
    assert counts(world.users.member) == {"市纪委机关党委": 1, "第一党支部": 0}


def test_partyorg_list_counts_members_per_org_in_the_viewers_scope(world):
    _more_members_elsewhere(world)
    village = f.PartyOrgFactory(unit=None, division=world.community, name="徐家漕社区党委")

    def counts(user):
        response = client_for(user).get(reverse("registry:partyorg_list"))
        result = {}
        for group in response.context["groups"]:
            result.update(_org_counts(group["tree"]))
        return result

    assert counts(world.users.committee)["市纪委机关党委"] == 3
    assert counts(world.users.member) == {"市纪委机关党委": 1}
    assert counts(world.users.community_worker) == {village.name: 0}


def test_count_columns_add_no_query_per_row(world):
    client = client_for(world.users.community_worker)
    url = reverse("registry:unit_list")
    client.get(url)
    for _ in range(3):
        f.MemberFactory(unit=f.UnitFactory(), home_community=world.community)
    small = _count_queries(client, url, {"per_page": 100})
    for _ in range(12):
        f.MemberFactory(unit=f.UnitFactory(), home_community=world.community)
    assert _count_queries(client, url, {"per_page": 100}) == small


# --- long lists come in pages ----------------------------------------------------------------


def test_partyorg_list_shows_twenty_owners_per_page_each_with_its_whole_tree(world):
    for n in range(25):
        unit = f.UnitFactory(name=f"分页单位{n:02d}", sort_order=n + 10)
        top = f.PartyOrgFactory(unit=unit, name=f"分页单位{n:02d}机关党委", kind="committee")
        f.PartyOrgFactory(unit=unit, parent=top, name=f"分页单位{n:02d}第一支部")
    client = client_for(world.users.committee)
    first = client.get(reverse("registry:partyorg_list"))
    groups = first.context["groups"]
    assert len(groups) == 20
    assert all(len(g["orgs"]) == 2 or g["owner"].name in ("市纪委", "市发改委") for g in groups)
    assert first.context["total"] == 2 + 50
    second = client.get(reverse("registry:partyorg_list"), {"page": 2})
    names = [g["owner"].name for g in second.context["groups"]]
    assert len(names) == 7
    assert not set(names) & {g["owner"].name for g in groups}
    html = second.content.decode()
    assert "分页单位24第一支部" in html
    assert html.index("分页单位24机关党委") < html.index("分页单位24第一支部")


def test_party_org_owners_come_as_one_query_sorting_every_distinct_owner_gives_them(world):
    for n, order in enumerate([5, 0, 5, 3]):
        unit = f.UnitFactory(name=f"排序单位{n}", sort_order=order)
        f.PartyOrgFactory(unit=unit, name=f"排序单位{n}党委")
        f.PartyOrgFactory(unit=unit, name=f"排序单位{n}支部")
    for n in range(4):
        village = f.CommunityFactory(parent=world.street)
        f.PartyOrgFactory(unit=None, division=village, name=f"村党组织{n}")
        f.PartyOrgFactory(unit=None, division=village, name=f"村支部{n}")

    def reference(orgs):
        order = [F("unit__sort_order").asc(nulls_last=True), "unit__name", "unit_id"]
        order.append("division__code")
        return list(orgs.order_by(*order).values_list("unit_id", "division_id").distinct())

    for orgs in (
        PartyOrg.objects.all(),
        PartyOrg.objects.filter(name__contains="支部"),  # a filtered list: its owners only
        PartyOrg.objects.filter(name__startswith="村"),  # villages alone
        PartyOrg.objects.none(),
    ):
        expected = reference(orgs)
        owners = selectors.PartyOrgOwners(orgs)
        assert owners.count() == len(expected)
        assert owners[0 : len(expected) + 5] == expected
        for start in range(len(expected)):  # every page boundary, across units and villages
            assert owners[start : start + 3] == expected[start : start + 3]
            assert owners[start:] == expected[start:]
    every = reference(PartyOrg.objects.all())
    kinds = ["unit" if unit else "village" for unit, _village in every]
    assert kinds == sorted(kinds) and kinds.count("village") == 4  # the boundary was crossed


def test_partyorg_list_query_count_does_not_grow_with_owners(world):
    client = client_for(world.users.committee)
    url = reverse("registry:partyorg_list")
    client.get(url)
    for _ in range(3):
        f.PartyOrgFactory(unit=f.UnitFactory())
    small = _count_queries(client, url, {})
    for _ in range(30):
        f.PartyOrgFactory(unit=f.UnitFactory())
    assert _count_queries(client, url, {}) == small


def test_division_tree_starts_at_the_districts_and_loads_children_on_demand(world):
    client = client_for(world.users.committee)
    url = reverse("registry:division_list")
    html = client.get(url).content.decode()
    assert "海曙区" in html and "测试街道" not in html and "徐家漕社区" not in html
    assert f"children_of={world.district.pk}" in html
    streets = client.get(url, {"children_of": world.district.pk}).content.decode()
    assert "测试街道" in streets and "徐家漕社区" not in streets and "<html" not in streets
    assert f"children_of={world.street.pk}" in streets
    communities = client.get(url, {"children_of": world.street.pk}).content.decode()
    assert "徐家漕社区" in communities and "别的社区" in communities
    assert "children_of" not in communities  # leaves: nothing more to load
    assert client.get(url, {"children_of": "999999"}).status_code == 404
    assert client.get(url, {"children_of": "abc"}).status_code == 404


def test_division_children_query_count_does_not_grow_with_children(world):
    client = client_for(world.users.committee)
    url = reverse("registry:division_list")
    params = {"children_of": world.street.pk}
    client.get(url, params)
    for _ in range(3):
        f.CommunityFactory(parent=world.street)
    small = _count_queries(client, url, params)
    for _ in range(20):
        f.CommunityFactory(parent=world.street)
    assert _count_queries(client, url, params) == small


def test_division_tree_pages_by_district(world):
    for n in range(12):
        f.DistrictFactory(code=f"3302{50 + n:02d}000000", name=f"分页区{n:02d}")
    client = client_for(world.users.committee)
    url = reverse("registry:division_list")
    first = client.get(url, {"per_page": 10})
    assert len(first.context["nodes"]) == 10
    second = client.get(url, {"per_page": 10, "page": 2})
    assert len(second.context["nodes"]) == 3
    assert "分页区11" in second.content.decode()


# --- detail pages ----------------------------------------------------------------------------


def test_household_detail_for_own_worker_shows_profile_people_and_edit(world):
    response = client_for(world.users.community_worker).get(
        reverse("registry:household_detail", args=[world.household.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "五清档案" in html and "致贫原因" in html and "因病" in html
    assert "张小宝" in html
    assert reverse("registry:household_edit", args=[world.household.pk]) in html
    assert world.household.id_number not in html


def test_household_detail_outside_scope_is_404(world):
    response = client_for(world.users.community_worker).get(
        reverse("registry:household_detail", args=[world.other_household.pk])
    )
    assert response.status_code == 404


def test_household_detail_is_404_for_unit_admin_without_pairing(world):
    response = client_for(world.users.unit_admin).get(
        reverse("registry:household_detail", args=[world.household.pk])
    )
    assert response.status_code == 404


def test_read_only_role_sees_member_without_edit_button(world):
    # a community worker sees the members living in its community, but does not edit them
    response = client_for(world.users.community_worker).get(
        reverse("registry:member_detail", args=[world.member.pk])
    )
    assert response.status_code == 200
    assert reverse("registry:member_edit", args=[world.member.pk]) not in response.content.decode()


def test_read_only_role_gets_403_on_member_edit(world):
    response = client_for(world.users.community_worker).get(
        reverse("registry:member_edit", args=[world.member.pk])
    )
    assert response.status_code == 403


def test_member_detail_outside_scope_is_404(world):
    response = client_for(world.users.unit_admin).get(
        reverse("registry:member_detail", args=[world.other_member.pk])
    )
    assert response.status_code == 404


def test_unit_detail_for_unit_admin_own_unit_and_404_for_other(world):
    client = client_for(world.users.unit_admin)
    own = client.get(reverse("registry:unit_detail", args=[world.unit.pk]))
    assert own.status_code == 200
    assert "市纪委机关党委" in own.content.decode()
    assert reverse("registry:unit_edit", args=[world.unit.pk]) not in own.content.decode()
    assert (
        client.get(reverse("registry:unit_detail", args=[world.other_unit.pk])).status_code == 404
    )


def test_partyorg_detail_scope(world):
    client = client_for(world.users.unit_admin)
    own = client.get(reverse("registry:partyorg_detail", args=[world.org.pk]))
    assert own.status_code == 200
    assert reverse("registry:partyorg_edit", args=[world.org.pk]) in own.content.decode()
    other = client.get(reverse("registry:partyorg_detail", args=[world.other_org.pk]))
    assert other.status_code == 404


def test_household_timeline_names_who_and_what_changed_in_chinese(world):
    from guanqing.registry import services

    services.household_update(
        actor=world.users.community_worker, household=world.household, address="新地址 8 号"
    )
    html = (
        client_for(world.users.committee)
        .get(reverse("registry:household_detail", args=[world.household.pk]))
        .content.decode()
    )
    timeline = html[html.index("变更记录") :]
    assert "community_worker" in timeline
    assert "住址" in timeline
    assert "测试路 1 号" in timeline and "新地址 8 号" in timeline


# --- reveal ----------------------------------------------------------------------------------


def test_reveal_button_only_for_users_with_the_grant(world):
    url = reverse("registry:household_detail", args=[world.household.pk])
    assert "显示完整证件号" not in client_for(world.users.committee).get(url).content.decode()
    world.users.committee.can_reveal_sensitive = True
    world.users.committee.save(update_fields=["can_reveal_sensitive"])
    assert "显示完整证件号" in client_for(world.users.committee).get(url).content.decode()


def test_reveal_returns_full_number_and_is_audited(world):
    user = world.users.committee
    user.can_reveal_sensitive = True
    user.save(update_fields=["can_reveal_sensitive"])
    response = client_for(user).post(
        reverse("registry:reveal_id_number", args=["household", world.household.pk]),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert world.household.id_number in response.content.decode()
    assert AuditEvent.objects.filter(action="reveal", object_id=str(world.household.pk)).exists()


def test_reveal_without_grant_is_403_with_message_and_not_audited(world):
    response = client_for(world.users.committee).post(
        reverse("registry:reveal_id_number", args=["person", world.person.pk])
    )
    assert response.status_code == 403
    assert "安全管理员授权" in response.content.decode()
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_reveal_outside_scope_is_404(world):
    user = world.users.community_worker
    user.can_reveal_sensitive = True
    user.save(update_fields=["can_reveal_sensitive"])
    response = client_for(user).post(
        reverse("registry:reveal_id_number", args=["household", world.other_household.pk])
    )
    assert response.status_code == 404


def test_reveal_by_get_is_refused(world):
    response = client_for(world.users.committee).get(
        reverse("registry:reveal_id_number", args=["member", world.member.pk])
    )
    assert response.status_code == 405


# --- forms -----------------------------------------------------------------------------------


def _household_post(world, **changes):
    data = {
        "head_name": "陈新户",
        "id_number": make_id_number("330203", __import__("datetime").date(1960, 5, 1), 12, "male"),
        "head_gender": "",
        "phone": "13900001111",
        "community": world.community.pk,
        "address": "中山路 2 号",
        "category": "illness",
        "status": "active",
        "situation": "夫妻二人",
        "hardship_cause": "因病",
        "outlook": "",
        "skills": "",
        "needs": "医疗救助",
        "people-TOTAL_FORMS": "2",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "20",
        # what a browser sends for the untouched extra rows (the health select has a default)
        "people-0-health": "healthy",
        "people-1-health": "healthy",
    }
    data.update(changes)
    return data


def test_community_worker_registers_household_with_a_person(world):
    data = _household_post(
        world,
        **{"people-0-name": "陈小新", "people-0-relation": "child", "people-0-health": "healthy"},
    )
    response = client_for(world.users.community_worker).post(
        reverse("registry:household_create"), data
    )
    assert response.status_code == 302, (
        response.context["form"].errors,
        response.context["formset"].errors,
    )
    household = Household.objects.get(head_name="陈新户")
    assert list(household.people.values_list("name", "relation")) == [
        ("陈新户", "head"),
        ("陈小新", "child"),
    ]


def test_household_form_bad_id_number_is_shown_next_to_the_field_and_nothing_saved(world):
    before = Household.objects.count()
    response = client_for(world.users.community_worker).post(
        reverse("registry:household_create"), _household_post(world, id_number="330203196005011")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "id_number" in form.errors
    assert "18 位" in form.errors["id_number"][0]
    assert 'id="id_id_number_error"' in response.content.decode()
    assert Household.objects.count() == before


def test_household_form_bad_person_row_is_named_and_nothing_saved(world):
    before_h, before_p = Household.objects.count(), Person.objects.count()
    data = _household_post(
        world,
        **{
            "people-0-name": "陈小新",
            "people-0-relation": "child",
            "people-0-health": "healthy",
            "people-0-birth_date": "2999-01-01",
        },
    )
    response = client_for(world.users.community_worker).post(
        reverse("registry:household_create"), data
    )
    assert response.status_code == 200
    person_form = response.context["formset"].forms[0]
    assert "birth_date" in person_form.errors
    assert Household.objects.count() == before_h
    assert Person.objects.count() == before_p


def test_household_duplicate_id_number_is_refused_at_the_field(world):
    response = client_for(world.users.committee).post(
        reverse("registry:household_create"),
        _household_post(world, id_number=world.household.id_number),
    )
    assert response.status_code == 200
    assert "已登记" in response.context["form"].errors["id_number"][0]


def test_community_worker_cannot_pick_another_community(world):
    response = client_for(world.users.community_worker).post(
        reverse("registry:household_create"),
        _household_post(world, community=world.other_community.pk),
    )
    assert response.status_code == 200
    assert "community" in response.context["form"].errors
    assert not Household.objects.filter(head_name="陈新户").exists()


def test_unit_admin_cannot_open_household_create(world):
    assert (
        client_for(world.users.unit_admin).get(reverse("registry:household_create")).status_code
        == 403
    )


def test_household_edit_saves_through_service_and_audits(world):
    url = reverse("registry:household_edit", args=[world.household.pk])
    client = client_for(world.users.community_worker)
    assert client.get(url).status_code == 200
    data = _household_post(world, head_name="张国宝", id_number="", address="改后的地址")
    response = client.post(url, data)
    assert response.status_code == 302
    world.household.refresh_from_db()
    assert world.household.address == "改后的地址"
    assert AuditEvent.objects.filter(action="update", object_id=str(world.household.pk)).exists()


def test_household_edit_outside_scope_is_404(world):
    url = reverse("registry:household_edit", args=[world.other_household.pk])
    assert client_for(world.users.community_worker).get(url).status_code == 404


def test_person_add_and_remove(world):
    client = client_for(world.users.community_worker)
    response = client.post(
        reverse("registry:person_add", args=[world.household.pk]),
        {"name": "张老太", "relation": "parent", "health": "chronic"},
    )
    assert response.status_code == 302
    person = Person.objects.get(name="张老太")
    response = client.post(reverse("registry:person_remove", args=[person.pk]))
    assert response.status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()


def test_person_edit_outside_scope_is_404(world):
    url = reverse("registry:person_edit", args=[world.other_person.pk])
    assert client_for(world.users.community_worker).get(url).status_code == 404


def test_member_create_by_unit_admin_and_error_next_to_mobile(world):
    client = client_for(world.users.unit_admin)
    data = {
        "name": "王五",
        "id_number": make_id_number("330203", __import__("datetime").date(1980, 3, 3), 7, "male"),
        "mobile": "12345",
        "rank": "section",
        "unit": world.unit.pk,
        "status": "active",
    }
    response = client.post(reverse("registry:member_create"), data)
    assert response.status_code == 200
    assert "mobile" in response.context["form"].errors
    assert not Member.objects.filter(name="王五").exists()
    data["mobile"] = "13812345678"
    response = client.post(reverse("registry:member_create"), data)
    assert response.status_code == 302
    assert Member.objects.get(name="王五").unit == world.unit


def test_member_create_refuses_other_unit_for_unit_admin(world):
    response = client_for(world.users.unit_admin).post(
        reverse("registry:member_create"),
        {
            "name": "赵六",
            "id_number": make_id_number(
                "330203", __import__("datetime").date(1981, 3, 3), 9, "male"
            ),
            "rank": "section",
            "unit": world.other_unit.pk,
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not Member.objects.filter(name="赵六").exists()


def test_member_edit_by_unit_admin(world):
    url = reverse("registry:member_edit", args=[world.member.pk])
    client = client_for(world.users.unit_admin)
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "name": "张三丰",
        "id_number": "",
        "gender": "male",
        "mobile": "",
        "rank": "division",
        "unit": world.unit.pk,
        "branch": world.org.pk,
        "status": "active",
    }
    assert client.post(url, data).status_code == 302
    world.member.refresh_from_db()
    assert world.member.name == "张三丰" and world.member.rank == "division"


def test_unit_create_only_committee_and_duplicate_name_at_field(world):
    assert (
        client_for(world.users.unit_admin).get(reverse("registry:unit_create")).status_code == 403
    )
    client = client_for(world.users.committee)
    response = client.post(reverse("registry:unit_create"), {"name": "市纪委", "sort_order": 0})
    assert response.status_code == 200
    assert "已存在" in response.context["form"].errors["name"][0]
    response = client.post(
        reverse("registry:unit_create"), {"name": "市民政局", "sort_order": 1, "is_active": "on"}
    )
    assert response.status_code == 302
    assert Unit.objects.filter(name="市民政局").exists()


def test_unit_edit_read_only_for_unit_admin(world):
    url = reverse("registry:unit_edit", args=[world.unit.pk])
    assert client_for(world.users.unit_admin).get(url).status_code == 403
    other = reverse("registry:unit_edit", args=[world.other_unit.pk])
    assert client_for(world.users.unit_admin).get(other).status_code == 404


def test_partyorg_create_by_unit_admin_and_parent_must_match_unit(world):
    client = client_for(world.users.unit_admin)
    response = client.post(
        reverse("registry:partyorg_create"),
        {"name": "第二支部", "kind": "branch", "unit": world.unit.pk, "parent": world.org.pk},
    )
    assert response.status_code == 302
    committee = client_for(world.users.committee)
    response = committee.post(
        reverse("registry:partyorg_create"),
        {"name": "错挂支部", "kind": "branch", "unit": world.unit.pk, "parent": world.other_org.pk},
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors


def test_partyorg_edit_outside_scope_is_404(world):
    url = reverse("registry:partyorg_edit", args=[world.other_org.pk])
    assert client_for(world.users.unit_admin).get(url).status_code == 404


# --- one community picker --------------------------------------------------------------------


def test_registry_and_account_forms_share_one_community_picker(world):
    from guanqing.accounts.forms import UserCreateForm
    from guanqing.registry.forms import HouseholdForm
    from guanqing.registry.pickers import PickerField

    account = UserCreateForm(actor=world.users.system_admin).fields["community"]
    household = HouseholdForm(user=world.users.committee).fields["community"]
    assert isinstance(account, PickerField) and isinstance(household, PickerField)
    assert account.label_from_instance(world.community) == household.label_from_instance(
        world.community
    )


def test_household_form_names_communities_with_district_and_street_in_constant_queries(world):
    client = client_for(world.users.committee)
    url = reverse("registry:household_create")
    client.get(url)
    small = _count_queries(client, url, {})
    for n in range(10):
        f.CommunityFactory(parent=world.street, code=f"330203001{200 + n:03d}")
    assert _count_queries(client, url, {}) == small
    # a drop-down while they are few, each named with its district and street
    assert "海曙区 测试街道 徐家漕社区" in client.get(url).content.decode()


def test_a_refused_page_explains_why_inside_the_site_and_htmx_gets_only_the_message(world):
    client = client_for(world.users.system_admin)
    response = client.get(reverse("registry:household_list"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "系统管理员只管理账号" in html and '<ul class="nav">' in html
    partial = htmx_get(client, reverse("registry:household_list"), q="x")
    assert partial.status_code == 403
    body = partial.content.decode()
    assert "系统管理员只管理账号" in body and "<html" not in body


def test_the_committees_whole_household_list_takes_its_length_from_the_counts(world):
    for n in range(3):
        f.HouseholdFactory(community=world.community, head_name=f"户主{n}")
    client = client_for(world.users.committee)
    url = reverse("registry:household_list")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"per_page": 10})
    assert response.context["page_obj"].paginator.count == Household.objects.count()
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "core_groupcount" in sql and 'COUNT(*) AS "__count" FROM "registry_household"' not in sql
    # the people of each household shown are still counted, a subquery per row
    row = response.context["rows"][0]
    assert row.people_count == Person.objects.filter(household=row).count()
    # a filter, or a narrower reader, counts the households themselves
    with CaptureQueriesContext(connection) as ctx:
        found = client.get(url, {"q": "户主1"})
    assert found.context["page_obj"].paginator.count == 1
    assert "core_groupcount" not in " ".join(q["sql"] for q in ctx.captured_queries)
    worker = client_for(world.users.community_worker).get(url)
    expected = Household.objects.visible_to(world.users.community_worker).count()
    assert worker.context["page_obj"].paginator.count == expected


def test_the_committees_whole_household_api_list_takes_its_count_from_the_counts(world):
    for n in range(3):
        f.HouseholdFactory(community=world.community, head_name=f"户主{n}")
    client = client_for(world.users.committee)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/api/v1/households/", {"page_size": 2}).json()
    assert body["count"] == Household.objects.count() and len(body["results"]) == 2
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "core_groupcount" in sql and 'COUNT(*) AS "__count" FROM "registry_household"' not in sql
    found = client.get("/api/v1/households/", {"q": "户主1"}).json()
    assert found["count"] == Household.objects.filter(head_name__contains="户主1").count()
    worker = client_for(world.users.community_worker).get("/api/v1/households/").json()
    assert worker["count"] == Household.objects.visible_to(world.users.community_worker).count()
