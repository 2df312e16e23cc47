"""Public routes of the showcase: no log-in, only what affiliates published."""

from django.urls import path

from hub.library import views_public

app_name = "showcase"
urlpatterns = [
    path("showcase/", views_public.showcase_page, name="showcase"),
    path("showcase/p/<int:pk>/", views_public.partnership_page, name="partnership"),
    path("showcase/p/<int:pk>/badge.svg", views_public.badge, name="badge"),
    path("showcase/case-studies.atom", views_public.CaseStudyFeed(), name="feed"),
]
