from unittest import mock

import pytest

from guanqing.core.context import RequestInfo, reset_request_info, set_request_info
from guanqing.core.models import AuditEvent
from guanqing.registry import services
from guanqing.registry.models import Household
from guanqing.testing.idnumbers import make_id_number

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_write_whose_audit_record_fails_is_rolled_back(world):
    households = Household.objects.count()
    with (
        mock.patch.object(AuditEvent.objects, "create", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        services.household_create(
            actor=world.users.committee,
            head_name="不应留下",
            id_number=make_id_number(sequence=901),
            community=world.community,
        )
    assert Household.objects.count() == households
    assert not Household.objects.filter(head_name="不应留下").exists()


def test_the_audit_record_carries_the_request_ip(world):
    token = set_request_info(RequestInfo(ip_address="10.1.2.3"))
    try:
        services.household_update(
            actor=world.users.committee, household=world.household, needs="助听器"
        )
    finally:
        reset_request_info(token)
    event = AuditEvent.objects.latest("id")
    assert (event.ip_address, event.actor_username, event.action) == (
        "10.1.2.3",
        "committee",
        "update",
    )
