"""Routes for importing partners from CSV and XLSX files."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
