"""The section the surveys app adds to the partnership page (hub.partnerships.slots)."""

from __future__ import annotations

from hub.core.sections import Section
from hub.partnerships.models import Partnership
from hub.surveys import selectors


def partnership_surveys_section(partnership: Partnership) -> Section:
    """Return the partnership page's survey figures: who answered, and satisfaction (two
    queries, one when nobody was invited; the surveys page has the rest)."""
    return Section(
        "surveys/_section_surveys.html",
        {
            "surveys_results": selectors.partnership_summary(partnership),
            "surveys_partnership": partnership,
        },
    )
