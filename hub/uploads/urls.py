"""Routes of batch uploads, all under an affiliate."""

from django.urls import path

from hub.uploads import views

app_name = "uploads"

B = "a/<slug:slug>/uploads/<int:pk>/"

urlpatterns = [
    path(
        "a/<slug:slug>/partnerships/<int:pk>/uploads/new/",
        views.batch_create,
        name="batch_create",
    ),
    path(B, views.batch_detail, name="batch_detail"),
    path(B + "progress/", views.batch_progress, name="batch_progress"),
    path(B + "sheet/", views.batch_sheet, name="batch_sheet"),
    path(B + "columns/", views.batch_mapping, name="batch_mapping"),
    path(B + "files/", views.batch_files, name="batch_files"),
    path(B + "fetch/", views.batch_fetch, name="batch_fetch"),
    path(B + "template/", views.batch_template, name="batch_template"),
    path(B + "account/", views.batch_account, name="batch_account"),
    path(B + "check/", views.batch_check, name="batch_check"),
    path(B + "start/", views.batch_start, name="batch_start"),
    path(B + "pause/", views.batch_pause, name="batch_pause"),
    path(B + "resume/", views.batch_resume, name="batch_resume"),
    path(B + "cancel/", views.batch_cancel, name="batch_cancel"),
    path(B + "delete/", views.batch_delete, name="batch_delete"),
    path(B + "rows.csv", views.batch_export, name="batch_export"),
]
