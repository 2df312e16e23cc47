"""Routes for partnerships, their partners, lifecycle, agreement and documents, then each
subject's own; all under the one "partnerships" namespace."""

from django.urls import URLPattern, path

from hub.partnerships import views
from hub.partnerships.activities import urls as activity_urls
from hub.partnerships.reports import urls as report_urls
from hub.partnerships.todo import urls as task_urls

app_name = "partnerships"

urlpatterns: list[URLPattern] = [
    path("a/<slug:slug>/partnerships/", views.partnership_list, name="partnership_list"),
    path("a/<slug:slug>/partnerships/new/", views.partnership_create, name="partnership_create"),
    path(
        "a/<slug:slug>/partnerships/<int:pk>/",
        views.partnership_detail,
        name="partnership_detail",
    ),
    path(
        "a/<slug:slug>/partnerships/<int:pk>/edit/",
        views.partnership_edit,
        name="partnership_edit",
    ),
    path(
        "a/<slug:slug>/partnerships/<int:pk>/partners/",
        views.partnership_partners,
        name="partnership_partners",
    ),
    path(
        "a/<slug:slug>/partnerships/<int:pk>/stage/",
        views.partnership_stage,
        name="partnership_stage",
    ),
    path(
        "a/<slug:slug>/partnerships/<int:pk>/agreement/",
        views.partnership_agreement,
        name="partnership_agreement",
    ),
    path(
        "a/<slug:slug>/partnerships/<int:pk>/documents/",
        views.document_upload,
        name="document_upload",
    ),
    path(
        "a/<slug:slug>/partnerships/<int:pk>/archive/",
        views.partnership_archive,
        name="partnership_archive",
    ),
    path("a/<slug:slug>/documents/<int:pk>/", views.document_download, name="document_download"),
    path(
        "a/<slug:slug>/documents/<int:pk>/delete/",
        views.document_delete,
        name="document_delete",
    ),
    path(
        "a/<slug:slug>/documents/<int:pk>/share/",
        views.document_share,
        name="document_share",
    ),
    path("a/<slug:slug>/main-goals/", views.main_goals, name="main_goals"),
    path(
        "a/<slug:slug>/organisations/<int:pk>/status/follow/",
        views.organisation_status_follow,
        name="organisation_status_follow",
    ),
    path("a/<slug:slug>/main-goals/<int:pk>/", views.main_goal_edit, name="main_goal_edit"),
    *activity_urls.urlpatterns,
    *report_urls.urlpatterns,
    *task_urls.urlpatterns,
]
