from django.urls import path

from guanqing.window import views_catalogue

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
]
