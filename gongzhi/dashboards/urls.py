from django.urls import path

from . import report_views, views

app_name = "dashboards"
urlpatterns = [
    path("", views.index, name="index"),
    path("cases/", views.cases, name="cases"),
    path("map.json", views.map_figures, name="map_figures"),
    path("reports/", report_views.reports, name="reports"),
    path("reports/<int:pk>/progress/", report_views.report_progress, name="report_progress"),
    path("reports/<int:pk>/<str:fmt>/", report_views.report_download, name="report_download"),
]
