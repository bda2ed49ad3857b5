"""A claim is the busiest write of the wall (`bench/claims.py`): it is kept to a fixed, small
number of SQL statements, and the answer it gives without reading the claim back is the claim as
stored.

The statements of one claim through the API, signed in with a token:

 1. the token and its user (`TokenAuthentication`);
 2. the wish through the member's scope, its id only (404 outside the scope, as for a missing id);
 then, in one transaction (`services.wish_claim`):
 3. the member, locked (`FOR UPDATE OF` the member; joined to its unit for the answer);
 4. the wish through the scope again, locked: the values the checks and the records use;
 5. the member's active claims (already claimed? how many held?);
 6. the settings (how many claims a member may hold, how long a claim lasts);
 7. the conditional UPDATE that takes the place (`claimed_count < capacity`, published);
 8. INSERT the claim;
 9. INSERT the audit record of the claim;
10. INSERT the audit record of the wish (its count, and its status when the last place goes);
11. INSERT its `WishEvent`.
Inside a test the transaction is a savepoint: SAVEPOINT and RELEASE are not counted (outside a
test they are the transaction's BEGIN and COMMIT).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from guanqing.accounts.tokens import token_create
from guanqing.core.models import AuditEvent
from guanqing.wishes.api.serializers import WishClaimSerializer
from guanqing.wishes.choices import WishStatus
from guanqing.wishes.models import Wish, WishClaim, WishEvent
from guanqing.wishes.tests.factories import make_wish

MOST_STATEMENTS = 11


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user)}")
    return client


def _claim_counting(client, wish_pk) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(f"/api/v1/wishes/{wish_pk}/claim/")
    statements = [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    return response, statements


def test_a_claim_through_the_api_takes_at_most_eleven_statements(ww):
    wish = make_wish(ww, "published", capacity=2)
    response, statements = _claim_counting(_token_client(ww.users.member), wish.pk)
    assert response.status_code == 201, response.content
    assert len(statements) <= MOST_STATEMENTS, "\n".join(statements)
    assert WishClaim.objects.filter(wish=wish, member=ww.member, status="active").count() == 1


def test_the_claim_answer_is_the_claim_as_stored(ww):
    wish = make_wish(ww, "published", capacity=2)
    response = _token_client(ww.users.member).post(f"/api/v1/wishes/{wish.pk}/claim/")
    assert response.status_code == 201
    stored = WishClaim.objects.select_related("wish", "member__unit").get(pk=response.json()["id"])
    assert response.json() == WishClaimSerializer(stored).data
    assert response.json()["unit_name"] == ww.member.unit.name


def test_taking_the_last_place_records_the_wish_full_without_reading_it_back(ww):
    wish = make_wish(ww, "published", capacity=2, claimants=[ww.colleague])
    response, statements = _claim_counting(_token_client(ww.users.member), wish.pk)
    assert response.status_code == 201
    assert len(statements) <= MOST_STATEMENTS, "\n".join(statements)
    wish.refresh_from_db()
    assert (wish.status, wish.claimed_count) == ("full", 2)
    event = WishEvent.objects.get(wish=wish, kind="claimed")
    assert (event.from_status, event.to_status) == ("published", "full")
    assert event.claim_id == response.json()["id"]
    update = AuditEvent.objects.get(object_type="wishes.wish", object_id=str(wish.pk))
    assert update.changes["claimed_count"] == [1, 2]
    labels = [str(WishStatus.PUBLISHED.label), str(WishStatus.FULL.label)]
    assert update.changes["status"] == labels
    created = AuditEvent.objects.get(object_type="wishes.wishclaim")
    assert (created.action, created.root_type, created.root_id) == (
        "create",
        "wishes.wish",
        str(wish.pk),
    )
    assert set(created.changes) == {"wish", "member", "due_on"}
    assert created.actor_id == ww.users.member.pk


def test_a_refused_claim_writes_nothing(ww):
    wish = make_wish(ww, "full", capacity=1, claimants=[ww.colleague])
    before = (WishClaim.objects.count(), AuditEvent.objects.count(), WishEvent.objects.count())
    response, _ = _claim_counting(_token_client(ww.users.member), wish.pk)
    assert response.status_code == 409
    after = (WishClaim.objects.count(), AuditEvent.objects.count(), WishEvent.objects.count())
    assert after == before
    assert Wish.objects.get(pk=wish.pk).claimed_count == 1


@pytest.mark.parametrize("pk", ["999999", "abc"])
def test_claiming_a_missing_or_malformed_wish_id_answers_404(ww, pk):
    response = _token_client(ww.users.member).post(f"/api/v1/wishes/{pk}/claim/")
    assert response.status_code == 404
