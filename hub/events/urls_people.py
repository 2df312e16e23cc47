"""Routes of the events app's people part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
