from django.urls import path

from . import views, views_public, views_work

app_name = "cases"
urlpatterns = [
    # The grid centre
    path("", views.queue, name="queue"),
    path("new/", views.intake, name="intake"),
    path("new/suggestion/", views.intake_suggestion, name="intake_suggestion"),
    path("bulk-dispatch/", views.bulk_dispatch, name="bulk_dispatch"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("<int:pk>/dispatch-people/", views.dispatch_people, name="dispatch_people"),
    path("<int:pk>/reveal-phone/", views.reveal_phone, name="reveal_phone"),
    path("photos/<int:pk>/<slug:kind>/", views.photo, name="photo"),
    # Departments and inspectors
    path("inbox/", views_work.inbox, name="inbox"),
    path("tasks/", views_work.tasks, name="tasks"),
    path("tasks/report/", views_work.inspector_report, name="inspector_report"),
    # The public: by tracking code only
    path("report/", views_public.report, name="report"),
    path("track/", views_public.track_lookup, name="track_lookup"),
    path("track/<str:code>/", views_public.track, name="track"),
    path("track/<str:code>/rate/", views_public.rate, name="rate"),
    path(
        "track/<str:code>/photos/<int:pk>/<slug:kind>/",
        views_public.public_photo,
        name="public_photo",
    ),
]
