from django.urls import path

from guanqing.wishes import views_figures, views_manage, views_member, views_public, views_wall

urlpatterns = [
    path("", views_wall.wall, name="wall"),
    path("mine/", views_member.mine, name="mine"),
    path("manage/", views_manage.manage, name="manage"),
    path("new/", views_manage.wish_create, name="create"),
    path("figures/", views_figures.figures_page, name="figures"),
    # the resident's page: no account, the one-time code is the key
    path("confirm/<str:token>/", views_public.confirm_by_token, name="confirm_by_token"),
    path(
        "confirm/<str:token>/photos/<id:photo_pk>/",
        views_public.confirm_photo,
        name="confirm_photo",
    ),
    path("<id:pk>/", views_wall.detail, name="detail"),
    path("<id:pk>/claim/", views_member.claim, name="claim"),
    path("<id:pk>/withdraw/", views_member.withdraw, name="withdraw"),
    path("<id:pk>/fulfil/", views_member.fulfil, name="fulfil"),
    path("<id:pk>/approve/", views_manage.approve, name="approve"),
    path("<id:pk>/reject/", views_manage.reject, name="reject"),
    path("<id:pk>/cancel/", views_manage.cancel, name="cancel"),
    path("<id:pk>/confirm/", views_manage.confirm, name="confirm"),
    path("<id:pk>/code/", views_manage.confirmation_code, name="code"),
    path("<id:pk>/photos/<id:photo_pk>/", views_wall.photo, name="photo"),
]
