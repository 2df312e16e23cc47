"""Routes for partnerships, all under /a/<affiliate>/."""

from hub.partnerships import urls_activities, urls_partnerships, urls_tasks

app_name = "partnerships"
urlpatterns = [
    *urls_partnerships.urlpatterns,
    *urls_activities.urlpatterns,
    *urls_tasks.urlpatterns,
]
