from django.urls import path

from . import views

app_name = "duty"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("emergencies/", views.emergencies, name="emergencies"),
    path(
        "emergencies/<int:case_pk>/acknowledge/",
        views.emergency_acknowledge,
        name="emergency_acknowledge",
    ),
    path("log/", views.log_add, name="log_add"),
    path("shifts/<int:pk>/", views.shift, name="shift"),
    path("shifts/<int:pk>/handover/", views.handover, name="handover"),
    path("shifts/<int:pk>/assign/", views.assign, name="assign"),
    path(
        "handovers/<int:pk>/acknowledge/", views.handover_acknowledge, name="handover_acknowledge"
    ),
    path("roster/", views.roster, name="roster"),
    path("roster/generate/", views.roster_generate, name="roster_generate"),
    path("assignments/<int:pk>/unassign/", views.unassign, name="unassign"),
    path("assignments/<int:pk>/swap/", views.swap_request, name="swap_request"),
    path("mine/", views.mine, name="mine"),
    path("swaps/<int:pk>/accept/", views.swap_accept, name="swap_accept"),
    path("swaps/<int:pk>/refuse/", views.swap_refuse, name="swap_refuse"),
    path("swaps/<int:pk>/cancel/", views.swap_cancel, name="swap_cancel"),
]
