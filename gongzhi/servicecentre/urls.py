from django.urls import URLPattern

app_name = "servicecentre"
urlpatterns: list[URLPattern] = []
