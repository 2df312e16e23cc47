"""Routes of the reconciliation service (secret address) and of the page that makes its keys."""

from django.urls import path

from hub.api.reconciliation import views

app_name = "reconciliation"
urlpatterns = [
    path("a/<slug:slug>/reconciliation/", views.keys, name="keys"),
    path("a/<slug:slug>/reconciliation/new/", views.key_create, name="key_create"),
    path(
        "a/<slug:slug>/reconciliation-keys/<int:pk>/revoke/",
        views.key_revoke,
        name="key_revoke",
    ),
    path("reconcile/<token>/", views.service, name="service"),
    path("reconcile/<token>/preview/", views.preview, name="preview"),
    path("reconcile/<token>/suggest/entity/", views.suggest_entity, name="suggest_entity"),
]
