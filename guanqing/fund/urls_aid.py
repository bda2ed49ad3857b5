"""Pages of the fund: aid (included by guanqing/fund/urls.py)."""

from django.urls import path

from guanqing.fund import views_aid

urlpatterns: list = [
    path("aid/", views_aid.application_list, name="aid_applications"),
    path("aid/new/", views_aid.application_new, name="aid_new"),
    path("aid/<id:pk>/", views_aid.application_detail, name="aid_detail"),
    path("aid/<id:pk>/edit/", views_aid.application_edit, name="aid_edit"),
    path("aid/<id:pk>/documents/", views_aid.application_documents, name="aid_documents_add"),
    path(
        "aid/<id:pk>/documents/<id:document_pk>/",
        views_aid.application_document,
        name="aid_document",
    ),
    path("aid/<id:pk>/<slug:action>/", views_aid.application_step, name="aid_step"),
    path("aid/rules/", views_aid.aid_rules, name="aid_rules"),
    path("aid/publicity/", views_aid.publicity, name="aid_publicity"),
    path("aid/publicity/pdf/", views_aid.publicity_pdf, name="aid_publicity_pdf"),
]
