"""The places on the partnerships' pages where apps higher up add sections (hub.core.sections)."""

from __future__ import annotations

from collections.abc import Callable

from hub.core.registry import Registry
from hub.core.sections import Slot
from hub.partnerships.models import Partnership

# The partnership page, read with the partnership shown.
PARTNERSHIP_PAGE: Slot[[Partnership]] = Slot("partnerships.partnership_page")

# Content a partnership put on a wiki (a finished batch upload: its tracking category and its
# files). Impact registers the receiver that links it to the partnership's impact figures, so an
# app beside impact (uploads) reports the content without importing impact.
# Called as receiver(partnership=, actor=, wiki_url=, category=, files=) inside the caller's
# transaction.
ContentReceiver = Callable[..., None]
CONTENT_PUBLISHED: Registry[ContentReceiver] = Registry("partnerships.content_published")
