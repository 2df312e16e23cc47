"""Read Commons Impact Metrics: monthly figures Wikimedia computes for allow-listed categories.

Endpoints under ``https://wikimedia.org/api/rest_v1/metrics/commons-analytics/``:
``category-metrics-snapshot/{category}/{start}/{end}``,
``pageviews-per-category-monthly/{category}/{scope}/{wiki}/{start}/{end}``,
``edits-per-category-monthly/{category}/{scope}/{edit-type}/{start}/{end}``,
``top-pages-per-category-monthly/{category}/{scope}/{wiki}/{year}/{month}`` and
``top-wikis-per-category-monthly/{category}/{scope}/{year}/{month}``.
Dates are ``YYYYMMDD`` (first of a month); the category is in URL form (underscores).

What a 404 means, from how the pipeline (analytics-refinery ``hql/commons_impact_metrics``)
fills the tables:

- Snapshots exist for every allow-listed category and its subcategories each month once the
  month is published. A snapshot range with no row at all is the only "not covered" answer:
  :class:`NotInCommonsImpactMetrics`. The newest month alone missing means "not published yet".
- Edit and pageview rows exist only where a count is above zero, and the ``deep`` series only
  for primary (allow-listed) categories: a 404 from a series is "no rows", returned as ``[]``.
- A subcategory's ``*-deep`` snapshot figures are 0 (deep figures are summed over the files'
  primary categories only): see :attr:`CategorySnapshot.has_tree_figures`.

Wikis are named ``en.wikipedia`` there; this client returns each wiki by its host name
(``en.wikipedia.org``), as GlobalUsage does, so one wiki has one id.
"Views" here are views of the wiki pages that *use* the category's files, not of the files.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from hub.wikimedia import titles as T
from hub.wikimedia.errors import NotInCommonsImpactMetrics, WikiMalformedResponse
from hub.wikimedia.hosts import Clock, Sleep
from hub.wikimedia.http import (
    BACKGROUND,
    FOREGROUND,
    RequestRecord,
    RequestStats,
    WikiHttp,
)
from hub.wikimedia.pageviews import REST_BASE, project_host

Scope = Literal["shallow", "deep"]
EditType = Literal["all-edit-types", "create", "update"]


@dataclass(frozen=True)
class CategorySnapshot:
    """A category's state at the end of one month; ``*_deep`` include its subcategories."""

    category: str
    month: date
    media_file_count: int
    media_file_count_deep: int
    used_media_file_count: int
    used_media_file_count_deep: int
    leveraging_wiki_count: int
    leveraging_wiki_count_deep: int
    leveraging_page_count: int
    leveraging_page_count_deep: int

    @property
    def has_tree_figures(self) -> bool:
        """Return whether the ``*_deep`` figures are the category tree's totals.

        Only a primary (allow-listed) category gets them; a subcategory's are 0, though its
        own files count in its tree. A category with no files of its own cannot tell.
        """
        return self.media_file_count_deep >= self.media_file_count


@dataclass(frozen=True)
class MonthlyCount:
    """One month's figure (views or edits)."""

    month: date
    count: int


@dataclass(frozen=True)
class TopPage:
    """A wiki page that uses the category's files, ranked by its views in the month."""

    rank: int
    wiki: str  # the page's own wiki, by host name ("en.wikipedia.org")
    title: str
    views: int


@dataclass(frozen=True)
class TopWiki:
    """A wiki whose pages using the category's files were viewed most in the month."""

    rank: int
    wiki: str
    views: int


def _month(value: Any) -> date:
    """Return the first day of the month of an API timestamp (ISO, or YYYYMMDD[HH])."""
    text = str(value or "")
    for parse in (
        lambda t: datetime.fromisoformat(t.replace("Z", "+00:00")).date(),
        lambda t: date(int(t[0:4]), int(t[4:6]), int(t[6:8])),
    ):
        try:
            day = parse(text)
        except ValueError:
            continue
        return day.replace(day=1)
    raise WikiMalformedResponse(f"Unexpected Commons Impact Metrics timestamp {text!r}.")


def _count(item: dict[str, Any], key: str, url: str) -> int:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise WikiMalformedResponse(f"Field {key!r} is missing or not a number.", url=url)
    return value


def _category_segment(category: str) -> str:
    return T.path_segment(T.category_name(category))


class CommonsMetricsClient:
    """A client for the Commons Impact Metrics endpoints; ``base_url`` can be a local stand-in."""

    def __init__(
        self,
        base_url: str = REST_BASE,
        *,
        background: bool = True,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
        on_request: Callable[[RequestRecord], None] | None = None,
        stats: RequestStats | None = None,
        timeout: tuple[float, float] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = WikiHttp(
            self.base_url,
            policy=BACKGROUND if background else FOREGROUND,
            sleep=sleep,
            clock=clock,
            on_request=on_request,
            stats=stats,
            timeout=timeout,
        )

    def _items(self, path: str, category: str, *, rows_only: bool = True) -> list[dict[str, Any]]:
        """Return a reply's items; a 404 is "no rows", or "not covered" for a snapshot."""
        url = f"{self.base_url}/metrics/commons-analytics/{path}"
        data = self.http.get_json(url, not_found_ok=True)
        if data is None and rows_only:
            return []
        if data is None:
            raise NotInCommonsImpactMetrics(
                f"Commons Impact Metrics has no data for Category:{T.category_name(category)} "
                "in that period (it covers allow-listed categories only).",
                url=url,
            )
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise WikiMalformedResponse("The reply has no items list.", url=url)
        return items

    def category_snapshots(self, category: str, start: date, end: date) -> list[CategorySnapshot]:
        """Return the category's monthly snapshots from ``start`` to ``end`` (exclusive).

        Raise :class:`NotInCommonsImpactMetrics` when there is none in the whole range: ask
        for several recent months, since the newest one may not be published yet.
        """
        path = (
            f"category-metrics-snapshot/{_category_segment(category)}/{start:%Y%m%d}/{end:%Y%m%d}"
        )
        url = path
        return [
            CategorySnapshot(
                category=str(item.get("category", T.url_title(T.category_name(category)))),
                month=_month(item.get("timestamp")),
                media_file_count=_count(item, "media-file-count", url),
                media_file_count_deep=_count(item, "media-file-count-deep", url),
                used_media_file_count=_count(item, "used-media-file-count", url),
                used_media_file_count_deep=_count(item, "used-media-file-count-deep", url),
                leveraging_wiki_count=_count(item, "leveraging-wiki-count", url),
                leveraging_wiki_count_deep=_count(item, "leveraging-wiki-count-deep", url),
                leveraging_page_count=_count(item, "leveraging-page-count", url),
                leveraging_page_count_deep=_count(item, "leveraging-page-count-deep", url),
            )
            for item in self._items(path, category, rows_only=False)
        ]

    def pageviews_per_category(
        self,
        category: str,
        start: date,
        end: date,
        *,
        scope: Scope = "deep",
        wiki: str = "all-wikis",
    ) -> list[MonthlyCount]:
        """Return monthly views of the pages using the category's files (months with views)."""
        path = (
            f"pageviews-per-category-monthly/{_category_segment(category)}/{scope}/{wiki}/"
            f"{start:%Y%m%d}/{end:%Y%m%d}"
        )
        return [
            MonthlyCount(month=_month(i.get("timestamp")), count=_count(i, "pageview-count", path))
            for i in self._items(path, category)
        ]

    def edits_per_category(
        self,
        category: str,
        start: date,
        end: date,
        *,
        scope: Scope = "deep",
        edit_type: EditType = "all-edit-types",
    ) -> list[MonthlyCount]:
        """Return monthly edits to the category's files (months with edits; ``create``: uploads)."""
        path = (
            f"edits-per-category-monthly/{_category_segment(category)}/{scope}/{edit_type}/"
            f"{start:%Y%m%d}/{end:%Y%m%d}"
        )
        return [
            MonthlyCount(month=_month(i.get("timestamp")), count=_count(i, "edit-count", path))
            for i in self._items(path, category)
        ]

    def top_pages(
        self,
        category: str,
        year: int,
        month: int,
        *,
        scope: Scope = "deep",
        wiki: str = "all-wikis",
    ) -> list[TopPage]:
        """Return the most viewed pages that use the category's files in a month.

        With ``wiki="all-wikis"`` every row's ``wiki`` is the literal ``all-wikis``; the page's
        own wiki is in ``page-wiki``.
        """
        path = (
            f"top-pages-per-category-monthly/{_category_segment(category)}/{scope}/{wiki}/"
            f"{year:04d}/{month:02d}"
        )
        return [
            TopPage(
                rank=_count(i, "rank", path),
                wiki=project_host(str(i.get("page-wiki") or i.get("wiki") or "")),
                title=str(i.get("page-title", "")).replace("_", " "),
                views=_count(i, "pageview-count", path),
            )
            for i in self._items(path, category)
        ]

    def top_wikis(
        self, category: str, year: int, month: int, *, scope: Scope = "deep"
    ) -> list[TopWiki]:
        """Return the wikis whose pages using the category's files were viewed most."""
        path = (
            f"top-wikis-per-category-monthly/{_category_segment(category)}/{scope}/"
            f"{year:04d}/{month:02d}"
        )
        return [
            TopWiki(
                rank=_count(i, "rank", path),
                wiki=project_host(str(i.get("wiki", ""))),
                views=_count(i, "pageview-count", path),
            )
            for i in self._items(path, category)
        ]
