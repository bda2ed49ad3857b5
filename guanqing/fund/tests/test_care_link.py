"""必帮 opens a 汇爱 fund application with one action, and the link is kept both ways: the care
event's page offers the fund's form for the obligation's member and then lists the application;
the application's page links back to the care item. Out of scope is 404, the member cannot be
swapped, and nobody outside the unit follows the link."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from guanqing.care import services as care_services
from guanqing.care.choices import CareAction, CareSystem
from guanqing.care.models import CareRule, Obligation
from guanqing.conftest import client_for
from guanqing.fund import aid_services
from guanqing.fund.models import AidApplication
from guanqing.fund.tests.aid_support import D, pdf
from guanqing.testing import factories as f


@pytest.fixture
def linked(aid_world):
    rule = CareRule.objects.filter(system=CareSystem.HELP, action=CareAction.HELP).first()
    event, _created = care_services.care_event_record(
        actor=aid_world.users.unit_admin,
        member=aid_world.member,
        rule=rule,
        occurred_on=aid_world.today,
    )
    aid_world.event = event
    aid_world.obligation = Obligation.objects.get(event=event)
    return aid_world


def _form(w, **extra):
    return {
        "member": w.member.pk,
        "relation": "self",
        "diagnosis": "cancer",
        "total_cost": "30000",
        "reimbursed": "10000",
        "diagnosis_files": pdf(),
        **extra,
    }


def test_the_event_page_offers_the_form_and_then_lists_the_application(linked):
    admin = client_for(linked.users.unit_admin)
    page = admin.get(f"/care/events/{linked.event.pk}/").content.decode()
    url = f"/fund/aid/new/?care_obligation={linked.obligation.pk}"
    assert f'href="{url}"' in page.replace("&amp;", "&")
    form = admin.get(url).content.decode()
    # the member is the obligation's, and nobody else can be picked
    assert re.search(rf'name="member"[^>]*value="{linked.member.pk}"', form)
    assert "data-picker-fixed" in form and 'name="member_q"' not in form  # nobody else offered
    colleague = f.MemberFactory(unit=linked.unit, branch=linked.org, name="同事")
    swapped = admin.post(url, _form(linked, member=colleague.pk))
    assert swapped.status_code == 400
    assert not AidApplication.objects.exists()
    response = admin.post(url, _form(linked, care_obligation=linked.obligation.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    application = AidApplication.objects.get()
    assert application.care_obligation_id == linked.obligation.pk
    page = admin.get(f"/care/events/{linked.event.pk}/").content.decode()
    assert application.number in page
    detail = client_for(linked.users.fund_officer).get(f"/fund/aid/{application.pk}/")
    assert detail.status_code == 200
    # the fund officer does not see the care item (care's scope): no link for it
    assert 'data-key="care-link"' not in detail.content.decode()
    own = admin.get(f"/fund/aid/{application.pk}/").content.decode()
    assert f"/care/events/{linked.event.pk}/" in own


def test_another_members_application_cannot_ride_on_the_obligation(linked):
    colleague = f.MemberFactory(unit=linked.unit, branch=linked.org, name="同事")
    with pytest.raises(ValidationError) as exc:
        aid_services.application_create(
            actor=linked.users.unit_admin,
            member=colleague,
            relation="self",
            diagnosis="cancer",
            total_cost=D("30000"),
            reimbursed=D("10000"),
            documents=[],
            care_obligation=linked.obligation.pk,
        )
    assert "member" in exc.value.message_dict
    assert not AidApplication.objects.exists()


def test_outside_the_unit_the_link_is_404_and_writes_nothing(linked):
    other = client_for(
        f.UserFactory(username="other_admin", role="unit_admin", unit=linked.other_unit)
    )
    url = f"/fund/aid/new/?care_obligation={linked.obligation.pk}"
    assert other.get(url).status_code == 404
    assert other.post(url, _form(linked)).status_code == 404
    assert (
        client_for(linked.users.unit_admin).get("/fund/aid/new/?care_obligation=x").status_code
        == 404
    )
    assert not AidApplication.objects.exists()


def test_a_visit_obligation_is_no_help_obligation(linked):
    rule = CareRule.objects.filter(action=CareAction.VISIT).first()
    event, _created = care_services.care_event_record(
        actor=linked.users.unit_admin, member=linked.member, rule=rule, occurred_on=linked.today
    )
    visit = Obligation.objects.get(event=event)
    admin = client_for(linked.users.unit_admin)
    assert "/fund/aid/new/" not in admin.get(f"/care/events/{event.pk}/").content.decode()
    assert admin.get(f"/fund/aid/new/?care_obligation={visit.pk}").status_code == 404
