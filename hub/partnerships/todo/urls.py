"""Routes for tasks, reminders and calendar feeds."""

from django.urls import URLPattern, path

from hub.partnerships.todo import views

urlpatterns: list[URLPattern] = [
    path("a/<slug:slug>/tasks/", views.task_list, name="task_list"),
    path("a/<slug:slug>/tasks/new/", views.task_create, name="task_create"),
    path("a/<slug:slug>/tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("a/<slug:slug>/tasks/<int:pk>/done/", views.task_complete, name="task_complete"),
    path("a/<slug:slug>/tasks/<int:pk>/reopen/", views.task_reopen, name="task_reopen"),
    path("a/<slug:slug>/tasks/<int:pk>/delete/", views.task_delete, name="task_delete"),
    path("a/<slug:slug>/reminders/", views.reminder_list, name="reminder_list"),
    path(
        "a/<slug:slug>/reminders/<int:pk>/dismiss/",
        views.reminder_dismiss,
        name="reminder_dismiss",
    ),
    path("account/calendar/", views.calendar_feeds, name="calendar_feeds"),
    path("account/calendar/new/", views.calendar_feed_create, name="calendar_feed_create"),
    path(
        "account/calendar-feeds/<int:pk>/revoke/",
        views.calendar_feed_revoke,
        name="calendar_feed_revoke",
    ),
    path("calendar/<token>.ics", views.calendar_feed, name="calendar_feed"),
]
