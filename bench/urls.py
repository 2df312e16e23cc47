"""The bench's URLs: the hub's own, plus the floor page that every page is measured against.

The floor page is what any signed-in page of an affiliate costs at least: the session, the
user, the membership (its one query of its own) and the base layout with the navigation,
drawn with nothing in it. The bench runs with ``ROOT_URLCONF = "bench.urls"``; the hub
itself never routes to it.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from config.urls import handler404, handler500
from config.urls import urlpatterns as hub_urlpatterns
from hub.core.models import Affiliate
from hub.core.permissions import affiliate_view

FLOOR_PATH = "bench-floor/"


@affiliate_view()
def floor(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Render the base layout for a member of the affiliate, with no content."""
    return render(request, "base.html")


urlpatterns = [path(f"a/<slug:slug>/{FLOOR_PATH}", floor), *hub_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
