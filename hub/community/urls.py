"""Routes of the community: for everybody logged in to the Hub, across affiliates."""

from django.urls import path

from hub.community import views

app_name = "community"
urlpatterns = [
    path("community/", views.directory, name="directory"),
    path("community/profile/", views.profile_edit, name="profile_edit"),
    path("community/profiles/<int:pk>/", views.profile_detail, name="profile_detail"),
    path("community/requests/", views.request_board, name="request_board"),
    path("community/requests/<int:pk>/offer/", views.offer_help, name="offer_help"),
    path("community/requests/<int:pk>/helpers/", views.find_helper, name="find_helper"),
    path("community/requests/<int:pk>/helpers/ask/", views.ask_helper, name="ask_helper"),
    path("community/invitations/<int:pk>/", views.invitation, name="invitation"),
]
