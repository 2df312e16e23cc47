"""Read per-article pageviews from the Wikimedia REST API (``metrics/pageviews/per-article``)."""

from __future__ import annotations

import calendar
import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from hub.wikimedia import titles as T
from hub.wikimedia.errors import WikiMalformedResponse
from hub.wikimedia.hosts import Clock, Sleep
from hub.wikimedia.http import (
    BACKGROUND,
    FOREGROUND,
    RequestRecord,
    RequestStats,
    WikiHttp,
)

REST_BASE = "https://wikimedia.org/api/rest_v1"
Granularity = Literal["daily", "monthly"]
Access = Literal["all-access", "desktop", "mobile-app", "mobile-web"]
Agent = Literal["all-agents", "user", "spider", "automated"]


@dataclass(frozen=True)
class ViewCount:
    """Views in one day or month (``day`` is the first day of the month for monthly data)."""

    day: date
    views: int


@dataclass(frozen=True)
class ArticlePageviews:
    """An article's views over a period; ``found`` is False when the API has no data for it.

    The API answers 404 both for an article nobody viewed and for one that does not exist, so
    "no data" is a result with zero views, not an error.
    """

    project: str
    article: str
    granularity: str
    access: str
    agent: str
    counts: tuple[ViewCount, ...]
    found: bool = True

    @property
    def total(self) -> int:
        """Return the sum of views over the period."""
        return sum(c.views for c in self.counts)


def project_name(project: str) -> str:
    """Return a project as the API names it: ``"en.wikipedia.org"`` → ``"en.wikipedia"``."""
    project = project.strip().lower()
    for prefix in ("https://", "http://"):
        project = project.removeprefix(prefix)
    project = project.split("/", 1)[0]
    return project.removesuffix(".org")


def project_host(project: str) -> str:
    """Return a wiki's one id, its host name: ``"en.wikipedia"`` → ``"en.wikipedia.org"``.

    GlobalUsage names a wiki by its host (``en.wikipedia.org``); the pageviews API and Commons
    Impact Metrics drop the ``.org`` (the metrics take the domain name less its last four
    characters). Every Wikimedia domain ends in ``.org``, so adding it back is exact.
    """
    project = project.strip().lower()
    for prefix in ("https://", "http://"):
        project = project.removeprefix(prefix)
    project = project.split("/", 1)[0]
    if not project or project.endswith(".org") or "." not in project:
        return project
    return f"{project}.org"


def month_end(day: date) -> date:
    """Return the last day of the day's month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _day(timestamp: Any) -> date:
    text = str(timestamp)
    try:
        return date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError as exc:
        raise WikiMalformedResponse(f"Unexpected pageviews timestamp {text!r}.") from exc


class PageviewsClient:
    """A client for per-article pageviews; ``base_url`` can point at a local stand-in."""

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

    def article_url(
        self,
        project: str,
        article: str,
        start: date,
        end: date,
        *,
        granularity: Granularity = "monthly",
        access: Access = "all-access",
        agent: Agent = "user",
    ) -> str:
        """Return the request address; the title is normalised and encoded as one segment.

        The service counts monthly data in whole months only: an end that is not the last day
        of its month is cut back to the end of the month before (so the end month would be
        lost, and a one-month range refused with 400 "no full months found"). Monthly ranges
        therefore end on the last day of the end's month. The first letter is upper-cased only
        on wikis that do so (not on Wiktionaries).
        """
        title = T.path_segment(
            T.normalize_title(article, capitalize=T.capitalizes_first_letter(project))
        )
        if granularity == "monthly":
            start, end = start.replace(day=1), month_end(end)
        return (
            f"{self.base_url}/metrics/pageviews/per-article/{project_name(project)}/{access}/"
            f"{agent}/{title}/{granularity}/{start:%Y%m%d}00/{end:%Y%m%d}00"
        )

    def per_article(
        self,
        project: str,
        article: str,
        start: date,
        end: date,
        *,
        granularity: Granularity = "monthly",
        access: Access = "all-access",
        agent: Agent = "user",
    ) -> ArticlePageviews:
        """Return an article's views from ``start`` to ``end`` (both included).

        ``agent="user"`` counts people, not crawlers. Monthly data covers whole months: pass
        any day of the first month and any day of the last; both months are counted.
        """
        url = self.article_url(
            project, article, start, end, granularity=granularity, access=access, agent=agent
        )
        data = self.http.get_json(url, not_found_ok=True)
        result = ArticlePageviews(
            project=project_name(project),
            article=T.normalize_title(article, capitalize=T.capitalizes_first_letter(project)),
            granularity=granularity,
            access=access,
            agent=agent,
            counts=(),
            found=data is not None,
        )
        if data is None:
            return result
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise WikiMalformedResponse("The pageviews reply has no items list.", url=url)
        counts = []
        for item in items:
            views = item.get("views") if isinstance(item, dict) else None
            if not isinstance(views, int):
                raise WikiMalformedResponse("A pageviews item has no view count.", url=url)
            counts.append(ViewCount(day=_day(item.get("timestamp")), views=views))
        return dataclasses.replace(result, counts=tuple(counts))
