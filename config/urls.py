"""Route URLs to the apps."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

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
    path("", include("hub.library.linked.urls")),
    path("", include("hub.surveys.urls")),
    path("", include("hub.events.urls")),
    path("", include("hub.helpdesk.urls")),
    path("", include("hub.community.urls")),
    path("", include("hub.api.urls")),
    path("", include("hub.api.reconciliation.urls")),
    # Log in with Wikimedia (allauth): the provider's log-in and callback, allauth's social pages
    # (sign-up, errors, linked accounts), and allauth's names for our own account pages.
    path("accounts/", include("allauth.socialaccount.providers.mediawiki.urls")),
    path("accounts/social/", include("allauth.socialaccount.urls")),
    path("accounts/login/", RedirectView.as_view(pattern_name="login"), name="account_login"),
    path(
        "accounts/password/",
        RedirectView.as_view(pattern_name="password_change"),
        name="account_change_password",
    ),
    path(
        "accounts/reauthenticate/",
        RedirectView.as_view(pattern_name="confirm_password", query_string=True),
        name="account_reauthenticate",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the admin's own routes: its log-in page counts attempts like the site's.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]

handler404 = "hub.core.views.page_not_found"
handler500 = "hub.core.views.server_error"
