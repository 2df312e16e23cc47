"""Route the REST API, its documentation page and the account's token pages."""

from django.urls import path

from hub.api import views
from hub.api.api import api

urlpatterns = [
    path("api/v1/docs/", views.docs, name="api_docs"),
    # Unknown addresses under /api/ answer problem JSON (hub.api.middleware).
    path("api/v1/", api.urls),
    path("account/api-tokens/", views.token_list, name="api_tokens"),
    path("account/api-tokens/<int:pk>/revoke/", views.token_revoke, name="api_token_revoke"),
]
