from django.urls import path

from guanqing.frontline import (
    views_books,
    views_figures,
    views_keys,
    views_outreach,
    views_problems,
    views_public,
)

urlpatterns = [
    # Open311 application keys (the system administrator)
    path("keys/", views_keys.keys, name="open311_keys"),
    path("keys/<id:pk>/revoke/", views_keys.key_revoke, name="open311_key_revoke"),
    # 走访: the visits, the entry form, a visit; the places (走访对象); the figures (走访统计)
    path("outreach/", views_outreach.outreach_list, name="outreach"),
    path("outreach/new/", views_outreach.outreach_new, name="outreach_new"),
    path("outreach/<id:pk>/", views_outreach.outreach_detail, name="outreach_detail"),
    path("places/", views_outreach.place_list, name="places"),
    path("places/search/", views_outreach.place_search, name="place_search"),
    path("figures/", views_figures.figures_page, name="figures"),
    # 难题: the queue, the dispatch desk, the report form, a problem's page, its steps and a new
    # rating code; the committee's catalogue (类别, 派单目录) and settings
    path("problems/", views_problems.problem_list, name="problems"),
    path("problems/desk/", views_problems.dispatch_desk, name="dispatch_desk"),
    path("problems/new/", views_problems.problem_new, name="problem_new"),
    path("problems/<id:pk>/", views_problems.problem_detail, name="problem_detail"),
    path(
        "problems/<id:pk>/steps/<slug:action>/",
        views_problems.problem_step,
        name="problem_step",
    ),
    path("problems/<id:pk>/code/", views_problems.problem_code, name="problem_code"),
    path("categories/", views_problems.categories, name="categories"),
    path("settings/", views_problems.settings_page, name="problem_settings"),
    # the resident's pages (no account): report, status, rating with the one-time code
    path("report/", views_public.report, name="public_report"),
    path("report/status/", views_public.status_entry, name="public_status_entry"),
    path("report/<str:public_id>/", views_public.status, name="public_status"),
    path("rate/", views_public.rate_entry, name="public_rate"),
    path("rate/<str:code>/", views_public.rate, name="public_rate_code"),
    # 金点子, service brands (and the committee's recognised ones), pocket books (口袋书)
    path("practices/", views_books.practice_list, name="practices"),
    path("practices/new/", views_books.practice_edit, name="practice_new"),
    path("practices/<id:pk>/", views_books.practice_detail, name="practice_detail"),
    path("practices/<id:pk>/edit/", views_books.practice_edit, name="practice_edit"),
    path("practices/<id:pk>/submit/", views_books.practice_submit, name="practice_submit"),
    path("practices/<id:pk>/review/", views_books.practice_review, name="practice_review"),
    path("brands/", views_books.brand_list, name="brands"),
    path("brands/new/", views_books.brand_edit, name="brand_new"),
    path("brands/<id:pk>/edit/", views_books.brand_edit, name="brand_edit"),
    path("brands/<id:pk>/logo/", views_books.brand_logo, name="brand_logo"),
    path("brands/<id:pk>/recognise/", views_books.brand_recognise, name="brand_recognise"),
    path("books/", views_books.book_list, name="books"),
    path("books/new/", views_books.book_edit, name="book_new"),
    path("books/<id:pk>/", views_books.book_detail, name="book_detail"),
    path("books/<id:pk>/edit/", views_books.book_edit, name="book_edit"),
    path("books/<id:pk>/build/", views_books.book_build, name="book_build"),
    path("books/<id:pk>/pdf/", views_books.book_pdf, name="book_pdf"),
    path("books/<id:pk>/excel/", views_books.book_excel, name="book_excel"),
]
