"""The statistics pages (gongzhi.cases.stats_views), included at /stats/ by gongzhi/urls.py."""

from django.urls import path

from . import stats_views

app_name = "cases_stats"
urlpatterns = [
    path("", stats_views.index, name="index"),
    path("export.csv", stats_views.export_csv, name="export"),
]
