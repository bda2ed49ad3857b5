"""The attendance pages of the training rotations (check-in, the organiser's list, make-ups)."""

from django.urls import path

from guanqing.training import views_attendance

urlpatterns = [
    # a member checks itself in with the code shown at the venue
    path("checkin/", views_attendance.checkin, name="checkin"),
    # the committee and a unit: completion by unit and rank
    path("completion/", views_attendance.completion_page, name="completion"),
    # the organiser (committee): a session-day's code and list, downloads, make-ups
    path(
        "<id:pk>/sessions/<int:number>/attendance/",
        views_attendance.session_day,
        name="attendance",
    ),
    path(
        "<id:pk>/sessions/<int:number>/attendance/<int:day>/",
        views_attendance.session_day,
        name="attendance_day",
    ),
    path(
        "<id:pk>/sessions/<int:number>/attendance/<int:day>/sheet/",
        views_attendance.signin_pdf,
        name="signin_pdf",
    ),
    path("<id:pk>/sessions/<int:number>/code/", views_attendance.code_box, name="attendance_code"),
    path("<id:pk>/sessions/<int:number>/roster/", views_attendance.roster_xlsx, name="roster"),
    path("assignments/<id:pk>/makeup/", views_attendance.makeup, name="makeup"),
]
