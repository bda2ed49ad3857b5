from django.urls import path

from guanqing.window import (
    views_cases,
    views_catalogue,
    views_figures,
    views_public,
    views_ratings,
    views_zero,
)

urlpatterns = [
    # the catalogue (事项目录) and each matter's 一次告知单
    path("catalogue/", views_catalogue.catalogue, name="catalogue"),
    path("catalogue/export/", views_catalogue.catalogue_export, name="catalogue_export"),
    path("catalogue/import/", views_catalogue.catalogue_import, name="catalogue_import"),
    path("items/new/", views_catalogue.item_create, name="item_create"),
    path("items/<id:pk>/edit/", views_catalogue.item_edit, name="item_edit"),
    path("items/<id:item_pk>/matters/new/", views_catalogue.matter_create, name="matter_create"),
    path("matters/<id:pk>/", views_catalogue.matter_detail, name="matter"),
    path("matters/<id:pk>/pdf/", views_catalogue.matter_pdf, name="matter_pdf"),
    path("matters/<id:pk>/edit/", views_catalogue.matter_edit, name="matter_edit"),
    # windows and their clerks; the committee's settings
    path("windows/", views_catalogue.windows, name="windows"),
    path("windows/new/", views_catalogue.window_create, name="window_create"),
    path("windows/<id:pk>/", views_catalogue.window_edit, name="window_edit"),
    path("settings/", views_catalogue.settings_page, name="settings"),
    # the clerk's queue, the reception form, a case's page and its steps
    path("cases/", views_cases.cases, name="cases"),
    path("cases/new/", views_cases.case_new, name="case_new"),
    path("cases/<id:pk>/", views_cases.case_detail, name="case_detail"),
    path("cases/<id:pk>/steps/<slug:action>/", views_cases.case_step, name="case_step"),
    # the applicant's status page (no account); a case's 受理回执 and 容缺受理通知书
    path("status/", views_public.status, name="status"),
    path("cases/<id:pk>/receipt/", views_public.receipt, name="receipt"),
    path("cases/<id:pk>/receipt/pdf/", views_public.receipt_pdf, name="receipt_pdf"),
    path("cases/<id:pk>/deferral/pdf/", views_public.deferral_pdf, name="deferral_pdf"),
    # the figures (窗口统计) and the boards (a unit's windows; the committee's city board)
    path("figures/", views_figures.figures_page, name="figures"),
    path("board/", views_figures.board_page, name="board"),
    # 六零: the board (windows × months), a window's monthly self-check, the committee's items
    path("zero/", views_zero.zero_board, name="zero_board"),
    path("zero/items/", views_zero.zero_items, name="zero_items"),
    path("zero/items/<id:pk>/", views_zero.zero_item_edit, name="zero_item_edit"),
    path("zero/<id:window_pk>/<str:month>/", views_zero.zero_sheet, name="zero_sheet"),
    # 好差评: the rating screen and the code slip (the clerk), a case's rating section, the
    # applicant's rating page for a code (no account), the ratings, 差评 follow-ups, the choices
    path("cases/<id:pk>/rate/", views_ratings.rate_kiosk, name="rate_kiosk"),
    path("cases/<id:pk>/rate/code/", views_ratings.rate_code_issue, name="rate_code_issue"),
    path("cases/<id:pk>/rating/", views_ratings.case_rating, name="case_rating"),
    path("rate/", views_ratings.rate_entry, name="rate"),
    path("rate/<str:code>/", views_ratings.rate_by_code, name="rate_code"),
    path("ratings/", views_ratings.ratings, name="ratings"),
    path("ratings/follow-ups/", views_ratings.follow_ups, name="follow_ups"),
    path("ratings/follow-ups/<id:pk>/", views_ratings.follow_up, name="follow_up"),
    path(
        "ratings/follow-ups/<id:pk>/steps/<slug:action>/",
        views_ratings.follow_up_step,
        name="follow_up_step",
    ),
    path("ratings/questions/", views_ratings.questions, name="questions"),
]
