from django.urls import path

from . import area_views, views

app_name = "places"
urlpatterns = [
    path("map/", views.map_page, name="map"),
    path("map-data.json", views.map_data, name="map_data"),
    path("locate", views.locate, name="locate"),
    path("areas/", area_views.area_list, name="area_list"),
    path("areas/<int:pk>/", area_views.area_detail, name="area_detail"),
]
