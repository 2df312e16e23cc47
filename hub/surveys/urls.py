"""URLs of the surveys app (surveys, answering by signed link, the partner portal)."""

from django.urls import path  # noqa: F401

from hub.surveys.urls_portal import urlpatterns as portal_urlpatterns

app_name = "surveys"
urlpatterns: list = [*portal_urlpatterns]
