"""The lifecycle tables of `rules.py` against the services: every cell the table allows succeeds
and leads where the table says; every move it forbids answers the table's error (or, for a role
the table leaves out, the refusal of the service); the pages offer exactly the table's buttons."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from guanqing.conftest import client_for
from guanqing.core.roles import Role
from guanqing.core.services import ScopeError
from guanqing.pairing import rules, services
from guanqing.pairing.models import Pairing, Partnership
from guanqing.pairing.rules import ACTIVE, ENDED, PAIRING, PARTNERSHIP
from guanqing.pairing.tests import pair_world

MANAGERS = frozenset({Role.COMMITTEE, Role.UNIT_ADMIN})
# the roles that see pairings, and one that does not
ROLES = [Role.COMMITTEE, Role.UNIT_ADMIN, Role.MEMBER, Role.COMMUNITY_WORKER, Role.WINDOW_CLERK]


@pytest.fixture
def paired(world):
    return pair_world(world)


def test_the_pairing_table_as_written():
    assert PAIRING.table() == [
        (ACTIVE, "handover", ACTIVE, MANAGERS),
        (ACTIVE, "end", ENDED, MANAGERS),
    ]


def test_the_partnership_table_as_written():
    assert PARTNERSHIP.table() == [(ACTIVE, "end", ENDED, frozenset({Role.COMMITTEE}))]


def _pairing_in(paired, state: str) -> Pairing:
    pairing = paired.pairing
    if state == ENDED:
        services.pairing_end(
            actor=paired.users.committee, pairing=pairing, ended_on=paired.today, reason="lifted"
        )
    pairing.refresh_from_db()
    assert rules.pairing_state(pairing) == state
    return pairing


def _move(paired, pairing, action: str, actor):
    if action == "handover":
        services.pairing_handover(
            actor=actor, pairing=pairing, successor=paired.colleague, effective_date=paired.today
        )
    else:
        services.pairing_end(
            actor=actor, pairing=pairing, ended_on=paired.today, reason="moved", note=""
        )


# the field each action's refusal is reported under
FIELD = {"handover": "pairing", "end": "ended_on"}


@pytest.mark.parametrize("state", [ACTIVE, ENDED])
@pytest.mark.parametrize("action", ["handover", "end"])
@pytest.mark.parametrize("role", ROLES)
def test_every_pairing_cell_against_the_services(paired, state, action, role):
    pairing = _pairing_in(paired, state)
    actor = getattr(paired.users, role.value)
    if not PAIRING.can(state, action):
        with pytest.raises(ValidationError) as excinfo:
            _move(paired, pairing, action, paired.users.committee)
        assert list(excinfo.value.message_dict) == [FIELD[action]]
        assert "结束" in excinfo.value.message_dict[FIELD[action]][0]
    elif not PAIRING.can(state, action, actor):
        with pytest.raises(ScopeError):  # outside what the role may change: 404 or 403
            _move(paired, pairing, action, actor)
    else:
        _move(paired, pairing, action, actor)
        pairing.refresh_from_db()
        assert rules.pairing_state(pairing) == PAIRING.target(state, action)


@pytest.mark.parametrize("state", [ACTIVE, ENDED])
@pytest.mark.parametrize("role", ROLES)
def test_every_partnership_cell_against_the_service(paired, state, role):
    partnership = paired.partnership
    committee = paired.users.committee
    if state == ENDED:
        services.partnership_end(actor=committee, partnership=partnership, ended_on=paired.today)
        partnership.refresh_from_db()
    assert rules.partnership_state(partnership) == state
    actor = getattr(paired.users, role.value)
    if not PARTNERSHIP.can(state, "end"):
        with pytest.raises(ValidationError) as excinfo:
            services.partnership_end(
                actor=committee, partnership=partnership, ended_on=paired.today
            )
        assert list(excinfo.value.message_dict) == ["ended_on"]
    elif not PARTNERSHIP.can(state, "end", actor):
        with pytest.raises(ScopeError):
            services.partnership_end(actor=actor, partnership=partnership, ended_on=paired.today)
    else:
        services.partnership_end(actor=actor, partnership=partnership, ended_on=paired.today)
        partnership = Partnership.objects.get(pk=partnership.pk)
        assert rules.partnership_state(partnership) == PARTNERSHIP.target(state, "end")


def _buttons(body: str, pairing) -> set[str]:
    found = set()
    if f'href="/pairing/{pairing.pk}/handover/"' in body:
        found.add("handover")
    if f'href="/pairing/{pairing.pk}/end/"' in body:
        found.add("end")
    return found


@pytest.mark.parametrize("state", [ACTIVE, ENDED])
@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.UNIT_ADMIN, Role.MEMBER])
def test_the_detail_page_offers_the_tables_buttons(paired, state, role):
    pairing = _pairing_in(paired, state)
    user = getattr(paired.users, role.value)
    body = client_for(user).get(f"/pairing/{pairing.pk}/").content.decode()
    expected = {step.action for step in PAIRING.actions(state, user)}
    assert _buttons(body, pairing) == expected
