"""Routes of the helpdesk: public form and status link, triage, committee, working groups."""

from django.urls import path

from hub.helpdesk import views, views_committee, views_groups

app_name = "helpdesk"
urlpatterns = [
    # Public: anyone may ask; the requester follows by the signed link only.
    path("helpdesk/ask/", views.request_new, name="request_new"),
    path("helpdesk/ask/sent/", views.request_sent, name="request_sent"),
    path("helpdesk/status/<token>/", views.request_status, name="request_status"),
    path("helpdesk/status/<token>/my-data/", views.request_my_data, name="request_my_data"),
    path("helpdesk/status/<token>/privacy/", views.request_privacy, name="request_privacy"),
    path("helpdesk/briefs/", views.brief_list, name="brief_list"),
    path("helpdesk/briefs/<int:pk>/", views.meeting_brief, name="meeting_brief"),
    # Hub staff and the expert committee.
    path("helpdesk/", views.dashboard, name="dashboard"),
    path("helpdesk/requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("helpdesk/requests/<int:pk>/status/", views.request_transition, name="request_transition"),
    path("helpdesk/requests/<int:pk>/messages/", views.request_message, name="request_message"),
    path("helpdesk/requests/<int:pk>/checklist/", views.request_check, name="request_check"),
    path("helpdesk/requests/<int:pk>/triage/", views.request_triage, name="request_triage"),
    path("helpdesk/requests/<int:pk>/erase/", views.request_erase, name="request_erase"),
    path("helpdesk/meetings/", views_committee.meeting_list, name="meeting_list"),
    path("helpdesk/meetings/<int:pk>/", views_committee.meeting_detail, name="meeting_detail"),
    path(
        "helpdesk/meetings/<int:pk>/agenda/", views_committee.meeting_agenda, name="meeting_agenda"
    ),
    path(
        "helpdesk/meetings/<int:pk>/publish/",
        views_committee.meeting_publish,
        name="meeting_publish",
    ),
    path("helpdesk/items/<int:pk>/decide/", views_committee.item_decide, name="item_decide"),
    path("helpdesk/committee/", views_committee.committee, name="committee"),
    path(
        "helpdesk/committee/members/<int:pk>/remove/",
        views_committee.committee_remove,
        name="committee_remove",
    ),
    path("helpdesk/groups/new/", views_groups.group_create, name="group_create"),
    # Working groups: their members (from any affiliate), hub staff and the committee.
    path("groups/", views_groups.group_list, name="group_list"),
    path("groups/<int:pk>/", views_groups.group_detail, name="group_detail"),
    path("groups/<int:pk>/members/", views_groups.group_member_add, name="group_member_add"),
    path("groups/<int:pk>/tasks/", views_groups.group_task_add, name="group_task_add"),
    path("groups/<int:pk>/updates/", views_groups.group_update, name="group_update"),
    path("groups/tasks/<int:pk>/done/", views_groups.task_done, name="task_done"),
    # Everybody's own notifications.
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path(
        "notifications/preferences/",
        views.notification_preferences,
        name="notification_preferences",
    ),
]
