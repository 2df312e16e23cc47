"""Routes of the events app's out part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
