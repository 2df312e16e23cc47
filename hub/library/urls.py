"""Routes of the library: hub-wide reading (scoped by who is looking), affiliate-side writing."""

from django.urls import path

from hub.library import views

app_name = "library"
urlpatterns = [
    path("library/", views.library, name="library"),
    path("library/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("library/<int:pk>/file", views.resource_file, name="resource_file"),
    path("library/<int:pk>/preview.png", views.resource_preview, name="resource_preview"),
    path("library/<int:pk>/feature/", views.resource_feature, name="resource_feature"),
    path("a/<slug:slug>/library/new/", views.resource_create, name="resource_create"),
    path("a/<slug:slug>/library/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("a/<slug:slug>/library/<int:pk>/delete/", views.resource_delete, name="resource_delete"),
    path(
        "a/<slug:slug>/partnerships/<int:pk>/case-study/new/",
        views.case_study_create,
        name="case_study_create",
    ),
]
