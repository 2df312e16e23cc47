"""The guide for the people who use the Hub: its pages live in docs/guide/ as translatable
templates, its screenshots in docs/guide/img/ are taken by tests/test_guide_screenshots.py."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

# The guide's chapters, in reading order: address, title, who it is for.
CHAPTERS = {
    "coordinators": (_("For affiliate coordinators"), _("Run your partners and partnerships.")),
    "staff": (
        _("For hub staff and the committee"),
        _("Look after the movement's hub: the helpdesk, the committee, the standards."),
    ),
    "hosting": (_("For someone hosting the Hub"), _("Install, configure, back up and upgrade.")),
}


@require_safe
def guide(request: HttpRequest, chapter: str = "") -> HttpResponse:
    """Show the guide's contents, or one of its chapters; anyone may read it."""
    if not chapter:
        return render(request, "guide/index.html", {"chapters": CHAPTERS})
    if chapter not in CHAPTERS:
        raise Http404
    title, _summary = CHAPTERS[chapter]
    return render(
        request, f"guide/{chapter}.html", {"chapter": chapter, "title": title, "chapters": CHAPTERS}
    )
