from django.urls import path

from . import views

app_name = "worktime"

urlpatterns = [
    path("", views.this_year, name="this_year"),
    path("<int:year>/", views.year_page, name="year"),
    path("<int:year>/notice/", views.notice, name="notice"),
]
