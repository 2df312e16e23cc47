"""The places on the partnerships' pages where apps higher up add sections (hub.core.sections)."""

from __future__ import annotations

from hub.core.sections import Slot
from hub.partnerships.models import Partnership

# The partnership page, read with the partnership shown.
PARTNERSHIP_PAGE: Slot[[Partnership]] = Slot("partnerships.partnership_page")
