from django.urls import path

from . import views

app_name = "triage"
urlpatterns = [
    path("", views.imports, name="imports"),
    path("imports/<int:pk>/", views.batch, name="batch"),
    path("imports/<int:pk>/progress/", views.batch_progress, name="batch_progress"),
    path("imports/<int:pk>/report.xlsx", views.batch_report, name="batch_report"),
    path("imports/<int:pk>/commit/", views.batch_commit, name="batch_commit"),
    path("export/cases.xlsx", views.export_cases, name="export_cases"),
    path("export/indicators.xlsx", views.export_indicators, name="export_indicators"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("suggestions/<int:pk>/", views.suggestion_decide, name="suggestion_decide"),
    path("classifier/", views.classifier, name="classifier"),
    path("hot-spots/", views.hot_spots, name="hot_spots"),
]
