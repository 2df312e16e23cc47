"""Routes of the events app's people part."""

from django.urls import URLPattern, path

from hub.events import views

A = "a/<slug:slug>/"
E = A + "events/<int:pk>/"

urlpatterns: list[URLPattern] = [
    path(A + "activities/<int:pk>/event/", views.event_for_activity, name="people_event_new"),
    path(E + "settings/", views.event_edit, name="people_event_edit"),
    path(E + "signup/", views.signup_toggle, name="people_signup_toggle"),
    path(E + "participants/", views.participants, name="people_participants"),
    path(E + "participants/add/", views.participant_add, name="people_participant_add"),
    path(E + "participants/import/", views.participants_import, name="people_import"),
    path(E + "participants/check/", views.participants_check, name="people_check"),
    path(
        E + "participants/<int:participant_pk>/",
        views.participant_change,
        name="people_participant_change",
    ),
    path(
        E + "participants/<int:participant_pk>/remove/",
        views.participant_remove,
        name="people_participant_remove",
    ),
    # Public, through signed links: the sign-up, its thank-you page, the withdrawal.
    path("events/<str:token>/signup/", views.signup_page, name="people_signup"),
    path("events/<str:token>/thanks/", views.signup_thanks, name="people_thanks"),
    path("events/<str:token>/withdraw/", views.withdraw_page, name="people_withdraw"),
]
