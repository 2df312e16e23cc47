"""Routes for importing partners from CSV and XLSX files."""

from django.urls import URLPattern, path

from hub.partners import views_import

urlpatterns: list[URLPattern] = [
    path("", views_import.import_upload, name="import_upload"),
    path("<int:pk>/", views_import.import_preview, name="import_preview"),
    path("<int:pk>/confirm/", views_import.import_confirm, name="import_confirm"),
    path("<int:pk>/discard/", views_import.import_discard, name="import_discard"),
    path("<int:pk>/status/", views_import.import_status, name="import_status"),
    path("<int:pk>/rejected/", views_import.import_rejected, name="import_rejected"),
]
