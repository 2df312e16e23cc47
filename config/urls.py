"""Route URLs to the apps."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("hub.core.urls")),
    path("", include("hub.partners.urls")),
    path("", include("hub.partnerships.urls")),
    path("", include("hub.impact.urls")),
    path("", include("hub.helpdesk.urls")),
    path("", include("hub.community.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler404 = "hub.core.views.page_not_found"
handler500 = "hub.core.views.server_error"
