"""Routes for activities, contributions, exchange rates and reports."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
