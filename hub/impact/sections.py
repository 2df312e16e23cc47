"""The section the impact app adds to the partnership page (hub.partnerships.slots)."""

from __future__ import annotations

from hub.core.sections import Section
from hub.impact.selectors import section_context
from hub.partnerships.models import Partnership


def partnership_impact_section(partnership: Partnership) -> Section:
    """Return the partnership page's impact figures: links, files in use, views, articles."""
    return Section("impact/_section_impact.html", section_context(partnership))
