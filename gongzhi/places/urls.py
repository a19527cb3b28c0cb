from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("map/", views.map_page, name="map"),
    path("map-data.json", views.map_data, name="map_data"),
    path("locate", views.locate, name="locate"),
]
