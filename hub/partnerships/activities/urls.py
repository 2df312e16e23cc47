"""Routes for activities, contributions and exchange rates."""

from django.urls import URLPattern, path

from hub.partnerships.activities import views

A = "a/<slug:slug>/"

urlpatterns: list[URLPattern] = [
    path(A + "partnerships/<int:pk>/activities/", views.activity_list, name="activity_list"),
    path(
        A + "partnerships/<int:pk>/activities/new/",
        views.activity_create,
        name="activity_create",
    ),
    path(A + "activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path(A + "activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path(
        A + "partnerships/<int:pk>/contributions/",
        views.contribution_list,
        name="contribution_list",
    ),
    path(
        A + "partnerships/<int:pk>/contributions/new/",
        views.contribution_create,
        name="contribution_create",
    ),
    path(A + "contributions/<int:pk>/edit/", views.contribution_edit, name="contribution_edit"),
    path(
        A + "contributions/<int:pk>/delete/",
        views.contribution_delete,
        name="contribution_delete",
    ),
    path(A + "rates/", views.rates, name="rates"),
    path(A + "rates/currency/", views.reporting_currency, name="reporting_currency"),
    path(A + "rates/<int:pk>/delete/", views.rate_delete, name="rate_delete"),
]
