"""Load demo impact figures: content links of demo partnerships with a year of made-up figures.

The records are in hub/demo/data/impact.json; this module adds the links that are missing
through the impact services (``add_demo_link``), which store every figure as "Demo figures",
so the report pages say so and the scheduled refresh never fetches them from the wikis.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from hub.core.dates import month_start_after
from hub.demo.partnerships import first_manager
from hub.demo.records import build, read
from hub.impact import services
from hub.impact.models import Metric
from hub.partnerships.models import Partnership


@dataclass(frozen=True)
class DemoLink:
    affiliate: str
    partnership: str
    kind: str  # a ContentLink.Kind value
    wiki_url: str = ""  # empty: Commons or Wikidata, as for a link added by hand
    target: str = ""  # the category name, without "Category:"
    items: tuple[str, ...] = ()  # article titles or QIDs, as the wiki stores them
    depth: int = 0
    # Metric: twelve monthly snapshots, oldest first; the last is this month's.
    snapshots: dict[str, list[int]] = field(default_factory=dict)
    wikis: dict[str, int] = field(default_factory=dict)  # wiki host: pages using the content
    # Views and uploads of each calendar month, January to December, so a season's peak
    # (International Women's Day, the southern summer) falls in its month whenever the
    # demo is loaded; only the last twelve complete months are stored.
    views_jan_to_dec: tuple[int, ...] = ()
    uploads_jan_to_dec: tuple[int, ...] = ()
    top_pages: tuple[tuple[str, str, int], ...] = ()  # (wiki host, title, views in the year)


DEMO_LINKS: tuple[DemoLink, ...] = tuple(
    build(DemoLink, raw) for raw in read("impact.json")["links"]
)


def measured_at(today: dt.date) -> dt.datetime:
    """Return when the demo figures say they were fetched: the night before the load."""
    return dt.datetime.combine(today - dt.timedelta(days=1), dt.time(3, 0), tzinfo=dt.UTC)


def demo_points(data: DemoLink, today: dt.date) -> list[dict[str, Any]]:
    """Return a refresh's points for the link: a year of snapshots and of monthly counts."""
    this_month = measured_at(today).date().replace(day=1)
    points: list[dict[str, Any]] = []
    for metric, values in data.snapshots.items():
        for back, value in enumerate(reversed(values)):
            month = month_start_after(this_month, -back).isoformat()[:7]
            points.append({"metric": metric, "month": month, "value": value})
    if data.wikis:
        points.append(
            {
                "metric": Metric.WIKIS_USING,
                "month": None,
                "value": len(data.wikis),
                "detail": {"wikis": data.wikis},
            }
        )
    if data.top_pages:
        pages = [list(page) for page in data.top_pages]
        points.append(
            {
                "metric": Metric.TOP_PAGES,
                "month": None,
                "value": len(pages),
                "detail": {"pages": pages},
            }
        )
    last_complete = month_start_after(today.replace(day=1), -1)
    for metric, by_calendar_month in (
        (Metric.VIEWS, data.views_jan_to_dec),
        (Metric.UPLOADS, data.uploads_jan_to_dec),
    ):
        if not by_calendar_month:
            continue
        for back in range(12):
            first_day = month_start_after(last_complete, -back)
            value = by_calendar_month[first_day.month - 1]
            points.append({"metric": metric, "month": first_day.isoformat()[:7], "value": value})
    return points


def load_demo_impact(*, today: dt.date) -> int:
    """Add the demo content links that are missing, with their figures; return how many.

    A link is known by its partnership, kind, target and items; a partnership that is
    missing (the partnerships demo not loaded) is passed over.
    """
    created = 0
    with transaction.atomic():
        for data in DEMO_LINKS:
            partnership = (
                Partnership.objects.filter(
                    affiliate__slug=data.affiliate, affiliate__is_demo=True, title=data.partnership
                )
                .select_related("affiliate")
                .first()
            )
            if partnership is None:
                continue
            known = partnership.content_links.filter(kind=data.kind, target=data.target)
            if any(link.items == list(data.items) for link in known):
                continue
            services.add_demo_link(
                actor=first_manager(partnership.affiliate),
                partnership=partnership,
                kind=data.kind,
                wiki_url=data.wiki_url,
                target=data.target,
                items_text="\n".join(data.items),
                depth=data.depth,
                points=demo_points(data, today),
                now=measured_at(today),
            )
            created += 1
    return created
