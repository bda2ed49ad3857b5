"""The official calendar pages, mounted at /calendar/ with the namespace "calendar"."""

from django.urls import path

from guanqing.core.calendar import views, views_edit

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views_edit.year_new, name="year_new"),
    path("import/", views_edit.import_notice, name="import"),
    path("import/template.xlsx", views_edit.import_template, name="import_template"),
    path("day/<str:day>/", views_edit.day_edit, name="day"),
    path("<year:year>/", views.year_detail, name="year"),
]
