"""The section batch uploads add to the partnership page (hub.partnerships.slots)."""

from __future__ import annotations

from hub.core.sections import Section
from hub.partnerships.models import Partnership
from hub.uploads.selectors import batches_for_partnership


def partnership_uploads_section(partnership: Partnership) -> Section:
    """Return the partnership's batch uploads, or what to do to start one."""
    return Section(
        "uploads/_section_uploads.html",
        {
            "upload_partnership": partnership,
            "upload_batches": list(batches_for_partnership(partnership)[:20]),
        },
    )
