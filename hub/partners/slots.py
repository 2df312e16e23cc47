"""The places on the partners' pages where apps higher up add sections (hub.core.sections)."""

from __future__ import annotations

import datetime as dt

from hub.core.models import Affiliate, User
from hub.core.sections import Slot
from hub.partners.models import Organisation

# The organisation page, read with the affiliate and the organisation shown.
ORGANISATION_PAGE: Slot[[Affiliate, Organisation]] = Slot("partners.organisation_page")
# My work, read with the affiliate, the person and today's date.
MY_WORK: Slot[[Affiliate, User, dt.date]] = Slot("partners.my_work")
