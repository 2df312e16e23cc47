"""Routes of the events app's out part: the Dashboard import and an event's public page."""

from django.urls import URLPattern, path

from hub.events import views_out

urlpatterns: list[URLPattern] = [
    path(
        "a/<slug:slug>/activities/<int:pk>/event/import/",
        views_out.dashboard_import_page,
        name="out_dashboard_import",
    ),
    path("events/<token>/results/", views_out.public_event, name="out_public_event"),
]
