"""Routes for partnerships, their partners, lifecycle, agreement and documents."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
