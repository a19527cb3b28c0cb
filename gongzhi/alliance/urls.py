from django.urls import URLPattern

app_name = "alliance"
urlpatterns: list[URLPattern] = []
