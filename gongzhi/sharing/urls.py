from django.urls import path

from . import views

app_name = "sharing"
urlpatterns = [
    path("", views.index, name="index"),
    path("gate/", views.gate, name="gate"),
    path("resources/new/", views.resource_edit, name="resource_new"),
    path("resources/<int:pk>/", views.resource, name="resource"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/apply/", views.apply, name="apply"),
    path("resources/<int:pk>/book/", views.book, name="book"),
    path("resources/<int:pk>/windows/", views.window_add, name="window_add"),
    path("resources/<int:pk>/exceptions/", views.exception_add, name="exception_add"),
    path("resources/<int:pk>/draw/", views.draw_new, name="draw_new"),
    path("windows/<int:pk>/archive/", views.window_archive, name="window_archive"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path("applications/<int:pk>/phone/", views.application_phone, name="application_phone"),
    path("proofs/<int:pk>/", views.proof, name="proof"),
    path("draws/<int:pk>/", views.draw, name="draw"),
    path("permits/<int:pk>/", views.permit, name="permit"),
    path("permits/<int:pk>/<slug:action>/", views.permit_act, name="permit_act"),
    path("violations/<int:pk>/<slug:action>/", views.violation_act, name="violation_act"),
    path("bookings/<int:pk>/<slug:action>/", views.booking_act, name="booking_act"),
]
