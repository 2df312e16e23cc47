"""The figures of a count, family by family, from the contributions in scope.

Per wiki: edits, articles created and improved, bytes added, files uploaded, Wikidata items
created and edited; then files in use on other wikis (Commons' global usage), views of the
pages concerned, and new editors with how many still edit 7 and 30 days later, each read
through the count's :class:`~hub.events.ledger.Ledger` so a resumed count asks nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hub.events.ledger import Ledger, Row, chunks
from hub.events.models import Event, EventFigure, Participant
from hub.events.sources import has_pageviews, is_commons, is_wikidata

PAGE_BATCH = 50  # pages per categories request, accounts per users request, files per usage
USER_BATCH = 50  # users per usercontribs request: the API's limit for ordinary clients
VIEWS_BATCH = 20  # pages per ledger step of pageviews (one request each)
VIEWS_BUDGET = 500  # at most this many pages' views per count (one request each)
RETENTION_DAYS = (7, 30)
MAIN_NS = 0
FILE_NS = 6

Metric = EventFigure.Metric


@dataclass
class Figure:
    metric: str
    wiki: str
    value: int
    method: str
    detail: dict[str, Any]


def wiki_figures(wiki: str, rows: list[Row], method_scope: str) -> list[Figure]:
    """Return the figures of one wiki's counted edits."""
    figures: list[Figure] = []

    def add(metric: str, value: int, method: str, detail: dict[str, Any] | None = None) -> None:
        figures.append(Figure(metric, wiki, int(value), f"{method}{method_scope}", detail or {}))

    add(
        Metric.EDITS,
        len(rows),
        _("revisions by the participants (list=usercontribs)"),
        {"namespaces": _namespaces(rows)},
    )
    main = [r for r in rows if r.namespace == MAIN_NS]
    created = {r.page_id for r in main if r.new}
    edited = {r.page_id for r in main}
    if is_wikidata(wiki):
        add(Metric.ITEMS_CREATED, len(created), _("items whose first revision was a participant's"))
        add(
            Metric.ITEMS_EDITED,
            len(edited - created),
            _("other items edited by the participants"),
        )
    elif not is_commons(wiki):
        add(
            Metric.ARTICLES_CREATED,
            len(created),
            _("main-namespace pages whose first revision was a participant's"),
        )
        add(
            Metric.ARTICLES_IMPROVED,
            len(edited - created),
            _("other main-namespace pages edited by the participants"),
        )
        add(
            Metric.BYTES_ADDED,
            sum(r.size_diff for r in main if r.size_diff and r.size_diff > 0),
            _("sum of the growth of main-namespace pages, edit by edit (removals not subtracted)"),
        )
    uploads = [r for r in rows if r.namespace == FILE_NS and r.new]
    if uploads or is_commons(wiki):
        add(
            Metric.FILES_UPLOADED,
            len({r.page_id for r in uploads}),
            _("new file pages created by the participants (file namespace, first revision)"),
        )
    return figures


def _namespaces(rows: Iterable[Row]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[str(r.namespace)] += 1
    return dict(sorted(counts.items()))


def files_in_use(ledger: Ledger, event: Event, rows: list[Row]) -> list[Figure]:
    """Count the uploaded files that other wikis use (Commons' global usage)."""
    figures = []
    for wi, wiki in enumerate(event.wikis):
        if not is_commons(wiki):
            continue
        files = sorted(
            {r.title for r in rows if r.wiki == wiki and r.namespace == FILE_NS and r.new}
        )
        batches = chunks(files, PAGE_BATCH)
        ledger.plan(len(batches))
        used: list[str] = []
        for bi, batch in enumerate(batches):

            def fetch(wiki: str = wiki, batch: list[str] = batch) -> dict[str, Any]:
                return {"used": ledger.source.files_in_use(wiki, batch)}

            used += ledger.step(f"usage:{wi}:{bi:05d}", fetch)["used"]
        figures.append(
            Figure(
                Metric.FILES_IN_USE,
                wiki,
                len(used),
                _("uploaded files used on another wiki now (global usage)"),
                {},
            )
        )
    return figures


def views(
    ledger: Ledger, event: Event, rows: list[Row], today: dt.date
) -> tuple[list[Figure], str | None]:
    """Count the views of the articles and files concerned since the event began."""
    pages: list[tuple[str, str]] = []
    for wiki in event.wikis:
        if not has_pageviews(wiki):
            continue
        latest: dict[int, str] = {}
        for r in sorted(rows, key=lambda r: r.timestamp):
            if r.wiki == wiki and (r.namespace == MAIN_NS or (r.namespace == FILE_NS and r.new)):
                latest[r.page_id] = r.title  # its newest title (a moved page keeps its id)
        pages += sorted((wiki, t) for t in latest.values())
    if not pages:
        return [], None
    first = timezone.localdate(event.starts_at, dt.UTC)
    last = today - dt.timedelta(days=1)
    if last < first:
        return [], _("views: the event began today, there are no views to count yet")
    counted = pages[:VIEWS_BUDGET]
    batches = chunks(counted, VIEWS_BATCH)
    ledger.plan(len(batches))
    per_wiki: dict[str, int] = defaultdict(int)
    for bi, batch in enumerate(batches):

        def fetch(batch: list[tuple[str, str]] = batch) -> dict[str, Any]:
            return {"views": [[w, t, ledger.source.views(w, t, first, last)] for w, t in batch]}

        for wiki, _title, views in ledger.step(f"views:{bi:05d}", fetch)["views"]:
            per_wiki[wiki] += int(views)
    method = _("views by people from %(first)s to %(last)s (Wikimedia pageviews)") % {
        "first": first.isoformat(),
        "last": last.isoformat(),
    }
    note = None
    if len(counted) < len(pages):
        method += " " + _("of %(n)s of %(of)s pages") % {"n": len(counted), "of": len(pages)}
    figures = [
        Figure(Metric.VIEWS, wiki, value, method, {"pages": len(counted)})
        for wiki, value in sorted(per_wiki.items())
    ]
    return figures, note


def registrations(
    ledger: Ledger, event: Event, people: list[Participant]
) -> tuple[dict[str, dt.datetime | None], list[str]]:
    """Return each counted participant's registration time, fetching the unknown ones.

    Asked on the event's first wiki (``list=users&usprop=registration``, 50 a request):
    an account's registration is its own wiki's. Return the times and the names that do
    not exist there.
    """
    known: dict[str, dt.datetime | None] = {p.username: p.registered_at for p in people}
    unknown = sorted(p.username for p in people if p.registered_at is None)
    missing: list[str] = []
    if not unknown or not event.wikis:
        return known, missing
    wiki = event.wikis[0]
    batches = chunks(unknown, PAGE_BATCH)
    ledger.plan(len(batches))
    for bi, batch in enumerate(batches):

        def fetch(batch: list[str] = batch) -> dict[str, Any]:
            return ledger.source.accounts(wiki, batch)

        payload = ledger.step(f"accounts:{bi:05d}", fetch)
        for name, when in payload["registered"].items():
            known[name] = dt.datetime.fromisoformat(when) if when else None
        missing += payload["missing"]
    return known, missing


def new_editors(
    ledger: Ledger,
    event: Event,
    registered: dict[str, dt.datetime | None],
    now: dt.datetime,
) -> tuple[list[Figure], list[str]]:
    """Count the new editors, and how many of them still edit 7 and 30 days later.

    A new editor is a counted participant whose account was registered within the event's
    window (from its start to its end, the grace period not included). A new editor "still
    edits N days later" when they made at least one edit, in any namespace, on any of the
    event's wikis, at or after the event's end plus N days (up to the time of counting). The
    figure for N is counted only once that day has come; before, it is left out and said so.
    Withdrawn participants are not in these figures (they are no longer participants).
    """
    new = sorted(
        name
        for name, when in registered.items()
        if when is not None and event.starts_at <= when <= event.ends_at
    )
    figures = [
        Figure(
            Metric.NEW_EDITORS,
            "",
            len(new),
            _("participants whose account was registered during the event"),
            {},
        )
    ]
    notes: list[str] = []
    metrics = {7: Metric.RETAINED_7, 30: Metric.RETAINED_30}
    for days in RETENTION_DAYS:
        since = event.ends_at + dt.timedelta(days=days)
        if since > now:
            notes.append(
                _("new editors still editing after %(days)s days: not yet known (from %(day)s)")
                % {"days": days, "day": since.date().isoformat()}
            )
            continue
        still: set[str] = set()
        for wi, wiki in enumerate(event.wikis):
            batches = chunks(new, USER_BATCH)
            ledger.plan(len(batches))
            for bi, batch in enumerate(batches):

                def fetch(
                    wiki: str = wiki, batch: list[str] = batch, since: dt.datetime = since
                ) -> dict[str, Any]:
                    return {"editing": ledger.source.first_edit_after(wiki, batch, since, now)}

                still.update(ledger.step(f"retained{days}:{wi}:{bi:05d}", fetch)["editing"])
        figures.append(
            Figure(
                metrics[days],
                "",
                len(still),
                _(
                    "new editors with an edit on the event's wikis %(days)s days or more "
                    "after its end"
                )
                % {"days": days},
                {},
            )
        )
    return figures, notes


def totals(figures: list[Figure]) -> list[Figure]:
    """Add up the per-wiki figures into totals (wiki "")."""
    sums: dict[str, int] = defaultdict(int)
    methods: dict[str, str] = {}
    for f in figures:
        if f.wiki:
            sums[f.metric] += f.value
            methods.setdefault(f.metric, f.method)
    return [
        Figure(metric, "", value, methods[metric], {"by_wiki": True})
        for metric, value in sums.items()
    ]
