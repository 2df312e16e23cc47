"""The partnership page's own reads, kept between visits until something they show changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.utils import timezone, translation

from hub.core import audit
from hub.core.models import Affiliate
from hub.partnerships import selectors
from hub.partnerships.activities import selectors as activity_selectors
from hub.partnerships.todo import selectors as selectors_tasks

# The page's reads (the partnership, its partners, checklist, documents, stages and timeline,
# the activities with their counted outputs, money, tasks and the strategic view) are about 20
# statements, most of the page's time. They are kept in this process's "drawn" cache under a
# key holding the affiliate's newest audit event and the hub's newest hub-wide one
# (audit.affiliate_and_hub_stamp), which every change the page shows records in its own
# transaction: the partnerships' and partners' services, the events' counts (events.counted),
# hub staff's admin edits of people and the strategic definition. The day, the language and the
# time zone are in the key too (overdue tasks, the strategic view's rules, translated labels).
# tests/test_partnership_page_kept.py changes each kind of thing shown and sees the page change.
# The sections other apps add (impact, uploads, library, surveys) are read on every visit. The
# timeout only bounds what a change written straight into the database, outside the Hub, leaves.
PAGE_CACHE_SECONDS = 600


def page_key(affiliate: Affiliate, pk: int, *, timeline_page: int) -> str:
    """Return the key the page's reads are kept under, as of now (one statement)."""
    return ":".join(
        (
            "partnership-page",
            str(affiliate.pk),
            str(pk),
            str(timeline_page),
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            timezone.localdate().isoformat(),
            audit.affiliate_and_hub_stamp(affiliate),
        )
    )


# Draws, from the kept reads alone, the parts of the page that show nothing else (the view's).
Draw = Callable[[dict[str, Any]], dict[str, str]]


def page_context(
    affiliate: Affiliate,
    pk: int,
    *,
    timeline_page: int,
    draw: Draw | None = None,
    variant: str = "",
) -> dict[str, Any]:
    """Return the partnership page's reads: the page, its activities, money, tasks and
    strategic view; kept until the affiliate or the hub records a change (one statement then).

    ``draw``: draws the parts of the page made of these reads only; they are kept with them,
    one drawing per ``variant`` (what the person may do), under ``drawn``.
    """
    key = page_key(affiliate, pk, timeline_page=timeline_page)
    kept: dict[str, Any] | None = caches["drawn"].get(key)
    changed = kept is None
    if kept is None:
        page = selectors.partnership_page(affiliate, pk, timeline_page=timeline_page)
        kept = {"page": page, "drawn": {}}
        kept.update(activity_selectors.section_context(page))
        kept.update(selectors_tasks.section_context(page, kept["activity_outputs"]))
    if draw is not None and variant not in kept["drawn"]:
        kept["drawn"][variant] = draw(kept)
        changed = True
    if changed:
        caches["drawn"].set(key, kept, PAGE_CACHE_SECONDS)
    return kept
