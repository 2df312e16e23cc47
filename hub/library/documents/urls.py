"""Routes of generated documents, under the partnership they come from."""

from django.urls import path

from hub.library.documents import views

app_name = "library_documents"
urlpatterns = [
    path(
        "a/<slug:slug>/partnerships/<int:pk>/generate/",
        views.generate,
        name="generate",
    ),
]
