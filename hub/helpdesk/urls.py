"""Routes of the helpdesk: public form and status link, triage, committee, working groups."""

from django.urls import path

from hub.helpdesk import views

app_name = "helpdesk"
urlpatterns = [
    # Public: anyone may ask; the requester follows by the signed link only.
    path("helpdesk/ask/", views.request_new, name="request_new"),
    path("helpdesk/ask/sent/", views.request_sent, name="request_sent"),
    path("helpdesk/status/<token>/", views.request_status, name="request_status"),
    path("helpdesk/briefs/", views.brief_list, name="brief_list"),
    path("helpdesk/briefs/<int:pk>/", views.meeting_brief, name="meeting_brief"),
    # Hub staff and the expert committee.
    path("helpdesk/", views.dashboard, name="dashboard"),
    path("helpdesk/requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("helpdesk/requests/<int:pk>/status/", views.request_transition, name="request_transition"),
    path("helpdesk/requests/<int:pk>/messages/", views.request_message, name="request_message"),
    path("helpdesk/requests/<int:pk>/checklist/", views.request_check, name="request_check"),
    path("helpdesk/requests/<int:pk>/triage/", views.request_triage, name="request_triage"),
    path("helpdesk/meetings/", views.meeting_list, name="meeting_list"),
    path("helpdesk/meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("helpdesk/meetings/<int:pk>/agenda/", views.meeting_agenda, name="meeting_agenda"),
    path("helpdesk/meetings/<int:pk>/publish/", views.meeting_publish, name="meeting_publish"),
    path("helpdesk/items/<int:pk>/decide/", views.item_decide, name="item_decide"),
    path("helpdesk/committee/", views.committee, name="committee"),
    path(
        "helpdesk/committee/members/<int:pk>/remove/",
        views.committee_remove,
        name="committee_remove",
    ),
    path("helpdesk/groups/new/", views.group_create, name="group_create"),
    # Working groups: their members (from any affiliate), hub staff and the committee.
    path("groups/", views.group_list, name="group_list"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/members/", views.group_member_add, name="group_member_add"),
    path("groups/<int:pk>/tasks/", views.group_task_add, name="group_task_add"),
    path("groups/<int:pk>/updates/", views.group_update, name="group_update"),
    path("groups/tasks/<int:pk>/done/", views.task_done, name="task_done"),
    # Everybody's own notifications.
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path(
        "notifications/preferences/",
        views.notification_preferences,
        name="notification_preferences",
    ),
]
