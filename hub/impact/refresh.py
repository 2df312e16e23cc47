"""Refresh a content link's figures step by step, resumable from the run's ledger.

Each step fetches one piece (a page of category members, 50 files' global usage, 20 pages'
views) outside any transaction, then writes what it counted to the ledger (RefreshStep, unique per
run and key) in one short transaction. A worker killed at any point loses at most the step it
was fetching; the next attempt skips every step in the ledger. The figures are computed only from
the ledger, in the final step, and written over the month's points, so nothing is counted twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.dates import month_start_after
from hub.impact import names
from hub.impact.models import ContentLink, Metric, MetricPoint, RefreshRun, RefreshStep, Source
from hub.impact.sources import (
    ImpactSource,
    SourceError,
    SourceNotFound,
    get_source,
)
from hub.impact.totals import rebuild_totals

logger = logging.getLogger(__name__)

USAGE_BATCH = 50  # titles per globalusage request: the API's limit for ordinary clients
VIEWS_BATCH = 20  # pages per ledger step of pageviews (one request each)
REVISIONS_BATCH = 50  # titles per latest-revision request: the API's limit for ordinary clients
FIRST_EDIT_BATCH = 20  # pages per ledger step of first revisions (one request each)
ENTITY_BATCH = 50  # ids per wbgetentities request
RETRY_BACKOFF_SECONDS = (60, 300, 900, 3600)
TOP_PAGES = 20


def month_start(day: dt.date) -> dt.date:
    """Return the first day of the day's month."""
    return day.replace(day=1)


def views_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """Return the first day of the oldest and of the newest complete month to count views for."""
    last = month_start_after(today, -1)
    return month_start_after(last, -(settings.HUB_IMPACT_HISTORY_MONTHS - 1)), last


class Ledger:
    """The steps of one run done so far, and a way to do the next one exactly once."""

    def __init__(self, run: RefreshRun, source: ImpactSource) -> None:
        self.run = run
        self.source = source
        self.done: dict[str, dict[str, Any]] = dict(
            RefreshStep.objects.filter(run=run).values_list("key", "payload")
        )

    def step(self, key: str, fetch: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Return the step's payload from the ledger, or fetch it and write it down."""
        if key in self.done:
            return self.done[key]
        before = self.source.requests
        payload = fetch()
        made = self.source.requests - before
        with transaction.atomic():
            _, created = RefreshStep.objects.get_or_create(
                run=self.run, key=key, defaults={"payload": payload, "requests": made}
            )
            if created:
                RefreshRun.objects.filter(pk=self.run.pk).update(
                    done_steps=F("done_steps") + 1, requests=F("requests") + made
                )
        self.done[key] = payload
        return payload

    def plan(self, total: int) -> None:
        """Record how many steps the run has, now that it knows."""
        RefreshRun.objects.filter(pk=self.run.pk).update(total_steps=total)

    def requests_so_far(self) -> int:
        """Return the requests the ledger's steps made (deterministic on a resumed run)."""
        return sum(RefreshStep.objects.filter(run=self.run).values_list("requests", flat=True))


def _batches(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _views_steps(
    ledger: Ledger, pages: list[tuple[str, str]], first: dt.date, last: dt.date, prefix: str
) -> tuple[dict[str, int], list[list[Any]]]:
    """Fetch monthly views of the pages in ledger steps; return views per month and per page."""
    months: Counter[str] = Counter()
    per_page: list[list[Any]] = []
    for index, batch in enumerate(_batches(pages, VIEWS_BATCH)):

        def fetch(batch: list[tuple[str, str]] = batch) -> dict[str, Any]:
            total: Counter[str] = Counter()
            rows = []
            for wiki, title in batch:
                try:
                    views = ledger.source.monthly_views(wiki, title, first, last)
                except SourceNotFound:
                    views = {}  # a page with no recorded views yet
                total.update(views)
                rows.append([wiki, title, sum(views.values())])
            return {"months": dict(total), "pages": rows}

        payload = ledger.step(f"{prefix}:{index:05d}", fetch)
        months.update(payload["months"])
        per_page.extend(payload["pages"])
    return dict(months), per_page


def _top(per_page: list[list[Any]]) -> list[list[Any]]:
    return sorted(per_page, key=lambda r: (-r[2], r[0], r[1]))[:TOP_PAGES]


def _commons(link: ContentLink, ledger: Ledger, today: dt.date) -> list[dict[str, Any]]:
    """Count a Commons category or file list: from Commons Impact Metrics, or live."""
    first, last = views_window(today)
    is_commons = names.host_of(link.wiki_url) == names.host_of(settings.HUB_IMPACT_COMMONS_URL)
    if link.kind == ContentLink.Kind.COMMONS_CATEGORY and is_commons:
        listed = settings.HUB_IMPACT_CIM_CATEGORIES
        if not listed or link.target in listed:

            def fetch_cim() -> dict[str, Any]:
                try:
                    cim = ledger.source.cim_category(link.target, first, last)
                except SourceNotFound:
                    return {"covered": False}
                return {"covered": True, **cim.__dict__}

            ledger.plan(2)
            cim = ledger.step("cim", fetch_cim)
            if cim["covered"]:
                return _cim_points(cim)

    def fetch_members() -> dict[str, Any]:
        if link.kind == ContentLink.Kind.COMMONS_FILES:
            return {"shallow": len(link.items), "files": [[t, None] for t in link.items]}
        info = ledger.source.category_info(link.wiki_url, link.target)
        files = ledger.source.category_files(link.wiki_url, link.target, link.depth)
        return {
            "shallow": info.files,
            "files": [[f.title, f.uploaded.isoformat() if f.uploaded else None] for f in files],
        }

    base = 1 if "cim" in ledger.done else 0  # the Commons Impact Metrics step asked first
    members = ledger.step("members", fetch_members)
    files = [title for title, _uploaded in members["files"]]
    file_batches = _batches(files, USAGE_BATCH)
    ledger.plan(base + 1 + len(file_batches) + 2)
    usage: dict[str, list[list[str]]] = {}
    for index, batch in enumerate(file_batches):

        def fetch_usage(batch: list[str] = batch) -> dict[str, Any]:
            found = ledger.source.global_usage(link.wiki_url, batch)
            return {"usage": {f: [[u.wiki, u.title] for u in uses] for f, uses in found.items()}}

        usage.update(ledger.step(f"usage:{index:05d}", fetch_usage)["usage"])

    pages = sorted({(wiki, title) for uses in usage.values() for wiki, title in uses})

    def fetch_plan() -> dict[str, Any]:
        # The budget left after listing and usage decides how many pages' views we count;
        # decided once and kept in the ledger, so a resumed run counts the same pages.
        left = max(0, settings.HUB_IMPACT_LIVE_REQUEST_BUDGET - ledger.requests_so_far())
        return {"pages": [list(p) for p in pages[:left]], "of": len(pages)}

    plan = ledger.step("plan", fetch_plan)
    counted = [(w, t) for w, t in plan["pages"]]
    view_batches = len(_batches(counted, VIEWS_BATCH))
    ledger.plan(base + 1 + len(file_batches) + 1 + view_batches + 1)
    months, per_page = _views_steps(ledger, counted, first, last, "views")

    wikis: Counter[str] = Counter(wiki for wiki, _title in pages)
    uploads: Counter[str] = Counter(
        uploaded[:7] for _title, uploaded in members["files"] if uploaded
    )
    method = _("category members, global usage and pageviews")
    if plan["of"] > len(counted):
        views_method = _("views of %(n)s of %(of)s pages (request budget)") % {
            "n": len(counted),
            "of": plan["of"],
        }
    else:
        views_method = _("views of all %(n)s pages") % {"n": len(counted)}
    points: list[dict[str, Any]] = [
        _snapshot(Metric.FILES, members["shallow"], Source.LIVE, method),
        _snapshot(Metric.FILES_DEEP, len(files), Source.LIVE, method),
        _snapshot(Metric.FILES_IN_USE, sum(1 for u in usage.values() if u), Source.LIVE, method),
        _snapshot(Metric.PAGES_USING, len(pages), Source.LIVE, method),
        _snapshot(
            Metric.WIKIS_USING, len(wikis), Source.LIVE, method, detail={"wikis": dict(wikis)}
        ),
        _snapshot(
            Metric.TOP_PAGES,
            len(counted),
            Source.PAGEVIEWS,
            views_method,
            detail={"pages": _top(per_page)},
        ),
    ]
    points += _monthly(Metric.VIEWS, months, Source.PAGEVIEWS, views_method)
    points += _monthly(
        Metric.UPLOADS, dict(uploads), Source.LIVE, _("month each file joined the category")
    )
    return points


def _cim_points(cim: dict[str, Any]) -> list[dict[str, Any]]:
    """Turn a Commons Impact Metrics answer into points."""
    method = _("Commons Impact Metrics (monthly dataset)")
    if cim.get("as_of"):
        method = _("Commons Impact Metrics (monthly dataset, %(month)s)") % {"month": cim["as_of"]}
    wikis = dict(cim["wikis_using"])
    top = [list(t) for t in cim["top_pages"]]
    return [
        _snapshot(Metric.FILES, cim["files"], Source.CIM, method),
        _snapshot(Metric.FILES_DEEP, cim["files_deep"], Source.CIM, method),
        _snapshot(Metric.FILES_IN_USE, cim["files_in_use"], Source.CIM, method),
        _snapshot(Metric.PAGES_USING, cim["pages_using"], Source.CIM, method),
        _snapshot(
            Metric.WIKIS_USING,
            cim.get("wiki_count") or len(wikis),
            Source.CIM,
            method,
            detail={"wikis": wikis},
        ),
        _snapshot(Metric.TOP_PAGES, len(top), Source.CIM, method, detail={"pages": top}),
        *_monthly(Metric.VIEWS, cim["views"], Source.CIM, method),
        *_monthly(Metric.UPLOADS, cim["uploads"], Source.CIM, method),
    ]


def _wikidata(link: ContentLink, ledger: Ledger, today: dt.date) -> list[dict[str, Any]]:
    """Count a Wikidata collection or item list: items, statements, sitelinks."""
    if link.kind == ContentLink.Kind.WIKIDATA_COLLECTION:
        limit = settings.HUB_IMPACT_LIVE_REQUEST_BUDGET * ENTITY_BATCH
        listed = ledger.step(
            "items", lambda: {"items": ledger.source.collection_items(link.target, limit)}
        )
        items: list[str] = listed["items"]
        items_source, items_method = Source.WIKIDATA_SEARCH, _("search haswbstatement:P195")
    else:
        items = list(link.items)
        items_source, items_method = Source.WIKIDATA_API, _("list of items")
    batches = _batches(items, ENTITY_BATCH)
    ledger.plan(1 + len(batches) + 1)
    statements = sitelinks = existing = 0
    for index, batch in enumerate(batches):

        def fetch(batch: list[str] = batch) -> dict[str, Any]:
            found = ledger.source.entities(batch)
            alive = [e for e in found.values() if e.exists]
            return {
                "items": len(alive),
                "statements": sum(e.statements for e in alive),
                "sitelinks": sum(e.sitelinks for e in alive),
            }

        payload = ledger.step(f"entities:{index:05d}", fetch)
        existing += payload["items"]
        statements += payload["statements"]
        sitelinks += payload["sitelinks"]
    method = _("wbgetentities")
    return [
        _snapshot(Metric.ITEMS, existing, items_source, items_method),
        _snapshot(Metric.STATEMENTS, statements, Source.WIKIDATA_API, method),
        _snapshot(Metric.SITELINKS, sitelinks, Source.WIKIDATA_API, method),
    ]


def window_start(link: ContentLink) -> dt.date:
    """Return the day edits count from: the partnership's start, else the day the link was added."""
    return link.partnership.start_date or timezone.localdate(link.created_at)


def _edits_steps(
    ledger: Ledger, link: ContentLink, titles: list[str]
) -> tuple[int, int, dict[str, Any]]:
    """Count the articles created and improved since the window start, in ledger steps.

    One pass asks every title's latest revision, 50 a request: an article not edited since
    the start was neither created nor improved, and costs nothing more. Only the others need
    their first revision, one request each, as far as the request budget left after the pass
    allows; which ones (and from which day) is decided once and kept in the ledger, so a
    resumed run checks the same articles. Return (created, improved, the plan).
    """
    latest: dict[str, str | None] = {}
    for index, batch in enumerate(_batches(titles, REVISIONS_BATCH)):

        def fetch_latest(batch: list[str] = batch) -> dict[str, Any]:
            found = ledger.source.latest_edits(link.wiki_url, batch)
            rows = []
            for title in batch:
                when = found.get(title)
                rows.append([title, when.isoformat() if when else None])
            return {"latest": rows}

        latest.update(ledger.step(f"revisions:{index:05d}", fetch_latest)["latest"])

    def fetch_plan() -> dict[str, Any]:
        since = window_start(link)
        edited = [t for t in titles if (when := latest[t]) and _utc_date(when) >= since]
        left = max(0, settings.HUB_IMPACT_LIVE_REQUEST_BUDGET - ledger.requests_so_far())
        return {"since": since.isoformat(), "pages": edited[:left], "of": len(edited)}

    plan = ledger.step("edits-plan", fetch_plan)
    since = dt.date.fromisoformat(plan["since"])
    created = improved = 0
    for index, batch in enumerate(_batches(plan["pages"], FIRST_EDIT_BATCH)):

        def fetch_first(batch: list[str] = batch) -> dict[str, Any]:
            rows = []
            for title in batch:
                first = ledger.source.first_edit(link.wiki_url, title)
                rows.append([title, first.isoformat() if first else None])
            return {"first": rows}

        for _title, first in ledger.step(f"first:{index:05d}", fetch_first)["first"]:
            if first is None:
                continue  # deleted since the pass: counted in neither
            if _utc_date(first) >= since:
                created += 1
            else:
                improved += 1
    return created, improved, plan


def _utc_date(timestamp: str) -> dt.date:
    """Return the UTC day of a wiki timestamp (the day a partnership starts is a UTC day)."""
    return dt.datetime.fromisoformat(timestamp).astimezone(dt.UTC).date()


def _articles(link: ContentLink, ledger: Ledger, today: dt.date) -> list[dict[str, Any]]:
    """Count a list of articles on one wiki: created and improved since the start, and views.

    The views of every listed article are counted, as before the edit counts existed; the
    request budget limits the first-revision checks, which are the costly part.
    """
    first, last = views_window(today)
    host = names.host_of(link.wiki_url)
    titles = list(dict.fromkeys(link.items))
    pages = [(host, title) for title in titles]
    revision_steps = len(_batches(titles, REVISIONS_BATCH))
    view_steps = len(_batches(pages, VIEWS_BATCH))
    ledger.plan(revision_steps + 1 + view_steps + 1)
    created, improved, plan = _edits_steps(ledger, link, titles)
    first_steps = len(_batches(plan["pages"], FIRST_EDIT_BATCH))
    ledger.plan(revision_steps + 1 + first_steps + view_steps + 1)
    months, per_page = _views_steps(ledger, pages, first, last, "views")
    method = _("views of %(n)s articles") % {"n": len(pages)}
    since = dt.date.fromisoformat(plan["since"])
    checked = len(plan["pages"])
    if checked < plan["of"]:
        edits_method = _(
            "first %(n)s of %(of)s articles edited since %(date)s checked (request budget)"
        ) % {"n": checked, "of": plan["of"], "date": since.isoformat()}
    else:
        edits_method = _("first and latest revisions of %(n)s articles, since %(date)s") % {
            "n": len(titles),
            "date": since.isoformat(),
        }
    edits_detail = {"since": since.isoformat(), "checked": checked, "edited": plan["of"]}
    return [
        _snapshot(Metric.ARTICLES, len(pages), Source.LIVE, _("list of articles")),
        _snapshot(Metric.ARTICLES_CREATED, created, Source.LIVE, edits_method, edits_detail),
        _snapshot(Metric.ARTICLES_IMPROVED, improved, Source.LIVE, edits_method, edits_detail),
        _snapshot(
            Metric.TOP_PAGES, len(pages), Source.PAGEVIEWS, method, detail={"pages": _top(per_page)}
        ),
        _snapshot(
            Metric.WIKIS_USING, 1, Source.LIVE, _("list of articles"), detail={"wikis": {host: 1}}
        ),
        *_monthly(Metric.VIEWS, months, Source.PAGEVIEWS, method),
    ]


def _snapshot(
    metric: str, value: int, source: str, method: str, detail: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "metric": metric,
        "month": None,
        "value": int(value),
        "source": source,
        "method": method,
        "detail": detail or {},
    }


def _monthly(metric: str, months: dict[str, int], source: str, method: str) -> list[dict[str, Any]]:
    return [
        {
            "metric": metric,
            "month": key,
            "value": int(value),
            "source": source,
            "method": method,
            "detail": {},
        }
        for key, value in sorted(months.items())
    ]


COUNTERS: dict[str, Callable[[ContentLink, Ledger, dt.date], list[dict[str, Any]]]] = {
    ContentLink.Kind.COMMONS_CATEGORY: _commons,
    ContentLink.Kind.COMMONS_FILES: _commons,
    ContentLink.Kind.WIKIDATA_COLLECTION: _wikidata,
    ContentLink.Kind.WIKIDATA_ITEMS: _wikidata,
    ContentLink.Kind.ARTICLES: _articles,
}


def store_points(link: ContentLink, points: list[dict[str, Any]], now: dt.datetime) -> int:
    """Write the points over the months they cover and the link's newest figures.

    Call inside the transaction that records why (a refresh, or demo figures); a snapshot
    (``month`` None) counts for ``now``'s month. Return how many points were written.
    """
    this_month = month_start(now.date())
    rows = []
    for p in points:
        month = dt.date.fromisoformat(p["month"] + "-01") if p["month"] else this_month
        rows.append(
            MetricPoint(
                link=link,
                metric=p["metric"],
                month=month,
                value=p["value"],
                source=p["source"],
                method=p["method"][:200],
                detail=p["detail"],
                fetched_at=now,
            )
        )
    by_metric: dict[str, list[dt.date]] = defaultdict(list)
    for row in rows:
        by_metric[row.metric].append(row.month)
    for metric, months in by_metric.items():
        MetricPoint.objects.filter(link=link, metric=metric, month__in=months).delete()
    MetricPoint.objects.bulk_create(rows)
    latest: dict[str, Any] = {}
    for row in rows:
        entry = latest.get(row.metric)
        if entry is None or row.month.isoformat() >= entry["month"]:
            latest[row.metric] = {
                "value": row.value,
                "month": row.month.isoformat(),
                "source": row.source,
                "method": row.method,
                "fetched_at": now.isoformat(),
                "detail": row.detail,
            }
    link.latest = latest
    link.last_refreshed_at = now
    link.save(update_fields=["latest", "last_refreshed_at"])
    rebuild_totals(link.affiliate_id, link.partnership_id)
    return len(rows)


def _write(run: RefreshRun, points: list[dict[str, Any]], now: dt.datetime) -> None:
    """Write the points over the months they cover, the link's latest figures, and finish."""
    link = run.link
    with transaction.atomic():
        locked = RefreshRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == RefreshRun.Status.DONE:
            return
        written = store_points(link, points, now)
        locked.status = RefreshRun.Status.DONE
        locked.finished_at = now
        locked.error = ""
        locked.done_steps = F("done_steps") + 1
        locked.save(update_fields=["status", "finished_at", "error", "done_steps"])
        audit.record(
            actor=None,
            affiliate=link.affiliate,
            action="impact.refreshed",
            target=link.partnership,
            changes={"content_link": [None, str(link)], "points": [None, written]},
        )


def run_refresh(*, run_id: int, source: ImpactSource | None = None) -> dict[str, Any]:
    """Run (or resume) one refresh; safe to run twice: a finished run is left alone.

    Return what happened: ``done``, ``failed``, ``skipped``, or ``retry_at`` (ISO time) when
    the run should be tried again then.
    """
    with transaction.atomic():
        run = (
            RefreshRun.objects.select_for_update()
            .select_related("link__partnership", "link__affiliate")
            .filter(pk=run_id)
            .first()
        )
        if run is None or run.status in (RefreshRun.Status.DONE, RefreshRun.Status.FAILED):
            return {"skipped": True}
        run.status = RefreshRun.Status.RUNNING
        run.attempts += 1
        run.started_at = run.started_at or timezone.now()
        run.save(update_fields=["status", "attempts", "started_at"])
    source = source or get_source()
    ledger = Ledger(run, source)
    now = timezone.now()
    try:
        points = COUNTERS[run.link.kind](run.link, ledger, now.date())
    except SourceError as exc:
        return _fail_or_retry(run, exc)
    except Exception:
        logger.exception("Refresh run %s stopped on an unexpected error", run_id)
        _finish_failed(run, _("An unexpected error stopped the refresh; it was logged."))
        raise
    _write(run, points, now)
    return {"done": True, "points": len(points)}


def _fail_or_retry(run: RefreshRun, exc: SourceError) -> dict[str, Any]:
    """Put back a run the wiki may answer later, with back-off; fail it otherwise.

    The run waits, queued, until ``retry_at`` (returned): the task that ran it queues the
    next attempt for then (hub.impact.tasks), so this module needs no task.
    """
    if exc.retryable and run.attempts < settings.HUB_TASK_MAX_ATTEMPTS:
        wait = RETRY_BACKOFF_SECONDS[min(run.attempts, len(RETRY_BACKOFF_SECONDS)) - 1]
        retry_at = timezone.now() + dt.timedelta(seconds=wait)
        RefreshRun.objects.filter(pk=run.pk).update(
            status=RefreshRun.Status.QUEUED,
            error=_("Waiting to try again at %(time)s: %(reason)s")
            % {"time": retry_at.strftime("%H:%M UTC"), "reason": exc.message},
        )
        return {"retry_at": retry_at.isoformat()}
    _finish_failed(run, exc.message)
    return {"failed": exc.message}


def _finish_failed(run: RefreshRun, reason: str) -> None:
    """Mark a run failed with the reason a person can read."""
    RefreshRun.objects.filter(pk=run.pk).update(
        status=RefreshRun.Status.FAILED, error=reason[:2000], finished_at=timezone.now()
    )


def fail_stalled_runs(*, older_than: dt.timedelta = dt.timedelta(hours=6)) -> int:
    """Fail runs left running longer than any refresh takes (their task was given up)."""
    cutoff = timezone.now() - older_than
    return RefreshRun.objects.filter(
        status=RefreshRun.Status.RUNNING, started_at__lt=cutoff
    ).update(
        status=RefreshRun.Status.FAILED,
        error=_("The worker running this refresh stopped answering; ask for a new refresh."),
        finished_at=timezone.now(),
    )
