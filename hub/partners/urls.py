"""Routes for the partner directory, all under /a/<affiliate>/."""

from django.urls import include, path

from hub.partners import views, views_export, views_wikidata

app_name = "partners"
urlpatterns = [
    path("a/<slug:slug>/", views.my_work, name="my_work"),
    path("a/<slug:slug>/organisations/", views.organisation_list, name="organisation_list"),
    path(
        "a/<slug:slug>/organisations/export/",
        views_export.organisation_export,
        name="organisation_export",
    ),
    path(
        "a/<slug:slug>/organisations/suggest/",
        views.organisation_suggest,
        name="organisation_suggest",
    ),
    path("a/<slug:slug>/organisations/new/", views.organisation_create, name="organisation_create"),
    path(
        "a/<slug:slug>/organisations/<int:pk>/",
        views.organisation_detail,
        name="organisation_detail",
    ),
    path(
        "a/<slug:slug>/organisations/<int:pk>/edit/",
        views.organisation_edit,
        name="organisation_edit",
    ),
    path(
        "a/<slug:slug>/organisations/<int:pk>/archive/",
        views.organisation_archive,
        name="organisation_archive",
    ),
    path(
        "a/<slug:slug>/organisations/<int:pk>/merge/",
        views.organisation_merge,
        name="organisation_merge",
    ),
    path(
        "a/<slug:slug>/organisations/<int:pk>/wikidata/find/",
        views_wikidata.wikidata_find,
        name="wikidata_find",
    ),
    path(
        "a/<slug:slug>/organisations/<int:pk>/wikidata/decide/",
        views_wikidata.wikidata_decide,
        name="wikidata_decide",
    ),
    path("a/<slug:slug>/wikidata/", views_wikidata.wikidata_runs_page, name="wikidata_runs"),
    path(
        "a/<slug:slug>/wikidata/start/",
        views_wikidata.wikidata_run_start,
        name="wikidata_run_start",
    ),
    path(
        "a/<slug:slug>/organisations/<int:pk>/interactions/new/",
        views.interaction_create,
        name="interaction_create",
    ),
    path(
        "a/<slug:slug>/interactions/<int:pk>/edit/", views.interaction_edit, name="interaction_edit"
    ),
    path("a/<slug:slug>/interactions/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("a/<slug:slug>/follow-ups/", views.follow_up_list, name="follow_up_list"),
    path("a/<slug:slug>/contacts/", views.contact_list, name="contact_list"),
    path("a/<slug:slug>/contacts/export/", views_export.contact_export, name="contact_export"),
    path("a/<slug:slug>/contacts/new/", views.contact_create, name="contact_create"),
    path("a/<slug:slug>/contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("a/<slug:slug>/contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("a/<slug:slug>/contacts/<int:pk>/archive/", views.contact_archive, name="contact_archive"),
    path("a/<slug:slug>/contacts/<int:pk>/erase/", views.contact_erase, name="contact_erase"),
    path("a/<slug:slug>/contacts/<int:pk>/data/", views.contact_data, name="contact_data"),
    path("a/<slug:slug>/import/", include("hub.partners.urls_import")),
]
