"""The application's lifecycle table against the services, cell by cell: every state × every move.
A move the table allows lands where the table says; one it refuses is a Conflict (409) and changes
nothing — no state, no approval, no payment, no voucher."""

from __future__ import annotations

import pytest

from guanqing.core.errors import Conflict
from guanqing.fund import aid_services, rules
from guanqing.fund.choices import ApplicationState, Decision
from guanqing.fund.models import AidApplication, Approval, Payment, Transaction
from guanqing.fund.tests.aid_support import D, approved, draft, fund_bank, paid, submitted

pytestmark = pytest.mark.django_db

ACTIONS = ["edit", "submit", "withdraw", "approve", "reject", "pay"]


def _in_state(world, state) -> AidApplication:
    if state == ApplicationState.DRAFT:
        return draft(world)
    if state == ApplicationState.SUBMITTED:
        return submitted(world)
    if state == ApplicationState.APPROVED:
        return approved(world)
    if state == ApplicationState.PAID:
        return paid(world, reference="TR-BEFORE").application
    application = submitted(world)
    if state == ApplicationState.REJECTED:
        return aid_services.application_decide(
            actor=world.users.fund_officer,
            application=application,
            decision=Decision.REJECT,
            note="不符合条件",
        )
    return aid_services.application_withdraw(actor=world.users.unit_admin, application=application)


def _move(world, application, action):
    users = world.users
    if action == "edit":
        return aid_services.application_update(
            actor=users.unit_admin, application=application, reason="补充说明"
        )
    if action == "submit":
        return aid_services.application_submit(actor=users.unit_admin, application=application)
    if action == "withdraw":
        return aid_services.application_withdraw(actor=users.unit_admin, application=application)
    if action in ("approve", "reject"):
        return aid_services.application_decide(
            actor=users.fund_officer, application=application, decision=action, note="意见"
        )
    return aid_services.application_pay(
        actor=users.fund_officer,
        application=application,
        paid_on=world.today,
        transfer_reference="TR-MOVE",
    )


def _footprint(application):
    application.refresh_from_db()
    return (
        application.state,
        application.reason,
        application.chain,
        Approval.objects.count(),
        Payment.objects.count(),
        Transaction.objects.count(),
    )


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", ApplicationState.values)
def test_each_cell_of_the_table(aid_world, state, action):
    fund_bank(aid_world, D(100000))
    application = _in_state(aid_world, state)
    assert application.state == state
    if rules.APPLICATION.can(state, action):
        _move(aid_world, application, action)
        application.refresh_from_db()
        expected = rules.APPLICATION.target(state, action)
        if action == "approve":
            # the first of two steps keeps it submitted
            expected = ApplicationState.SUBMITTED
        assert application.state == expected
    else:
        before = _footprint(application)
        with pytest.raises(Conflict):
            _move(aid_world, application, action)
        assert _footprint(application) == before


def test_the_table_has_every_state_and_move():
    cells = {(state, action) for state, action, _target, _roles in rules.APPLICATION.table()}
    assert {action for _state, action in cells} == set(ACTIONS)
    assert ("draft", "submit") in cells and ("approved", "pay") in cells
    assert ("paid", "withdraw") not in cells and ("rejected", "approve") not in cells
