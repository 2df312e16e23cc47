"""Routes of the linked-data export: public RDF documents, and the members' page."""

from django.urls import path

from hub.library.linked import views

app_name = "linked_data"
urlpatterns = [
    # Public: only what the affiliate published (an unknown slug or private id answers 404).
    path("linked-data/<slug:slug>", views.affiliate, name="affiliate"),
    path("linked-data/<slug:slug>.ttl", views.affiliate_turtle, name="affiliate_turtle"),
    path("linked-data/<slug:slug>.jsonld", views.affiliate_jsonld, name="affiliate_jsonld"),
    path(
        "linked-data/partnerships/<int:pk>.ttl",
        views.partnership_turtle,
        name="partnership_turtle",
    ),
    path(
        "linked-data/partnerships/<int:pk>.jsonld",
        views.partnership_jsonld,
        name="partnership_jsonld",
    ),
    # Members of the affiliate.
    path("a/<slug:slug>/linked-data/", views.page, name="page"),
    path(
        "a/<slug:slug>/linked-data/quickstatements.txt",
        views.quickstatements_text,
        name="quickstatements",
    ),
    path("a/<slug:slug>/linked-data/metabase/", views.metabase_diff, name="metabase"),
]
