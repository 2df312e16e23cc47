"""Routes of the events app's count part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
