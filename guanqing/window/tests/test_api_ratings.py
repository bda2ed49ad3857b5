"""The 好差评 API: the permission matrix (every endpoint × every role × an own and an other record,
each cell written out by hand), the clerk's anonymous ratings, the applicant's code (one answer for
every bad code, throttled), the follow-up's moves (400 naming the field, 409 for a refused move)
and the query budgets of the lists.

Today is pinned to Wednesday 2026-05-13. "Own" is the world's unit (市纪委) and its window, worked
by the world's window clerk; "other" is the other unit's (市发改委) window with its own clerk.
"""

from __future__ import annotations

import datetime

import pytest

from guanqing.conftest import api_as, api_list_queries
from guanqing.core.roles import Role
from guanqing.testing import factories as f
from guanqing.testing.module_rows import module_rows, module_world
from guanqing.window import rating_services, services
from guanqing.window.choices import FollowUpState, RatingRound
from guanqing.window.models import FollowUp, QuestionSet, Rating, RatingInvite, RatingOption
from guanqing.window.tests import factories as wf

pytestmark = pytest.mark.django_db

ROLES = [r.value for r in Role]
FORBIDDEN = "403"
MISSING_ID = 999_999
D = datetime.date
ALL_OK = (200, 200)
OWN = (200, 404)
DENIED = (403, 403)
NOBODY_ELSE = {
    "member": DENIED,
    "community_worker": DENIED,
    "fund_officer": DENIED,
    "system_admin": DENIED,
    "security_admin": DENIED,
    "audit_admin": DENIED,
}
LIST_NOBODY_ELSE = {role: FORBIDDEN for role in NOBODY_ELSE}


def _option(level: int) -> RatingOption:
    return RatingOption.objects.filter(question_set=QuestionSet.current(), level=level).first()


def _ratings(world):
    """For each unit's window: a completed case not yet rated, one rated 非常满意 and four rated
    非常不满意, whose follow-ups wait to be verified, rectified, fed back and decided (appealed)."""
    d = wf.desk(world)
    d.other_admin = f.UserFactory(
        username="other_unit_admin", role=Role.UNIT_ADMIN, unit=world.other_unit
    )
    for prefix, clerk, window, matter, admin in (
        ("", d.clerk, d.window, d.matter, world.users.unit_admin),
        ("other_", d.other_clerk, d.other_window, d.other_matter, d.other_admin),
    ):

        def completed(clerk=clerk, window=window, matter=matter):
            case = wf.accepted_case(
                actor=clerk, window=window, matter=matter, accepted_on=D(2026, 5, 11)
            )
            return services.case_complete(
                actor=clerk, case=case, on=D(2026, 5, 12), outcome="approved"
            )

        def rated(level, clerk=clerk):
            return rating_services.rating_submit_kiosk(
                actor=clerk, case=completed(), level=level, options=[_option(level).pk]
            )

        setattr(d, f"{prefix}completed", completed())
        setattr(d, f"{prefix}good", rated(5))
        for state in ("verify", "rectify", "feedback", "appealed"):
            follow_up = rated(1).follow_up
            if state in ("rectify", "feedback"):
                rating_services.follow_up_verify(
                    actor=admin, follow_up=follow_up, on=wf.TODAY, finding="属实"
                )
            if state == "feedback":
                rating_services.follow_up_rectify(
                    actor=admin, follow_up=follow_up, on=wf.TODAY, measures="加强培训"
                )
            if state == "appealed":
                rating_services.follow_up_appeal(
                    actor=admin, follow_up=follow_up, on=wf.TODAY, reason="恶意差评"
                )
            follow_up = FollowUp.objects.get(pk=follow_up.pk)
            assert follow_up.state == state
            setattr(d, f"{prefix}fu_{state}", follow_up)
    d.users = world.users
    d.world = world
    return d


# written once for the module: every test meets them as written (testing/module_rows)
_module_rows, r = module_rows("r", _ratings)
world = module_world("r")


def _user(r, role):
    return getattr(r.users, role)


def _pk(r, key):
    return getattr(r, key).pk


# ---------------------------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------------------------

OWN_RATINGS = {"good", "fu_verify", "fu_rectify", "fu_feedback", "fu_appealed"}
OTHER_RATINGS = {f"other_{key}" for key in OWN_RATINGS}
OWN_FOLLOW_UPS = {"fu_verify", "fu_rectify", "fu_feedback", "fu_appealed"}
OTHER_FOLLOW_UPS = {f"other_{key}" for key in OWN_FOLLOW_UPS}

LIST_EXPECTED: dict[str, dict[str, set[str] | str]] = {
    "window/ratings": {
        "committee": OWN_RATINGS | OTHER_RATINGS,
        "unit_admin": OWN_RATINGS,
        "window_clerk": OWN_RATINGS,  # its window's, without who gave them
        **LIST_NOBODY_ELSE,
    },
    # reviewer privacy: a clerk sees no follow-up
    "window/follow-ups": {
        "committee": OWN_FOLLOW_UPS | OTHER_FOLLOW_UPS,
        "unit_admin": OWN_FOLLOW_UPS,
        "window_clerk": FORBIDDEN,
        **LIST_NOBODY_ELSE,
    },
}


def _rating_pk(r, key):
    row = getattr(r, key)
    return row.rating_id if isinstance(row, FollowUp) else row.pk


@pytest.mark.parametrize("endpoint", list(LIST_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_the_records_in_scope(r, role, endpoint):
    expected = LIST_EXPECTED[endpoint][role]
    response = api_as(_user(r, role)).get(f"/api/v1/{endpoint}/?page_size=500")
    if expected == FORBIDDEN:
        assert response.status_code == 403, response.content
        return
    assert response.status_code == 200, response.content
    shown = {row["id"] for row in response.json()["results"]}
    if endpoint == "window/ratings":
        assert shown == {_rating_pk(r, key) for key in expected}
    else:
        assert shown == {_pk(r, key) for key in expected}


# ---------------------------------------------------------------------------------------------
# Details and actions: url -> (own, other) keys, body, what it leads to; role -> (own, other)
# ---------------------------------------------------------------------------------------------

DETAIL_EXPECTED = {
    "committee": ALL_OK,
    "unit_admin": OWN,
    "window_clerk": DENIED,
    **NOBODY_ELSE,
}


@pytest.mark.parametrize("role", ROLES)
def test_follow_up_detail(r, role):
    client = api_as(_user(r, role))
    for key, expected in zip(("fu_verify", "other_fu_verify"), DETAIL_EXPECTED[role], strict=True):
        response = client.get(f"/api/v1/window/follow-ups/{_pk(r, key)}/")
        assert response.status_code == expected, (key, response.content[:300])


FOLLOW_UP_ACTIONS = {
    "window/follow-ups/{id}/verify/": (
        ("fu_verify", "other_fu_verify"),
        {"finding": "经核实，窗口答复不够耐心"},
        FollowUpState.RECTIFY,
    ),
    "window/follow-ups/{id}/appeal/": (
        ("fu_verify", "other_fu_verify"),
        {"reason": "申请人未办理业务即给出差评"},
        FollowUpState.APPEALED,
    ),
    "window/follow-ups/{id}/rectify/": (
        ("fu_rectify", "other_fu_rectify"),
        {"measures": "开展文明服务培训"},
        FollowUpState.FEEDBACK,
    ),
    "window/follow-ups/{id}/feed-back/": (
        ("fu_feedback", "other_fu_feedback"),
        {"method": "phone", "note": "已电话告知整改情况"},
        FollowUpState.AWAITING,
    ),
    "window/follow-ups/{id}/decide/": (
        ("fu_appealed", "other_fu_appealed"),
        {"upheld": True, "note": "申诉成立"},
        FollowUpState.EXCLUDED,
    ),
}
UNIT_ACTS = {"committee": DENIED, "unit_admin": OWN, "window_clerk": DENIED, **NOBODY_ELSE}
ACTION_EXPECTED = {
    "window/follow-ups/{id}/verify/": UNIT_ACTS,
    "window/follow-ups/{id}/appeal/": UNIT_ACTS,
    "window/follow-ups/{id}/rectify/": UNIT_ACTS,
    "window/follow-ups/{id}/feed-back/": UNIT_ACTS,
    # the committee decides every unit's appeals
    "window/follow-ups/{id}/decide/": {
        "committee": ALL_OK,
        "unit_admin": DENIED,
        "window_clerk": DENIED,
        **NOBODY_ELSE,
    },
}


@pytest.mark.parametrize("url", list(ACTION_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_follow_up_action_answers_own_and_other_record(r, role, url):
    keys, body, target = FOLLOW_UP_ACTIONS[url]
    client = api_as(_user(r, role))
    for key, expected in zip(keys, ACTION_EXPECTED[url][role], strict=True):
        before = FollowUp.objects.get(pk=_pk(r, key)).state
        response = client.post("/api/v1/" + url.format(id=_pk(r, key)), body, format="json")
        assert response.status_code == expected, (key, response.content[:300])
        after = FollowUp.objects.get(pk=_pk(r, key)).state
        if expected == 200:
            assert after == target == response.json()["state"], key
        else:
            assert after == before, key


CASE_ACTIONS = {
    "window/cases/{id}/rating-code/": {},
    "window/cases/{id}/rating/": {"level": 4},
}
# only a window clerk rates, and only its window's cases
RATE = {
    "committee": DENIED,
    "unit_admin": DENIED,
    "window_clerk": (201, 404),
    **NOBODY_ELSE,
}


@pytest.mark.parametrize("url", list(CASE_ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_case_rating_actions(r, role, url):
    client = api_as(_user(r, role))
    for key, expected in zip(("completed", "other_completed"), RATE[role], strict=True):
        ratings, invites = Rating.objects.count(), RatingInvite.objects.count()
        response = client.post(
            "/api/v1/" + url.format(id=_pk(r, key)), CASE_ACTIONS[url], format="json"
        )
        assert response.status_code == expected, (key, response.content[:300])
        made = (Rating.objects.count() - ratings, RatingInvite.objects.count() - invites)
        if expected != 201:
            assert made == (0, 0)
        elif url.endswith("rating-code/"):
            assert made == (0, 1)
        else:
            assert made == (1, 0)


def _out_of_scope_cells():
    cells = [("window/follow-ups/{id}/", role) for role, (_o, other) in DETAIL_EXPECTED.items()]
    cells = [cell for cell in cells if DETAIL_EXPECTED[cell[1]][1] == 404]
    cells += [
        (url, role)
        for url, by_role in ACTION_EXPECTED.items()
        for role, (_own, other) in by_role.items()
        if other == 404
    ]
    cells += [
        (url, role) for url in CASE_ACTIONS for role, (_o, other) in RATE.items() if other == 404
    ]
    return cells


@pytest.mark.parametrize(("url", "role"), _out_of_scope_cells())
def test_an_out_of_scope_record_answers_exactly_like_a_missing_one(r, url, role):
    client = api_as(_user(r, role))
    if url in FOLLOW_UP_ACTIONS:
        (_own, other), body, _target = FOLLOW_UP_ACTIONS[url]
        call = client.post
    elif url in CASE_ACTIONS:
        other, body, call = "other_completed", CASE_ACTIONS[url], client.post
    else:
        other, body, call = "other_fu_verify", None, client.get
    out_of_scope = call("/api/v1/" + url.format(id=_pk(r, other)), body, format="json")
    missing = call("/api/v1/" + url.format(id=MISSING_ID), body, format="json")
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.content == missing.content


# ---------------------------------------------------------------------------------------------
# Question sets
# ---------------------------------------------------------------------------------------------

READ_CHOICES = {
    "committee": 200,
    "unit_admin": 200,
    "window_clerk": 200,
    **{role: 403 for role in NOBODY_ELSE},
}
PUBLISH = {
    "committee": 201,
    "unit_admin": 403,
    "window_clerk": 403,
    **{role: 403 for role in NOBODY_ELSE},
}


def _choices_body(**overrides):
    body = {
        "options_5": ["一次办成", "服务热情"],
        "options_4": ["办事顺利"],
        "options_3": ["等候时间较长"],
        "options_2": ["多次跑腿"],
        "options_1": ["态度生硬", "推诿扯皮"],
        "note": "增加选项",
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize("role", ROLES)
def test_question_sets_per_role(r, role):
    client = api_as(_user(r, role))
    current = client.get("/api/v1/window/question-sets/current/")
    assert current.status_code == READ_CHOICES[role]
    number = QuestionSet.current().number
    if current.status_code == 200:
        assert current.json()["number"] == number
        assert {o["level"] for o in current.json()["options"]} == {1, 2, 3, 4, 5}
    published = client.post("/api/v1/window/question-sets/", _choices_body(), format="json")
    assert published.status_code == PUBLISH[role], published.content[:300]
    if published.status_code == 201:
        assert published.json()["number"] == number + 1 == QuestionSet.current().number
        texts = [(o["level"], o["text"]) for o in published.json()["options"]]
        assert texts == [
            (5, "一次办成"),
            (5, "服务热情"),
            (4, "办事顺利"),
            (3, "等候时间较长"),
            (2, "多次跑腿"),
            (1, "态度生硬"),
            (1, "推诿扯皮"),
        ]
    else:
        assert QuestionSet.current().number == number


def test_a_bad_option_is_named_by_its_level(r):
    client = api_as(r.users.committee)
    number = QuestionSet.current().number
    response = client.post(
        "/api/v1/window/question-sets/", _choices_body(options_2=["多次跑腿", " "]), format="json"
    )
    assert response.status_code == 400
    assert "options_2" in response.json()
    response = client.post(
        "/api/v1/window/question-sets/", _choices_body(options_4=[]), format="json"
    )
    assert response.status_code == 400
    assert "options_4" in response.json()
    assert QuestionSet.current().number == number


def test_the_endpoints_need_a_signed_in_user(r, api):
    for url in (
        "window/ratings/",
        "window/follow-ups/",
        f"window/follow-ups/{r.fu_verify.pk}/",
        "window/question-sets/current/",
    ):
        assert api.get(f"/api/v1/{url}").status_code in (401, 403)
    for url in [*FOLLOW_UP_ACTIONS, *CASE_ACTIONS, "window/question-sets/"]:
        response = api.post("/api/v1/" + url.format(id=r.completed.pk), {}, format="json")
        assert response.status_code in (401, 403)


# ---------------------------------------------------------------------------------------------
# The clerk sees its ratings without who gave them
# ---------------------------------------------------------------------------------------------


def test_a_clerk_sees_its_ratings_anonymised(r):
    hidden = ("case", "receipt_no", "applicant_name", "rated_on", "follow_up", "follow_up_state")
    rows = api_as(r.users.window_clerk).get("/api/v1/window/ratings/").json()["results"]
    assert len(rows) == len(OWN_RATINGS)
    for row in rows:
        assert all(row[key] is None for key in hidden), row
        assert row["month"] == "2026-05"
        assert row["level"] in (1, 5) and row["window"] == r.window.pk
        assert "王小明" not in str(row) and r.good.case.receipt_no not in str(row)
    rows = api_as(r.users.unit_admin).get("/api/v1/window/ratings/").json()["results"]
    good = next(row for row in rows if row["id"] == r.good.pk)
    assert good["case"] == r.good.case_id
    assert good["receipt_no"] == r.good.case.receipt_no
    assert good["applicant_name"] == "王小明"
    assert good["rated_on"] == "2026-05-13"
    assert good["level_display"] == "非常满意" and good["counted"] is True
    bad = next(row for row in rows if row["id"] == r.fu_verify.rating_id)
    assert bad["follow_up"] == r.fu_verify.pk and bad["follow_up_state"] == "verify"


def test_a_clerk_filters_ratings_by_whole_months_only(r):
    Rating.objects.filter(pk=r.good.pk).update(rated_on=D(2026, 5, 4))
    Rating.objects.filter(pk=r.fu_verify.rating_id).update(rated_on=D(2026, 4, 28))
    one_day = {"rated_from": "2026-05-04", "rated_to": "2026-05-04"}
    url = "/api/v1/window/ratings/"
    admin = api_as(r.users.unit_admin).get(url, one_day).json()["results"]
    assert [row["id"] for row in admin] == [r.good.pk]
    # the clerk's day is widened to its month: the day of a rating stays unknown
    clerk = api_as(r.users.window_clerk).get(url, one_day).json()["results"]
    assert {row["id"] for row in clerk} == {
        _rating_pk(r, key) for key in OWN_RATINGS - {"fu_verify"}
    }


def test_ratings_filters(r):
    client = api_as(r.users.committee)
    url = "/api/v1/window/ratings/"
    bad = client.get(url, {"level": 1}).json()["results"]
    assert {row["id"] for row in bad} == {
        _rating_pk(r, key) for key in (OWN_RATINGS | OTHER_RATINGS) if "fu_" in key
    }
    own = client.get(url, {"window": r.window.pk, "level": 5}).json()["results"]
    assert [row["id"] for row in own] == [r.good.pk]
    none = client.get(url, {"rated_from": "2026-05-14"}).json()["results"]
    assert none == []
    assert client.get(url, {"level": 9}).status_code == 400


# ---------------------------------------------------------------------------------------------
# The clerk's kiosk and codes
# ---------------------------------------------------------------------------------------------


def test_a_code_is_shown_once_and_rates_the_case(r, api):
    response = api_as(r.users.window_clerk).post(
        f"/api/v1/window/cases/{r.completed.pk}/rating-code/"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["expires_on"] == "2026-06-11"  # completed 05-12, 30 days
    assert body["code"] in body["url"] and body["url"].startswith("http")
    code = body["code"]
    # only the hash is kept
    assert not RatingInvite.objects.filter(code_hash__contains=code).exists()

    looked = api.post("/api/v1/window/public/rating/lookup/", {"code": code}, format="json")
    assert looked.status_code == 200
    assert looked.json()["matter"] == r.matter.name
    assert looked.json()["round"] == RatingRound.CASE
    assert [level["level"] for level in looked.json()["levels"]] == [5, 4, 3, 2, 1]
    option = _option(4)
    assert option.pk in [o["id"] for o in looked.json()["levels"][1]["options"]]

    rated = api.post(
        "/api/v1/window/public/rating/",
        {"code": code, "level": 4, "options": [option.pk], "comment": "办事效率高"},
        format="json",
    )
    assert rated.status_code == 201, rated.content
    rating = Rating.objects.get(case=r.completed)
    assert (rating.level, rating.channel, rating.comment) == (4, "link", "办事效率高")
    assert list(rating.options.all()) == [option]


def test_every_bad_code_gets_the_same_answer(r, api):
    response = api_as(r.users.window_clerk).post(
        f"/api/v1/window/cases/{r.completed.pk}/rating-code/"
    )
    code = response.json()["code"]
    again = api_as(r.users.window_clerk).post(f"/api/v1/window/cases/{r.completed.pk}/rating-code/")
    assert again.status_code == 201
    revoked = code  # issuing again revoked the first code
    wrong = "ABCDEFGHJKMNPQRS"
    answers = []
    for bad in (revoked, wrong, "x"):
        for url, body in (
            ("/api/v1/window/public/rating/lookup/", {"code": bad}),
            ("/api/v1/window/public/rating/", {"code": bad, "level": 5}),
        ):
            answer = api.post(url, body, format="json")
            answers.append((answer.status_code, answer.json()))
    assert answers == [(404, {"detail": str(rating_services.RatingCodeInvalid())})] * 6
    # used: the same answer once more
    fresh = again.json()["code"]
    assert api.post("/api/v1/window/public/rating/", {"code": fresh, "level": 5}).status_code == 201
    used = api.post("/api/v1/window/public/rating/", {"code": fresh, "level": 5}, format="json")
    assert (used.status_code, used.json()) == answers[0]


def test_a_bad_rating_is_a_400_naming_the_field(r, api):
    code = (
        api_as(r.users.window_clerk)
        .post(f"/api/v1/window/cases/{r.completed.pk}/rating-code/")
        .json()["code"]
    )
    for body, field in (
        ({"code": code, "level": 7}, "level"),
        ({"code": code, "level": 5, "options": [_option(1).pk]}, "options"),
        ({"code": code, "level": 5, "comment": "长" * 501}, "comment"),
    ):
        response = api.post("/api/v1/window/public/rating/", body, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
    assert not Rating.objects.filter(case=r.completed).exists()


def test_guessing_codes_is_throttled(r, api):
    answers = [
        api.post(
            "/api/v1/window/public/rating/lookup/", {"code": f"GUESS{n:011d}"}, format="json"
        ).status_code
        for n in range(31)
    ]
    assert answers[:30] == [404] * 30
    assert answers[30] == 429


def test_the_kiosk_rates_a_completed_case_once(r):
    client = api_as(r.users.window_clerk)
    url = f"/api/v1/window/cases/{r.completed.pk}/rating/"
    response = client.post(url, {"level": 2, "options": [_option(2).pk]}, format="json")
    assert response.status_code == 201
    assert set(response.json()) == {"detail"}  # the answer does not repeat the level
    rating = Rating.objects.get(case=r.completed)
    assert (rating.level, rating.channel) == (2, "kiosk")
    assert rating.follow_up.state == FollowUpState.VERIFY  # a 差评 opens a follow-up
    assert client.post(url, {"level": 5}, format="json").status_code == 409
    open_case = wf.accepted_case(actor=r.clerk, window=r.window, matter=r.matter)
    response = client.post(
        f"/api/v1/window/cases/{open_case.pk}/rating/", {"level": 5}, format="json"
    )
    assert response.status_code == 409
    assert "detail" in response.json()
    assert client.post(url, {"level": "bad"}, format="json").status_code == 400


# ---------------------------------------------------------------------------------------------
# Follow-ups
# ---------------------------------------------------------------------------------------------


def _post(user, follow_up, step, body):
    return api_as(user).post(
        f"/api/v1/window/follow-ups/{follow_up.pk}/{step}/", body, format="json"
    )


def test_a_follow_up_move_names_the_bad_field(r):
    admin = r.users.unit_admin
    response = _post(admin, r.fu_verify, "verify", {})
    assert response.status_code == 400 and "finding" in response.json()
    response = _post(admin, r.fu_verify, "verify", {"finding": "属实", "date": "2026-05-20"})
    assert response.status_code == 400 and "date" in response.json()
    response = _post(admin, r.fu_feedback, "feed-back", {"method": "fax", "note": "已告知"})
    assert response.status_code == 400 and "method" in response.json()
    response = _post(r.users.committee, r.fu_appealed, "decide", {"note": "x"})
    assert response.status_code == 400 and "upheld" in response.json()
    assert FollowUp.objects.get(pk=r.fu_verify.pk).state == FollowUpState.VERIFY


def test_a_refused_move_is_a_conflict(r):
    admin = r.users.unit_admin
    response = _post(admin, r.fu_verify, "rectify", {"measures": "培训"})
    assert response.status_code == 409 and "detail" in response.json()
    response = _post(admin, r.fu_rectify, "appeal", {"reason": "恶意"})
    assert response.status_code == 409
    # no appeal to decide
    response = _post(r.users.committee, r.fu_verify, "decide", {"upheld": True, "note": "成立"})
    assert response.status_code == 409
    assert FollowUp.objects.get(pk=r.fu_verify.pk).state == FollowUpState.VERIFY


def test_feed_back_without_a_rating_sends_a_code_with_one_closes(r, api):
    admin = r.users.unit_admin
    response = _post(admin, r.fu_feedback, "feed-back", {"method": "phone", "note": "已告知"})
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == FollowUpState.AWAITING and body["code"]
    assert body["code"] in body["url"] and body["code_expires_on"] == "2026-06-12"
    assert body["fed_back_on"] == "2026-05-13" and body["fix_rating"] is None
    # the applicant rates the fix with the code: the follow-up closes
    rated = api.post("/api/v1/window/public/rating/", {"code": body["code"], "level": 5})
    assert rated.status_code == 201
    detail = api_as(admin).get(f"/api/v1/window/follow-ups/{r.fu_feedback.pk}/").json()
    assert detail["state"] == FollowUpState.CLOSED
    assert detail["fix_rating"]["level"] == 5 and detail["fix_rating"]["channel"] == "link"

    other = r.other_fu_feedback
    response = _post(
        r.other_admin, other, "feed-back", {"method": "visit", "note": "上门回访", "level": 4}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == FollowUpState.CLOSED and body["code"] is None
    assert body["fix_rating"]["level"] == 4 and body["fix_rating"]["channel"] == "callback"


def test_an_upheld_appeal_keeps_the_rating_out_of_the_count(r):
    response = _post(r.users.committee, r.fu_appealed, "decide", {"upheld": True, "note": "成立"})
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == FollowUpState.EXCLUDED
    assert body["appeal"]["decision"] == "upheld" and body["appeal"]["reason"] == "恶意差评"
    rows = api_as(r.users.unit_admin).get("/api/v1/window/ratings/").json()["results"]
    row = next(row for row in rows if row["id"] == r.fu_appealed.rating_id)
    assert row["counted"] is False
    assert Rating.objects.filter(pk=r.fu_appealed.rating_id).exists()  # never deleted


# ---------------------------------------------------------------------------------------------
# Query budgets
# ---------------------------------------------------------------------------------------------


def _more_ratings(r, n):
    for _ in range(n):
        case = wf.accepted_case(
            actor=r.clerk, window=r.window, matter=r.matter, accepted_on=D(2026, 5, 11)
        )
        services.case_complete(actor=r.clerk, case=case, on=D(2026, 5, 12), outcome="approved")
        rating_services.rating_submit_kiosk(
            actor=r.clerk, case=case, level=1, options=[_option(1).pk]
        )


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("window_clerk", "/api/v1/window/ratings/"),
        ("unit_admin", "/api/v1/window/ratings/"),
        ("committee", "/api/v1/window/follow-ups/"),
    ],
)
def test_list_queries_do_not_grow_with_rows(r, role, url):
    user = _user(r, role)
    queries, rows = api_list_queries(user, url)
    _more_ratings(r, 4)
    more_queries, more_rows = api_list_queries(user, url)
    assert more_rows == rows + 4
    assert more_queries == queries
    assert queries <= 8


# Every 好差评 route and the test that covers it (test_permissions.py's route check can add these).
COVERED_ROUTES = (
    {f"{endpoint}/" for endpoint in LIST_EXPECTED}  # test_list_shows_exactly_the_records_in_scope
    | {"window/follow-ups/{id}/"}  # test_follow_up_detail
    | set(ACTION_EXPECTED)  # test_follow_up_action_answers_own_and_other_record
    | set(CASE_ACTIONS)  # test_case_rating_actions
    | {"window/question-sets/", "window/question-sets/current/"}  # test_question_sets_per_role
    # test_a_code_is_shown_once_and_rates_the_case, test_every_bad_code_gets_the_same_answer
    | {"window/public/rating/", "window/public/rating/lookup/"}
)


def test_the_matrix_reaches_every_rating_route():
    """A 好差评 route added under /api/v1/window/ without a row here fails this test."""
    import re

    from config import api_urls

    ours = re.compile(r"window/(ratings|follow-ups|question-sets|public/rating|cases/.*rating)")
    routes = set()
    for pattern in api_urls.urlpatterns:
        route = str(pattern.pattern).lstrip("^").rstrip("$")
        if ours.match(route) and "format" not in route:
            routes.add(re.sub(r"<int:pk>|<id:pk>|\(\?P<pk>\[\^/\.\]\+\)", "{id}", route))
    assert routes == COVERED_ROUTES, routes ^ COVERED_ROUTES
