from django.urls import path

from guanqing.wishes import views

urlpatterns = [
    path("", views.wall, name="wall"),
    path("mine/", views.mine, name="mine"),
    path("manage/", views.manage, name="manage"),
    path("new/", views.wish_create, name="create"),
    path("figures/", views.figures_page, name="figures"),
    # the resident's page: no account, the one-time code is the key
    path("confirm/<str:token>/", views.confirm_by_token, name="confirm_by_token"),
    path("confirm/<str:token>/photos/<id:photo_pk>/", views.confirm_photo, name="confirm_photo"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/claim/", views.claim, name="claim"),
    path("<id:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<id:pk>/fulfil/", views.fulfil, name="fulfil"),
    path("<id:pk>/approve/", views.approve, name="approve"),
    path("<id:pk>/reject/", views.reject, name="reject"),
    path("<id:pk>/cancel/", views.cancel, name="cancel"),
    path("<id:pk>/confirm/", views.confirm, name="confirm"),
    path("<id:pk>/code/", views.confirmation_code, name="code"),
    path("<id:pk>/photos/<id:photo_pk>/", views.photo, name="photo"),
]
