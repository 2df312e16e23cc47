"""URLs of the surveys app (surveys, answering by signed link, the partner portal)."""

from django.urls import path  # noqa: F401

app_name = "surveys"
urlpatterns: list = []
