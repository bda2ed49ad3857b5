"""The service window API under /api/v1/window/: ROUTES (prefix, viewset, basename) for the shared
router, urlpatterns for the other endpoints. Included by config/api_urls.py."""

from django.urls import path

from guanqing.window.api import ratings, views, zero

ROUTES = [
    ("window/matters", views.MatterViewSet, "window-matter"),
    ("window/cases", views.CaseViewSet, "window-case"),
    # 好差评: the ratings, a 差评's follow-up
    ("window/ratings", ratings.RatingViewSet, "window-rating"),
    ("window/follow-ups", ratings.FollowUpViewSet, "window-follow-up"),
    # 六零: the committee's items, the monthly checks
    ("window/zero/items", zero.ZeroItemViewSet, "window-zero-item"),
    ("window/zero/checks", zero.ZeroCheckViewSet, "window-zero-check"),
]

urlpatterns: list = [
    path("window/figures/", views.WindowFiguresView.as_view(), name="window-figures"),
    # 好差评: the rating choices, the clerk's codes and kiosk, the applicant's code (no account)
    path(
        "window/question-sets/",
        ratings.QuestionSetPublishView.as_view(),
        name="window-question-sets",
    ),
    path(
        "window/question-sets/current/",
        ratings.CurrentQuestionSetView.as_view(),
        name="window-question-set-current",
    ),
    path(
        "window/cases/<id:pk>/rating-code/",
        ratings.CaseRatingCodeView.as_view(),
        name="window-case-rating-code",
    ),
    path(
        "window/cases/<id:pk>/rating/",
        ratings.CaseKioskRatingView.as_view(),
        name="window-case-rating",
    ),
    path(
        "window/public/rating/",
        ratings.PublicRatingSubmitView.as_view(),
        name="window-public-rating",
    ),
    path(
        "window/public/rating/lookup/",
        ratings.PublicRatingLookupView.as_view(),
        name="window-public-rating-lookup",
    ),
    # 六零: a window's sheet for a month (read; saved whole with PUT)
    path(
        "window/zero/windows/<str:window_pk>/months/<str:month>/",
        zero.ZeroMonthView.as_view(),
        name="window-zero-month",
    ),
]
