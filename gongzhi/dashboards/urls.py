from django.urls import path

from . import accountability_views, area_views, report_views, views

app_name = "dashboards"
urlpatterns = [
    path("", views.index, name="index"),
    path("cases/", views.cases, name="cases"),
    path("map.json", views.map_figures, name="map_figures"),
    path("area/", area_views.mine, name="area_mine"),
    path("area/<int:pk>/", area_views.area, name="area"),
    path("accountability/", accountability_views.table, name="accountability"),
    path("accountability/cases/", accountability_views.cases, name="accountability_cases"),
    path("accountability/evaluate/", accountability_views.evaluate, name="accountability_evaluate"),
    path("accountability/warnings/", accountability_views.warnings, name="warnings"),
    path(
        "accountability/warnings/<int:pk>/acknowledge/",
        accountability_views.acknowledge,
        name="warning_acknowledge",
    ),
    path("reports/", report_views.reports, name="reports"),
    path("reports/<int:pk>/progress/", report_views.report_progress, name="report_progress"),
    path("reports/<int:pk>/<str:fmt>/", report_views.report_download, name="report_download"),
]
