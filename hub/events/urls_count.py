"""Routes of the events app's count part."""

from django.urls import URLPattern, path

from hub.events import views_count

_P = "a/<slug:slug>/events/<int:pk>/count/"

urlpatterns: list[URLPattern] = [
    path(_P, views_count.count_status, name="count_status"),
    path(_P + "start/", views_count.count_start, name="count_start"),
]
