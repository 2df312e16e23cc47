"""Routes for the helpdesk app."""

from django.urls import URLPattern

app_name = "helpdesk"
urlpatterns: list[URLPattern] = []
