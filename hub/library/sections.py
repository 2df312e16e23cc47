"""The section the library adds to the partnership page (hub.partnerships.slots)."""

from __future__ import annotations

from hub.core.sections import Section
from hub.library.selectors import case_study_of
from hub.partnerships.models import Partnership


def case_study_section(partnership: Partnership) -> Section:
    """Return the partnership page's case study part: the case study, or how to start one."""
    return Section(
        "library/_section_case_study.html",
        {
            "case_study_partnership": partnership,
            "case_study": case_study_of(partnership),
            "case_study_possible": partnership.visibility == Partnership.Visibility.PUBLISHED,
        },
    )
