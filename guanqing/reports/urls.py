from django.urls import path

from guanqing.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report, name="report"),
    path("publish/", views.publish, name="publish"),
    path("pdf/", views.live_pdf, name="pdf"),
    path("xlsx/", views.live_xlsx, name="xlsx"),
    path("published/", views.published_list, name="published_list"),
    path("published/<int:pk>/", views.published, name="published"),
    path("published/<int:pk>/pdf/", views.published_pdf, name="published_pdf"),
    path("published/<int:pk>/xlsx/", views.published_xlsx, name="published_xlsx"),
]
