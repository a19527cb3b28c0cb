from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("login/code/", views.second_factor_view, name="second_factor"),
    path("two-factor/", views.second_factor_settings, name="two_factor"),
]
