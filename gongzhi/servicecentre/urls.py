from django.urls import path

from . import views

app_name = "servicecentre"
urlpatterns = [
    path("", views.events, name="events"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/register/", views.event_register, name="register"),
    path("events/<int:pk>/check-in/", views.check_in_desk, name="check_in"),
    path("events/<int:pk>/photos/", views.event_photos_add, name="photos_add"),
    path("photos/<int:pk>/<str:size>/", views.event_photo, name="photo"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="cancel"),
    path("registrations/<int:pk>/feedback/", views.registration_feedback, name="feedback"),
    path("my/", views.my_registrations, name="mine"),
    path("menus/", views.menus, name="menus"),
    path("menus/<int:pk>/", views.menu_detail, name="menu"),
    path("menus/<int:pk>/items/", views.menu_add_item, name="menu_add_item"),
    path("menus/<int:pk>/publish/", views.menu_publish, name="menu_publish"),
    path("menus/<int:pk>/order/", views.order_place, name="order_place"),
    path("orders/<int:pk>/clashes/", views.order_clashes, name="order_clashes"),
    path("orders/<int:pk>/<str:action>/", views.order_act, name="order_act"),
    path("volunteers/", views.volunteers, name="volunteers"),
    path("volunteers/join/", views.volunteer_join, name="volunteer_join"),
    path("volunteers/desk/", views.volunteer_desk, name="volunteer_desk"),
    path("volunteers/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("shifts/<int:pk>/sign-up/", views.shift_sign_up, name="shift_sign_up"),
    path("signups/<int:pk>/<str:action>/", views.signup_act, name="signup_act"),
    path("stats/", views.stats, name="stats"),
    path("points/", views.points, name="points"),
]
