from django.urls import path

from . import area_views, station_views, views

app_name = "org"
urlpatterns = [
    path("areas/", area_views.area_list, name="area_list"),
    path("areas/<int:pk>/", area_views.area_detail, name="area_detail"),
    path("stations/", station_views.station_list, name="station_list"),
    path("stations/<int:pk>/", station_views.station_detail, name="station_detail"),
    path("chart/", views.chart, name="chart"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
]
