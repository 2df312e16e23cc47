"""Route URLs to the apps."""

from django.contrib import admin
from django.urls import include, path

from hub.core.accounts import admin_login

urlpatterns = [
    path("", include("hub.core.urls")),
    path("", include("hub.partners.urls")),
    path("", include("hub.partnerships.urls")),
    path("", include("hub.impact.urls")),
    path("", include("hub.uploads.urls")),
    path("", include("hub.library.urls")),
    path("", include("hub.library.documents.urls")),
    path("", include("hub.library.urls_public")),
    path("", include("hub.surveys.urls")),
    path("", include("hub.helpdesk.urls")),
    path("", include("hub.community.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the admin's own routes: its log-in page counts attempts like the site's.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]

handler404 = "hub.core.views.page_not_found"
handler500 = "hub.core.views.server_error"
