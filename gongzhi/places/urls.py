from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("map/", views.map_page, name="map"),
    path("areas/", views.area_list, name="area_list"),
    path("areas/<int:pk>/", views.area_detail, name="area_detail"),
]
