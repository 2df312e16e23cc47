"""The link the library adds to the partnership page (hub.partnerships.slots.PARTNERSHIP_PAGE)."""

from __future__ import annotations

from hub.core.sections import Section
from hub.partnerships.models import Partnership


def generate_section(partnership: Partnership) -> Section:
    """Return the partnership page's "Generate a document" link."""
    return Section("library/documents/_section_generate.html", {"generate_for": partnership})
