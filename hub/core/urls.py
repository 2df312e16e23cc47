"""Routes for accounts, the home page and hub-wide pages."""

from django.contrib.auth import views as auth_views
from django.urls import path

from hub.core import accounts, guide, views, views_personal_data, wikimedia_login

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("guide/", guide.guide, name="guide"),
    path("guide/<slug:chapter>/", guide.guide, name="guide_chapter"),
    path("metrics", views.metrics, name="metrics"),
    path("login/", views.RateLimitedLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", views.account, name="account"),
    path("account/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/changed/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("account/confirm/", accounts.confirm_password, name="confirm_password"),
    path("password-reset/", accounts.RateLimitedPasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("hub/", views.hub_overview, name="hub_overview"),
    path("hub/login-policy/", wikimedia_login.login_policy, name="login_policy"),
    # Data-protection rights: one person's records across the whole Hub (managers only).
    path(
        "a/<slug:slug>/personal-data/",
        views_personal_data.personal_data_search,
        name="personal_data",
    ),
    path(
        "a/<slug:slug>/personal-data/export/",
        views_personal_data.personal_data_export,
        name="personal_data_export",
    ),
    path(
        "a/<slug:slug>/personal-data/report/",
        views_personal_data.personal_data_report,
        name="personal_data_report",
    ),
    path(
        "a/<slug:slug>/personal-data/erase/",
        views_personal_data.personal_data_erase,
        name="personal_data_erase",
    ),
    # The same for the hub-wide records (requests sent to no affiliate): hub staff only.
    path(
        "hub/personal-data/",
        views_personal_data.hub_personal_data_search,
        name="hub_personal_data",
    ),
    path(
        "hub/personal-data/export/",
        views_personal_data.hub_personal_data_export,
        name="hub_personal_data_export",
    ),
    path(
        "hub/personal-data/report/",
        views_personal_data.hub_personal_data_report,
        name="hub_personal_data_report",
    ),
    path(
        "hub/personal-data/erase/",
        views_personal_data.hub_personal_data_erase,
        name="hub_personal_data_erase",
    ),
]
