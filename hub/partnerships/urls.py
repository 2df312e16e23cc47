"""Routes for the partnerships app."""

from django.urls import URLPattern

app_name = "partnerships"
urlpatterns: list[URLPattern] = []
