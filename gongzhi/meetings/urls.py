from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.index, name="index"),
    path("councils/<int:pk>/", views.body, name="body"),
    path("councils/<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("councils/<int:pk>/plan/", views.plan, name="plan"),
    path("<int:pk>/", views.meeting, name="meeting"),
    path("<int:pk>/<slug:op>/", views.meeting_post, name="meeting_post"),
    path("papers/<int:pk>/", views.attachment, name="attachment"),
    path("votes/<int:pk>/<slug:op>/", views.vote_post, name="vote_post"),
    path("items/", views.items, name="items"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/act/<slug:action>/", views.item_act, name="item_act"),
    path("topics/", views.topics, name="topics"),
    path("topics/<int:pk>/", views.topic, name="topic"),
    path("topics/<int:pk>/<slug:op>/", views.topic_post, name="topic_post"),
    path("consultation/", views.public, name="public"),
    path("receptions/", views.receptions, name="receptions"),
    path("receptions/<int:pk>/", views.reception, name="reception"),
    path("receptions/opinions/<int:pk>/<slug:op>/", views.opinion_post, name="opinion_post"),
    path("training/", views.training, name="training"),
    path("training/sessions/<int:pk>/", views.training_session, name="training_session"),
]
