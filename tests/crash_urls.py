"""The Hub's URLs plus one page that fails the way a bug would (tests/crash_settings.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as hub_urlpatterns
from tests.crash_settings import CRASH_MESSAGE


def crash(request: HttpRequest) -> HttpResponse:
    """Raise, as a bug in a view would."""
    raise RuntimeError(CRASH_MESSAGE)


urlpatterns = [path("crash/", crash), *hub_urlpatterns]
