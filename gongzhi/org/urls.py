from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("chart/", views.chart, name="chart"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
]
