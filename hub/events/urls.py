"""Routes of the events app: participants and sign-up, counting, outputs and public pages."""

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("hub.events.urls_people")),
    path("", include("hub.events.urls_count")),
    path("", include("hub.events.urls_out")),
]
