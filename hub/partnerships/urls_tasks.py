"""Routes for tasks, reminders, calendar feeds and the strategic view."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
