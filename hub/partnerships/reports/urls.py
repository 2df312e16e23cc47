"""Routes for the reports dashboard, its exports, the in-kind summary and the strategic view."""

from django.urls import URLPattern, path

from hub.partnerships.reports import views

A = "a/<slug:slug>/"

urlpatterns: list[URLPattern] = [
    path(A + "reports/", views.dashboard, name="dashboard"),
    path(A + "reports/export/", views.dashboard_export, name="dashboard_export"),
    path(A + "reports/in-kind/", views.in_kind, name="in_kind"),
    path("hub/reports/", views.hub_dashboard, name="hub_reports"),
    path("hub/reports/export/", views.hub_export, name="hub_reports_export"),
    path(A + "strategic/", views.strategic_overview, name="strategic_overview"),
    path("hub/strategic/", views.strategic_definition, name="strategic_definition"),
]
