"""The API keeps the promises of its OpenAPI schema: schemathesis generates requests (valid and
invalid) for every operation from /api/schema/ and checks each answer against the schema, against
the WSGI application in this process (no server). Each generated request is sent twice, as the
committee and as a member: generating it costs more than sending it.

Run alone: `./scripts/test -m schema_fuzz`. Bounded (a few examples per operation, no deadline,
derandomised) so that a failure reproduces and the run stays within a few minutes.
"""

from __future__ import annotations

import datetime

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.api_urls import router
from config.wsgi import application
from guanqing.accounts.tokens import token_create
from guanqing.community.tests.factories import ActivityFactory, RegistrationFactory
from guanqing.frontline.tests import factories as ff
from guanqing.testing import factories as f
from guanqing.wishes.choices import WishStatus
from guanqing.wishes.tests.factories import make_wish

pytestmark = [pytest.mark.schema_fuzz, pytest.mark.django_db(transaction=False)]

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261201,
        "generation": {"max-examples": 6, "deterministic": True},
        # The coverage phase sends every boundary of every field (500 requests for one POST):
        # minutes per operation. Hypothesis' examples, valid and invalid, stay bounded.
        "phases": {"coverage": {"enabled": False}},
    }
)


@pytest.fixture
def wsgi_in_test_transaction():
    """Django closes "old" connections around each request it serves; inside the test's
    transaction that would throw the world away, so (like Django's test client) the handler is
    called without that signal."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def records(world):
    """A row of each kind the API shows, with low ids that generated path parameters often hit,
    so that detail answers and actions are checked against the schema too, not only 404s."""
    pairing = f.PairingFactory(household=world.household, unit=world.unit, member=world.member)
    f.VisitFactory(pairing=pairing, recorded_by=world.users.committee, participants=[world.member])
    f.PartnershipProjectFactory(partnership=f.PartnershipFactory(unit_org=world.org))
    make_wish(world, WishStatus.PUBLISHED)
    make_wish(world, WishStatus.PUBLISHED, capacity=2, claimants=[world.member])
    make_wish(world, WishStatus.FULFILLED, claimants=[world.member])
    make_wish(world, WishStatus.PENDING)
    RegistrationFactory(member=world.member, status="pending")
    ActivityFactory(community=world.community)
    # problems in three states, so that their details and actions meet real rows
    light = ff.category(unit=world.unit)
    ff.reported(category=light)
    ff.assigned(category=light)
    ff.closed(unit_admin=world.users.unit_admin, category=light)
    return world


# Who sends each generated request: the committee sees every record and may do most things, a
# member sees little and is refused most actions, so both the answers and the refusals are checked.
ROLES = ("committee", "member")


@pytest.fixture
def role_headers(records):
    # Each request is rolled back, its token's minute stamp with it: from the second minute on,
    # every request would stamp the token again and read the policy to do so. Stamped an hour
    # ahead, the tokens cost what a client's fresh token costs (test_password_policy.py
    # checks the stamp itself).
    issued = timezone.now() + datetime.timedelta(hours=1)
    return {
        role: {
            "Authorization": f"Token {token_create(user=getattr(records.users, role), now=issued)}"
        }
        for role in ROLES
    }


def load_schema(app, headers):
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", app, config=CONFIG, headers=headers
    )


@pytest.fixture
def role_schemas(role_headers, wsgi_in_test_transaction):
    """The schema each role is served: a member reads some records in a shorter shape (a wish
    without its household), and the schema says so to whoever asks."""
    return {role: load_schema(wsgi_in_test_transaction, h) for role, h in role_headers.items()}


@pytest.fixture
def api_schema(request, pinned_today, records, role_headers, role_schemas):
    """The committee's schema (the one it is served), which generates the requests."""
    # schemathesis 4.32 renames the running test after each operation through `_nodeid`, which
    # pytest 9 no longer has (it keeps `_id`); the attribute is only read back for its reports.
    request.node._nodeid = request.node.nodeid
    schema = role_schemas["committee"]
    schema.config.headers = role_headers["committee"]
    steer_ids_to_rows(schema)
    return schema


def as_served_to(schemas, role, case):
    """The generated request, checked against the operation of the role's own schema."""
    operation = schemas[role].find_operation_by_label(case.operation.label)
    return operation.Case(
        path_parameters=case.path_parameters,
        headers=case.headers,
        cookies=case.cookies,
        query=case.query,
        body=case.body,
        media_type=case.media_type,
        multipart_content_types=case.multipart_content_types,
    )


def steer_ids_to_rows(schema) -> None:
    """Half the generated `{id}`s are ids of rows of the resource in the path (random integers
    nearly always miss and only check the 404): the answers for real records, and the actions on
    them, are checked as well."""
    rows = {
        f"/{prefix}/{{id}}/": sorted(viewset.model.objects.values_list("pk", flat=True))
        for prefix, viewset, _ in router.registry
        if getattr(viewset, "model", None) is not None
    }

    @schema.hook
    def before_generate_path_parameters(context, strategy):
        path = context.operation.path
        ids = next((pks for key, pks in rows.items() if key in path and pks), None)
        if not ids:
            return strategy
        return st.one_of(
            strategy,
            st.tuples(strategy, st.sampled_from(ids)).map(
                lambda drawn: (
                    {**drawn[0], "id": drawn[1]} if isinstance(drawn[0], dict) else drawn[0]
                )
            ),
        )


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case, role_headers, role_schemas):
    # Each request in a savepoint rolled back after it: every example meets the same rows, in
    # whatever order the operations run and whoever sent the one before, and on PostgreSQL a
    # failed statement cannot poison the requests after it.
    for role, headers in role_headers.items():
        sent = as_served_to(role_schemas, role, case)
        with transaction.atomic():
            try:
                sent.call_and_validate(headers=headers, checks=CHECKS)
            except Exception as failure:
                failure.add_note(f"sent as the {role}")
                raise
            finally:
                transaction.set_rollback(True)
