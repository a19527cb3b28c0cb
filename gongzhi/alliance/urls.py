from django.urls import path

from . import views

app_name = "alliance"
urlpatterns = [
    path("", views.index, name="index"),
    path("resources/", views.resources, name="resources"),
    path("resources/new/", views.resource_new, name="resource_new"),
    path("resources/<int:pk>/", views.resource, name="resource"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/withdraw/", views.resource_archive, name="resource_archive"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("members/new/", views.member_new, name="member_new"),
    path("members/<int:pk>/leave/", views.member_leave, name="member_leave"),
    path("charter/new/", views.charter_new, name="charter_new"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/<int:pk>/milestones/", views.milestone_new, name="milestone_new"),
    path("needs/", views.needs, name="needs"),
    path("needs/new/", views.need_new, name="need_new"),
    path("needs/raise/", views.need_raise, name="need_raise"),
    path("needs/<int:pk>/", views.need, name="need"),
    path("needs/<int:pk>/match/<int:resource_pk>/", views.need_match, name="need_match"),
    path("projects/", views.projects, name="projects"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("projects/<int:pk>/act/<str:action>/", views.act, name="act"),
    path("projects/<int:pk>/rate/", views.rate, name="rate"),
    path("quarterly/", views.quarterly, name="quarterly"),
    path("dual/", views.dual, name="dual"),
    path("dual/mine/", views.dual_mine, name="dual_mine"),
    path("dual/unit/", views.dual_unit, name="dual_unit"),
    path("dual/<int:pk>/confirm/", views.dual_confirm, name="dual_confirm"),
    path("photos/<int:pk>/<str:size>/", views.photo, name="photo"),
    path("activity-photos/<int:pk>/<str:size>/", views.activity_photo, name="activity_photo"),
    path("public/", views.public, name="public"),
    path("public/<int:pk>/", views.public_project, name="public_project"),
]
