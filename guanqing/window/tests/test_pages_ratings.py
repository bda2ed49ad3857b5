"""好差评 pages: the rating screen (评价屏) from level to thank-you without showing the level, the
code slip (shown once) and the public page for a code (one answer for every unusable code), the
ratings list (a clerk never sees who rated), the 差评 follow-ups and their steps (400 beside the
field, 409 inline), the question set editor, the case page's section and the home sections; who
may open what, scope, English and the query budgets.

Today is pinned to Wednesday 2026-05-13: a case completed today may be rated until 2026-06-12; a
差评 given today is to be rectified by 2026-05-20.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from guanqing.conftest import client_for
from guanqing.testing import factories as f
from guanqing.window import rating_services
from guanqing.window.choices import (
    FeedbackMethod,
    FollowUpState,
    RatingChannel,
    RatingLevel,
    RatingRound,
)
from guanqing.window.models import FollowUp, QuestionSet, Rating, RatingInvite, RatingOption
from guanqing.window.tests import factories as wf

pytestmark = pytest.mark.django_db

D = datetime.date
LEVEL_TEXTS = [str(label) for label in RatingLevel.labels]
# the CSRF tokens and the CSP nonce: new on every answer
CSRF = re.compile(r'(csrfmiddlewaretoken" value=|X-CSRFToken": | nonce=)"[^"]*"')


@pytest.fixture
def d(world, official_calendar, pinned_today):
    desk = wf.desk(world)
    desk.admin = world.users.unit_admin
    desk.committee = world.users.committee
    desk.member = world.users.member
    desk.other_admin = f.UserFactory(
        username="other_unit_admin", role="unit_admin", unit=world.other_unit
    )
    desk.case = wf.completed_case(actor=desk.clerk, window=desk.window, matter=desk.matter)
    return desk


def _html(response) -> str:
    return response.content.decode()


def _bad(d, level=1, **kwargs) -> FollowUp:
    return wf.bad_rating(actor=d.clerk, window=d.window, matter=d.matter, level=level, **kwargs)


def _english(user):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _issue_code(d, case=None) -> str:
    _invite, code = rating_services.rating_invite_issue(actor=d.clerk, case=case or d.case)
    return code


def _same_page(html: str) -> str:
    """The page without its CSRF tokens and CSP nonce (fresh on every answer)."""
    return CSRF.sub("", html)


# ---------------------------------------------------------------------------------------------
# Who may open what, and scope
# ---------------------------------------------------------------------------------------------

ROLES = ("committee", "unit_admin", "clerk", "member")


@pytest.mark.parametrize(
    "page,allowed",
    [
        ("kiosk", {"clerk"}),
        ("ratings", {"committee", "unit_admin", "clerk"}),
        ("follow_ups", {"committee", "unit_admin"}),
        ("follow_up", {"committee", "unit_admin"}),
        ("questions", {"committee"}),
        ("case_rating", {"committee", "unit_admin", "clerk"}),
    ],
)
def test_each_page_opens_for_its_roles_and_refuses_the_others(d, page, allowed):
    follow = _bad(d)
    urls = {
        "kiosk": f"/window/cases/{d.case.pk}/rate/",
        "ratings": "/window/ratings/",
        "follow_ups": "/window/ratings/follow-ups/",
        "follow_up": f"/window/ratings/follow-ups/{follow.pk}/",
        "questions": "/window/ratings/questions/",
        "case_rating": f"/window/cases/{d.case.pk}/rating/",
    }
    users = {"committee": d.committee, "unit_admin": d.admin, "clerk": d.clerk, "member": d.member}
    for role in ROLES:
        status = client_for(users[role]).get(urls[page]).status_code
        assert status == (200 if role in allowed else 403), role


def test_only_the_clerk_issues_a_code(d):
    url = f"/window/cases/{d.case.pk}/rate/code/"
    for user in (d.committee, d.admin, d.member):
        assert client_for(user).post(url).status_code == 403
    assert not RatingInvite.objects.exists()
    assert client_for(d.clerk).post(url).status_code == 200
    assert RatingInvite.objects.count() == 1


def test_a_case_or_follow_up_outside_scope_answers_404(d):
    follow = _bad(d)
    other_clerk = client_for(d.other_clerk)
    assert other_clerk.get(f"/window/cases/{d.case.pk}/rate/").status_code == 404
    assert other_clerk.post(f"/window/cases/{d.case.pk}/rate/code/").status_code == 404
    assert not RatingInvite.objects.exists()
    other_admin = client_for(d.other_admin)
    assert other_admin.get(f"/window/ratings/follow-ups/{follow.pk}/").status_code == 404
    response = other_admin.post(
        f"/window/ratings/follow-ups/{follow.pk}/steps/verify/",
        {"verify-on": "2026-05-13", "verify-finding": "核实"},
    )
    assert response.status_code == 404
    assert FollowUp.objects.get(pk=follow.pk).state == FollowUpState.VERIFY
    assert client_for(d.admin).get("/window/ratings/follow-ups/999999/").status_code == 404


# ---------------------------------------------------------------------------------------------
# The rating screen
# ---------------------------------------------------------------------------------------------


def test_the_kiosk_rates_from_level_to_a_thank_you_that_shows_nothing_of_the_rating(d):
    client = client_for(d.clerk)
    url = f"/window/cases/{d.case.pk}/rate/"
    first = _html(client.get(url))
    for text in LEVEL_TEXTS:
        assert text in first
    assert d.case.receipt_no in first and d.matter.name in first
    # the applicant is looking: neither the ID number nor the phone is on the screen
    assert d.case.applicant_phone not in first and wf.PHONE not in first
    assert d.case.masked_id_number() not in first

    chosen = wf.option_ids(2)
    second = client.post(url, {"level": "2"}, HTTP_HX_REQUEST="true")
    assert second.status_code == 200
    options = {o.pk: o.text for o in RatingOption.objects.filter(pk__in=chosen)}
    for text in options.values():
        assert text in _html(second)
    offered = [pk for pk, _text in second.context["form"].fields["options"].choices]
    assert offered == chosen  # that level's choices only
    assert not Rating.objects.exists()

    done = client.post(
        url, {"level": "2", "options": chosen[:1], "comment": "等候太久", "confirm": "1"}
    )
    assert done.status_code == 200
    rating = Rating.objects.get()
    assert (rating.case, rating.level, rating.channel) == (d.case, 2, RatingChannel.KIOSK)
    assert [o.pk for o in rating.options.all()] == chosen[:1]
    assert rating.comment == "等候太久"
    thanks = _html(done)
    assert 'data-key="thanks"' in thanks
    for text in [*LEVEL_TEXTS, options[chosen[0]], "等候太久"]:
        assert text not in thanks
    assert f'href="/window/cases/{d.case.pk}/"' in thanks

    again = _html(client.get(url))
    assert 'data-key="refusal"' in again and "已经评价过" in again
    assert not any(text in again for text in LEVEL_TEXTS)


def test_the_kiosk_says_plainly_why_a_case_cannot_be_rated(d):
    client = client_for(d.clerk)
    open_case = wf.accepted_case(actor=d.clerk, window=d.window, matter=d.matter)
    html = _html(client.get(f"/window/cases/{open_case.pk}/rate/"))
    assert "尚未办结" in html and 'data-key="refusal"' in html
    refused = client.post(f"/window/cases/{open_case.pk}/rate/", {"level": "5", "confirm": "1"})
    assert refused.status_code == 409
    with time_machine.travel(datetime.datetime(2026, 4, 10, 10), tick=False):
        old = wf.completed_case(
            actor=d.clerk,
            window=d.window,
            matter=d.matter,
            accepted_on=D(2026, 4, 8),
            completed_on=D(2026, 4, 10),
        )
    late = _html(client.get(f"/window/cases/{old.pk}/rate/"))
    assert "2026-05-10" in late and 'data-key="refusal"' in late  # 30 days after 04-10
    assert not Rating.objects.exists()


def test_a_rating_refused_by_the_service_shows_the_error_next_to_the_field(d):
    client = client_for(d.clerk)
    response = client.post(
        f"/window/cases/{d.case.pk}/rate/",
        {"level": "5", "comment": "长" * 501, "confirm": "1"},
    )
    assert response.status_code == 400
    assert "field__error" in _html(response)
    assert not Rating.objects.exists()
    no_level = client.post(f"/window/cases/{d.case.pk}/rate/", {"level": "9"})
    assert no_level.status_code == 400


# ---------------------------------------------------------------------------------------------
# The code slip and the public page
# ---------------------------------------------------------------------------------------------


def test_the_code_slip_shows_the_code_once_with_its_qr_code_and_last_day(d):
    response = client_for(d.clerk).post(f"/window/cases/{d.case.pk}/rate/code/")
    html = _html(response)
    assert response.status_code == 200
    assert "<svg" in html and "2026-06-12" in html
    assert d.case.receipt_no in html and d.matter.name in html
    code = re.search(r'data-key="code">([^<]+)<', html).group(1)
    link = re.search(r'data-key="code-link">([^<]+)<', html).group(1)
    normalized = rating_services.normalize_code(code)
    assert link.endswith(f"/window/rate/{normalized}/")
    assert RatingInvite.objects.get().code_hash == rating_services.code_hash(normalized)
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )


def test_the_public_page_rates_with_a_code_without_an_account(client, d):
    code = _issue_code(d)
    url = f"/window/rate/{code}/"
    page = _html(client.get(url))
    assert d.matter.name in page and "请对本次服务进行评价" in page
    assert wf.PHONE not in page
    client.post(url, {"level": "4"})
    done = client.post(url, {"level": "4", "options": wf.option_ids(4)[:1], "confirm": "1"})
    assert done.status_code == 200 and 'data-key="thanks"' in _html(done)
    assert not any(text in _html(done) for text in LEVEL_TEXTS)
    rating = Rating.objects.get()
    assert (rating.level, rating.channel) == (4, RatingChannel.LINK)


def test_a_typed_code_leads_to_its_rating_page(client, d):
    code = _issue_code(d)
    typed = " ".join(code[i : i + 4] for i in range(0, len(code), 4)).lower()
    response = client.post("/window/rate/", {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/window/rate/{code}/"
    assert client.get("/window/rate/").status_code == 200


def test_a_wrong_and_a_used_code_get_the_identical_answer(client, d):
    code = _issue_code(d)
    rating_services.rating_submit_code(code=code, level=5)
    wrong = client.get("/window/rate/ABCDEFGHJKMNPQRS/")
    used = client.get(f"/window/rate/{code}/")
    assert wrong.status_code == used.status_code == 200
    # the same page but for its own address (in the language switch's return link)
    assert _same_page(_html(wrong)).replace("ABCDEFGHJKMNPQRS", code) == _same_page(_html(used))
    assert "评价码无效、已使用或已过期" in _html(used)
    posted = client.post(f"/window/rate/{code}/", {"level": "1", "confirm": "1"})
    assert posted.status_code == 200
    assert _same_page(_html(posted)) == _same_page(_html(used))
    assert Rating.objects.count() == 1


def test_a_round_two_code_asks_for_a_rating_of_the_fix(client, d):
    follow = _bad(d)
    follow = rating_services.follow_up_verify(
        actor=d.admin, follow_up=follow, on=wf.TODAY, finding="属实"
    )
    follow = rating_services.follow_up_rectify(
        actor=d.admin, follow_up=follow, on=wf.TODAY, measures="加强培训"
    )
    _follow, code = rating_services.follow_up_feed_back(
        actor=d.admin, follow_up=follow, on=wf.TODAY, method=FeedbackMethod.PHONE, note="已告知"
    )
    html = _html(client.get(f"/window/rate/{code}/"))
    assert "请对整改结果进行评价" in html


def test_the_public_page_counts_guesses_against_a_limit(client, d, settings):
    rates = {**settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}), "window_rating": "3/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    from rest_framework.settings import api_settings

    api_settings.reload()
    try:
        statuses = [client.get("/window/rate/ABCDEFGHJKMNPQRS/").status_code for _ in range(4)]
    finally:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
        api_settings.reload()
    assert statuses == [200, 200, 200, 429]


# ---------------------------------------------------------------------------------------------
# The ratings list
# ---------------------------------------------------------------------------------------------


def test_a_clerk_sees_its_ratings_without_who_gave_them(d):
    follow = _bad(d, level=1)
    wf.kiosk_rating(actor=d.clerk, case=d.case, level=5, comment="很好")
    other = wf.completed_case(actor=d.other_clerk, window=d.other_window, matter=d.other_matter)
    wf.kiosk_rating(actor=d.other_clerk, case=other, level=3, comment="别的窗口")
    bad_case = follow.rating.case
    response = client_for(d.clerk).get("/window/ratings/")
    assert response.status_code == 200
    html = _html(response)
    assert {r.pk for r in response.context["ratings"]} == {
        follow.rating.pk,
        d.case.ratings.get().pk,
    }
    assert "非常不满意" in html and "很好" in html and "2026-05" in html
    assert "别的窗口" not in html
    for secret in (
        bad_case.receipt_no,
        bad_case.applicant_name,
        f"/window/cases/{bad_case.pk}/",
        "2026-05-13",
        f"/window/ratings/follow-ups/{follow.pk}/",
    ):
        assert secret not in html, secret


def test_the_unit_admin_sees_who_rated_with_the_case_and_the_follow_up(d):
    follow = _bad(d, level=2)
    bad_case = follow.rating.case
    html = _html(client_for(d.admin).get("/window/ratings/"))
    assert bad_case.receipt_no in html and bad_case.applicant_name in html
    assert f"/window/cases/{bad_case.pk}/" in html and "2026-05-13" in html
    assert f"/window/ratings/follow-ups/{follow.pk}/" in html
    assert str(FollowUpState.VERIFY.label) in html


def test_the_list_filters_and_sums_up(d):
    _bad(d, level=1)
    wf.kiosk_rating(actor=d.clerk, case=d.case, level=5)
    second = wf.completed_case(actor=d.second_clerk, window=d.second_window, matter=d.matter)
    wf.kiosk_rating(actor=d.second_clerk, case=second, level=4)
    client = client_for(d.admin)
    everything = client.get("/window/ratings/")
    assert everything.context["summary"]["total"] == 3
    assert "66.7%" in _html(everything)
    by_level = client.get("/window/ratings/?level=1")
    assert [r.level for r in by_level.context["ratings"]] == [1]
    by_window = client.get(f"/window/ratings/?window={d.second_window.pk}")
    assert [r.case_id for r in by_window.context["ratings"]] == [second.pk]
    assert by_window.context["summary"]["total"] == 1
    before = client.get("/window/ratings/?date_to=2026-05-12")
    assert before.context["ratings"] == [] and before.context["summary"]["total"] == 0
    clerk_month = client_for(d.clerk).get("/window/ratings/?date_from=2026-05&date_to=2026-05")
    assert len(clerk_month.context["ratings"]) == 2


@override_settings(FIGURES_SLOW_MS=0)  # every count is kept
def test_the_committees_summary_is_kept_with_its_time_and_a_unit_counts_its_own(d):
    """The committee's summary counts every rating (two million at a province's scale): it is a
    snapshot, shown with its time; each filter has its own; a unit administrator counts live."""
    _bad(d, level=1)
    wf.kiosk_rating(actor=d.clerk, case=d.case, level=5)
    committee = client_for(d.committee)
    first = committee.get("/window/ratings/")
    assert first.context["summary"]["total"] == 2  # counted now, and kept
    second = wf.completed_case(actor=d.second_clerk, window=d.second_window, matter=d.matter)
    wf.kiosk_rating(actor=d.second_clerk, case=second, level=4)
    kept = committee.get("/window/ratings/")
    assert kept.context["summary"]["total"] == 2 and "数据截至" in _html(kept)  # as of the first
    assert len(kept.context["ratings"]) == 3  # the list itself is live
    assert committee.get("/window/ratings/?level=4").context["summary"]["total"] == 1
    assert committee.get("/window/ratings/?level=x").context["summary"]["total"] == 0
    live = client_for(d.admin).get("/window/ratings/")
    assert live.context["summary"]["total"] == Rating.objects.visible_to(d.admin).count() == 3
    assert "数据截至" not in _html(live)
    cache.clear()


def test_an_english_user_reads_the_rating_pages_in_english(d):
    _bad(d)
    kiosk = _html(_english(d.clerk).get(f"/window/cases/{d.case.pk}/rate/"))
    assert "Please rate our service" in kiosk and "Very dissatisfied" in kiosk
    assert "非常满意" not in kiosk and "请对本次服务进行评价" not in kiosk
    listing = _html(_english(d.clerk).get("/window/ratings/"))
    assert "Very dissatisfied" in listing and "Rating choices" in listing
    assert "positive" in listing  # the summary line
    assert "非常不满意" not in listing and "评价等级" not in listing and "计入统计" not in listing


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_ratings_and_follow_up_lists_keep_to_a_fixed_number_of_queries(d):
    client = client_for(d.admin)
    client.get("/window/ratings/")
    _bad(d, level=1)
    wf.kiosk_rating(actor=d.clerk, case=d.case, level=5, options=wf.option_ids(5)[:2])
    few = (
        _queries(client, "/window/ratings/"),
        _queries(client, "/window/ratings/follow-ups/"),
    )
    for level in (1, 2, 1, 2, 4, 5):
        _bad(d, level=level) if level < 3 else wf.kiosk_rating(
            actor=d.clerk,
            case=wf.completed_case(actor=d.clerk, window=d.window, matter=d.matter),
            level=level,
            options=wf.option_ids(level)[:2],
        )
    many = (
        _queries(client, "/window/ratings/"),
        _queries(client, "/window/ratings/follow-ups/"),
    )
    assert few == many
    assert many[0] <= 14 and many[1] <= 12


# ---------------------------------------------------------------------------------------------
# Follow-ups
# ---------------------------------------------------------------------------------------------


def test_the_follow_up_list_puts_open_ones_first_and_flags_overdue(d):
    with time_machine.travel(datetime.datetime(2026, 5, 6, 10), tick=False):
        late_case = wf.completed_case(
            actor=d.clerk,
            window=d.window,
            matter=d.matter,
            accepted_on=D(2026, 5, 6),
            completed_on=D(2026, 5, 6),
        )
        late = wf.kiosk_rating(actor=d.clerk, case=late_case, level=1).follow_up
    fresh = _bad(d, level=2)
    response = client_for(d.admin).get("/window/ratings/follow-ups/")
    rows = response.context["follow_ups"]
    assert [row.pk for row in rows] == [late.pk, fresh.pk]
    assert rows[0].overdue and not rows[1].overdue
    assert 'data-key="overdue"' in _html(response)
    overdue = client_for(d.admin).get("/window/ratings/follow-ups/?state=overdue")
    assert [row.pk for row in overdue.context["follow_ups"]] == [late.pk]


def test_the_follow_up_page_names_the_applicant_and_the_unit_verifies_rectifies_and_feeds_back(d):
    follow = _bad(d, level=1)
    case = follow.rating.case
    client = client_for(d.admin)
    url = f"/window/ratings/follow-ups/{follow.pk}/"
    page = _html(client.get(url))
    assert case.applicant_name in page and case.applicant_phone in page
    assert f"/window/cases/{case.pk}/" in page
    assert 'data-step="verify"' in page and 'data-step="appeal"' in page
    assert 'data-step="uphold"' not in page

    blank = client.post(
        f"{url}steps/verify/",
        {"verify-on": "2026-05-13", "verify-finding": ""},
        HTTP_HX_REQUEST="true",
    )
    assert blank.status_code == 400
    assert 'id="id_verify-finding_error"' in _html(blank)
    assert FollowUp.objects.get(pk=follow.pk).state == FollowUpState.VERIFY

    done = client.post(
        f"{url}steps/verify/", {"verify-on": "2026-05-13", "verify-finding": "情况属实"}
    )
    assert done.status_code == 302
    assert FollowUp.objects.get(pk=follow.pk).state == FollowUpState.RECTIFY

    again = client.post(
        f"{url}steps/verify/",
        {"verify-on": "2026-05-13", "verify-finding": "再次核实"},
        HTTP_HX_REQUEST="true",
    )
    assert again.status_code == 409
    assert 'data-key="conflict"' in _html(again)

    client.post(f"{url}steps/rectify/", {"rectify-on": "2026-05-13", "rectify-measures": "培训"})
    assert FollowUp.objects.get(pk=follow.pk).state == FollowUpState.FEEDBACK
    fed = client.post(
        f"{url}steps/feed_back/",
        {"feed_back-on": "2026-05-13", "feed_back-method": "phone", "feed_back-note": "已电话告知"},
    )
    assert fed.status_code == 200
    html = _html(fed)
    assert 'data-key="slip"' in html and "请对整改结果进行评价" in html
    assert FollowUp.objects.get(pk=follow.pk).state == FollowUpState.AWAITING
    code = rating_services.normalize_code(re.search(r'data-key="code">([^<]+)<', html).group(1))
    assert rating_services.rating_invite_lookup(code).round == RatingRound.FIX
    timeline = _html(client.get(url))
    for key in ("rated", "verified", "rectified", "fed_back"):
        assert f'data-event="{key}"' in timeline
    assert 'data-key="slip"' not in timeline  # shown once


def test_a_feed_back_with_the_applicants_rating_closes_the_follow_up(d):
    follow = _bad(d)
    follow = rating_services.follow_up_verify(
        actor=d.admin, follow_up=follow, on=wf.TODAY, finding="属实"
    )
    rating_services.follow_up_rectify(actor=d.admin, follow_up=follow, on=wf.TODAY, measures="整改")
    url = f"/window/ratings/follow-ups/{follow.pk}/"
    response = client_for(d.admin).post(
        f"{url}steps/feed_back/",
        {
            "feed_back-on": "2026-05-13",
            "feed_back-method": "visit",
            "feed_back-note": "上门回访",
            "feed_back-level": "4",
            "feed_back-options": wf.option_ids(4)[:1],
        },
    )
    assert response.status_code == 302
    assert FollowUp.objects.get(pk=follow.pk).state == FollowUpState.CLOSED
    fix = Rating.objects.get(round=RatingRound.FIX)
    assert (fix.level, fix.channel) == (4, RatingChannel.CALLBACK)
    assert 'data-event="rerated"' in _html(client_for(d.admin).get(url))


def test_the_unit_appeals_and_the_committee_decides(d):
    follow = _bad(d)
    url = f"/window/ratings/follow-ups/{follow.pk}/"
    client_for(d.admin).post(
        f"{url}steps/appeal/", {"appeal-on": "2026-05-13", "appeal-reason": "恶意差评"}
    )
    assert FollowUp.objects.get(pk=follow.pk).state == FollowUpState.APPEALED
    # the unit cannot decide its own appeal
    refused = client_for(d.admin).post(
        f"{url}steps/uphold/", {"uphold-on": "2026-05-13", "uphold-note": "成立"}
    )
    assert refused.status_code == 403
    page = _html(client_for(d.committee).get(url))
    assert 'data-step="uphold"' in page and 'data-step="reject"' in page
    assert 'data-key="phone"' not in page  # the phone is for the unit's 回访
    home = _html(client_for(d.committee).get("/"))
    assert "/window/ratings/follow-ups/?state=appealed" in home
    decided = client_for(d.committee).post(
        f"{url}steps/uphold/", {"uphold-on": "2026-05-13", "uphold-note": "经核实系恶意差评"}
    )
    assert decided.status_code == 302
    assert FollowUp.objects.get(pk=follow.pk).state == FollowUpState.EXCLUDED
    timeline = _html(client_for(d.admin).get(url))
    assert 'data-event="appealed"' in timeline and 'data-event="decided"' in timeline
    assert 'data-step="appeal"' not in timeline


def test_the_unit_admins_home_counts_open_and_overdue_follow_ups(d):
    _bad(d)
    html = _html(client_for(d.admin).get("/"))
    assert "/window/ratings/follow-ups/?state=open" in html
    assert "/window/ratings/follow-ups/?state=overdue" in html
    clerk_home = _html(client_for(d.clerk).get("/"))
    assert "/window/ratings/follow-ups/" not in clerk_home


# ---------------------------------------------------------------------------------------------
# The case page's section
# ---------------------------------------------------------------------------------------------


def test_the_case_page_offers_rating_to_the_clerk_without_ever_showing_the_level(d):
    clerk = client_for(d.clerk)
    page = _html(clerk.get(f"/window/cases/{d.case.pk}/"))
    assert f"/window/cases/{d.case.pk}/rating/" in page
    section = _html(clerk.get(f"/window/cases/{d.case.pk}/rating/"))
    assert f"/window/cases/{d.case.pk}/rate/" in section
    assert f"/window/cases/{d.case.pk}/rate/code/" in section and "2026-06-12" in section
    wf.kiosk_rating(actor=d.clerk, case=d.case, level=1, comment="太慢")
    rated = _html(clerk.get(f"/window/cases/{d.case.pk}/rating/"))
    assert 'data-key="rated"' in rated
    assert not any(text in rated for text in LEVEL_TEXTS) and "太慢" not in rated
    assert f"/window/cases/{d.case.pk}/rate/code/" not in rated
    admin = _html(client_for(d.admin).get(f"/window/cases/{d.case.pk}/rating/"))
    assert "非常不满意" in admin and "太慢" in admin
    assert f"/window/ratings/follow-ups/{d.case.ratings.get().follow_up.pk}/" in admin


# ---------------------------------------------------------------------------------------------
# The question set
# ---------------------------------------------------------------------------------------------


def test_the_committee_publishes_a_new_version_of_the_choices(d):
    client = client_for(d.committee)
    page = client.get("/window/ratings/questions/")
    before = QuestionSet.current()
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["options_1"] = data["options_1"] + "\n推诿扯皮新项"
    data["note"] = "增加一项"
    response = client.post("/window/ratings/questions/", data)
    assert response.status_code == 302
    current = QuestionSet.current()
    assert current.number == before.number + 1 and current.note == "增加一项"
    assert current.options.filter(level=1, text="推诿扯皮新项").exists()
    assert f'data-version="{before.number}"' in _html(client.get("/window/ratings/questions/"))


def test_a_refused_question_set_shows_the_error_next_to_its_level(d):
    client = client_for(d.committee)
    form = client.get("/window/ratings/questions/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["options_3"] = ""
    response = client.post("/window/ratings/questions/", data)
    assert response.status_code == 400
    assert 'id="id_options_3_error"' in _html(response)
    assert QuestionSet.objects.count() == 1


def test_a_clerks_list_and_api_do_not_order_ratings_by_day(d):
    """Within a month a clerk's rows go by level (best first) and matter, not by when they were
    given — a 差评's place in the list must not tell the day; the API takes no `ordering`."""
    from guanqing.conftest import api_as

    early = wf.completed_case(
        actor=d.clerk,
        window=d.window,
        matter=d.matter,
        accepted_on=D(2026, 5, 6),
        completed_on=D(2026, 5, 6),
    )
    with time_machine.travel(datetime.datetime(2026, 5, 6, 10, 0), tick=False):
        wf.kiosk_rating(actor=d.clerk, case=early, level=RatingLevel.VERY_SATISFIED)
    wf.kiosk_rating(actor=d.clerk, case=d.case, level=RatingLevel.DISSATISFIED)

    rows = client_for(d.clerk).get("/window/ratings/").context["ratings"]
    assert [r.level for r in rows] == [RatingLevel.VERY_SATISFIED, RatingLevel.DISSATISFIED]
    admin_rows = client_for(d.admin).get("/window/ratings/").context["ratings"]
    assert [r.rated_on for r in admin_rows] == [D(2026, 5, 13), D(2026, 5, 6)]

    for ordering in ("rated_on", "-rated_on", "id", "-id"):
        answer = api_as(d.clerk).get(f"/api/v1/window/ratings/?ordering={ordering}").json()
        assert [r["level"] for r in answer["results"]] == [5, 2], ordering
