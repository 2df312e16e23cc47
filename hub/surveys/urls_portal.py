"""Routes of the partner portal: the partner's signed link under /p/, the members' pages."""

from django.urls import path

from hub.surveys.portal import views

_O = "a/<slug:slug>/organisations/<int:pk>/portal/"
urlpatterns = [
    path("p/<token>/", views.portal, name="portal"),
    path("p/<token>/report/", views.portal_report, name="portal_report"),
    path("p/<token>/organisation/", views.portal_organisation, name="portal_organisation"),
    path("p/<token>/contacts/<int:pk>/", views.portal_contact, name="portal_contact"),
    path("p/<token>/documents/<int:pk>/", views.portal_document, name="portal_document"),
    path("p/updates/stop/<token>/", views.updates_opt_out, name="updates_opt_out"),
    path(_O + "new/", views.link_create, name="portal_link_create"),
    path(_O + "revoke/", views.link_revoke, name="portal_link_revoke"),
    path(_O + "updates/", views.updates_set, name="portal_updates_set"),
    path("a/<slug:slug>/portal/changes/", views.change_list, name="change_list"),
    path(
        "a/<slug:slug>/portal/changes/<int:pk>/decide/",
        views.change_decide,
        name="change_decide",
    ),
]
