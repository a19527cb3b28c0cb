from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("chart/", views.chart, name="chart"),
    path("people/", views.people, name="people"),
]
