"""The places on the partnerships' pages where apps higher up add sections (hub.core.sections)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Figure:
    """One figure of a partnership's impact, with where it comes from and when it was read."""

    label: str
    value: int
    source: str
    as_of: dt.date | None
    key: str = ""  # files, views, articles, items...: what badges and totals pick by


# Impact figures of partnerships (a case study, the showcase, the badge, generated documents).
# Impact registers a provider in its AppConfig.ready: called with partnerships, it returns
# {partnership id: [Figure, ...]} in a fixed number of queries.
FigureProvider = Callable[[Sequence[Partnership]], dict[int, list[Figure]]]
PARTNERSHIP_FIGURES: Registry[FigureProvider] = Registry("partnerships.figures")
