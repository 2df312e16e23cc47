"""Count an event's outputs from its participants' own contributions, step by step.

A count (a :class:`CountRun`) reads the wikis in steps, each recorded in the ledger
(:class:`CountStep`, unique per run and key) with what it fetched and how many requests it
cost: one page of contributions of up to 50 users on one wiki (``list=usercontribs``, the users
joined with ``|``, ``uclimit=max``, continuation followed one page a step), 50 pages' category
membership, 50 accounts' registration dates, 50 new editors' later edits, 50 files' global
usage, 20 pages' views. A worker killed at any point loses at most the step it was fetching;
the next attempt replays the ledger and goes on, so it makes no request twice and ends with
the same figures.

Nothing is written outside the ledger until the last step: the edits read (one :class:`Edit`
per event, wiki and revision, so a re-count never duplicates one) and every figure are written
in one transaction, replacing the figures of the count before. A count that fails leaves the
previous figures as they were.

A re-count fetches only what is new: the contributions of participants already counted are
read from the newest edit stored for the wiki (the edges are read again and not stored twice);
participants added since, or switched from not counted to counted, are read from the start of
the window (whoever the last finished count's plan did not read).

The ledger and the rows it reads are in :mod:`hub.events.ledger`; the figures, family by family,
in :mod:`hub.events.count_figures`. This module plans, reads, narrows and writes.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit
from hub.events.count_figures import (
    FILE_NS,
    PAGE_BATCH,
    USER_BATCH,
    Figure,
    files_in_use,
    new_editors,
    registrations,
    totals,
    views,
    wiki_figures,
)
from hub.events.ledger import Ledger, Row, chunks
from hub.events.models import CountRun, CountStep, Edit, Event, EventFigure, Participant
from hub.events.sources import CountError, CountSource, has_pageviews, is_commons

logger = logging.getLogger(__name__)

EDIT_BATCH = 1000  # edits per executemany (bounded memory)
RETRY_BACKOFF_SECONDS = (60, 300, 900, 3600)

Metric = EventFigure.Metric


def window_end(event: Event) -> dt.datetime:
    """Return the end of what counts: the event's end plus its grace days."""
    return event.ends_at + dt.timedelta(days=event.grace_days)


def counted_participants(event: Event) -> list[Participant]:
    """Return the participants whose contributions count (organisers left out if so marked)."""
    return list(event.participants.filter(counted=True).order_by("username"))


# -- the plan ----------------------------------------------------------------------------------


def _plan(event: Event, now: dt.datetime) -> dict[str, Any]:
    """Decide, once per run, what to read: which users on which wiki from when to when."""
    start = event.starts_at
    end = min(window_end(event), now)
    people = counted_participants(event)
    # Read from the newest stored edit: only the people the last finished count read. Someone
    # added since, or switched from not counted to counted, is read from the window's start.
    read_before = _read_by_last_count(event) if event.last_counted_at is not None else set()
    known = {p.username for p in people if p.username in read_before}
    newest = dict(
        Edit.objects.filter(event=event).values_list("wiki").annotate(last=Max("timestamp"))
    )
    reads = []
    for wiki in event.wikis:
        since = max(start, newest[wiki]) if wiki in newest and known else start
        groups = [
            (since, sorted(known)),
            (start, sorted(p.username for p in people if p.username not in known)),
        ]
        if since == start:
            groups = [(start, sorted(p.username for p in people))]
        for begin, users in groups:
            for batch in chunks(users, USER_BATCH):
                reads.append({"wiki": wiki, "since": begin.isoformat(), "users": batch})
    return {
        "now": now.isoformat(),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "reads": reads,
    }


def _read_by_last_count(event: Event) -> set[str]:
    """Return the usernames whose contributions the event's last finished count read."""
    last = (
        CountRun.objects.filter(event=event, status=CountRun.Status.DONE)
        .order_by("-finished_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    plan = (
        CountStep.objects.filter(run_id=last, key="plan").values_list("payload", flat=True).first()
        if last is not None
        else None
    )
    if not isinstance(plan, dict):
        return set()
    return {str(name) for read in plan.get("reads", []) for name in read.get("users", [])}


# -- contributions -----------------------------------------------------------------------------


def _read_contributions(ledger: Ledger, plan: dict[str, Any]) -> list[Row]:
    """Read every planned batch of users, one continuation page a step."""
    end = dt.datetime.fromisoformat(plan["end"])
    rows: list[Row] = []
    for index, read in enumerate(plan["reads"]):
        wiki, users = read["wiki"], read["users"]
        since = dt.datetime.fromisoformat(read["since"])
        cont: dict[str, str] | None = None
        page = 0
        while True:

            def fetch(
                cont: dict[str, str] | None = cont,
                wiki: str = wiki,
                users: list[str] = users,
                since: dt.datetime = since,
            ) -> dict[str, Any]:
                return ledger.source.contributions(wiki, users, since, end, cont)

            if page:
                ledger.plan(1)
            payload = ledger.step(f"contribs:{index:04d}:{page:05d}", fetch)
            rows += [_row(wiki, r) for r in payload["rows"]]
            cont = payload["next"]
            if not cont:
                break
            page += 1
    return rows


def _row(wiki: str, r: list[Any]) -> Row:
    return Row(
        wiki=wiki,
        user=r[0],
        revid=int(r[1]),
        page_id=int(r[2]),
        namespace=int(r[3]),
        title=r[4],
        timestamp=dt.datetime.fromisoformat(r[5]),
        size_diff=r[6],
        new=bool(r[7]),
        comment=r[8],
        tags=tuple(r[9]),
    )


def _stored_rows(event: Event) -> list[Row]:
    """Return the edits stored by earlier counts whose participant still counts (or withdrew)."""
    edits = (
        Edit.objects.filter(event=event)
        .filter(Q(participant__isnull=True) | Q(participant__counted=True))
        .values_list(
            "wiki",
            "participant__username",
            "revid",
            "page_id",
            "namespace",
            "title",
            "timestamp",
            "size_diff",
            "created_page",
            "detail",
        )
    )
    return [
        Row(
            wiki=wiki,
            # No name is kept on an edit: a withdrawn participant's edits stay in the totals only.
            user=user or "",
            revid=revid,
            page_id=page_id,
            namespace=namespace,
            title=title,
            timestamp=timestamp,
            size_diff=size_diff,
            new=created,
            comment=str(detail.get("comment", "")),
            tags=tuple(detail.get("tags", [])),
        )
        for wiki, user, revid, page_id, namespace, title, timestamp, size_diff, created, detail in (
            edits
        )
    ]


# -- narrowing ---------------------------------------------------------------------------------


def _title_key(title: str) -> str:
    """Return a title as compared with the event's list of articles (MediaWiki's rules)."""
    text = unicodedata.normalize("NFC", str(title)).replace("_", " ").strip()
    text = re.sub(r"\s+", " ", text)
    return text[:1].upper() + text[1:]


def _article_keys(event: Event) -> set[tuple[str, str]]:
    """Return the event's articles as (wiki or "", title) pairs; "" matches any wiki."""
    keys: set[tuple[str, str]] = set()
    for item in event.articles or []:
        if isinstance(item, str):
            keys.add(("", _title_key(item)))
        elif isinstance(item, dict) and item.get("title"):
            keys.add((str(item.get("wiki", "")), _title_key(str(item["title"]))))
        elif isinstance(item, list | tuple) and len(item) == 2:
            keys.add((str(item[0]), _title_key(str(item[1]))))
    return keys


def hashtag_in(comment: str, hashtag: str) -> bool:
    """Return whether an edit summary carries the hashtag (``#tag``, any case, whole word)."""
    tag = hashtag.strip().lstrip("#")
    if not tag:
        return True
    return re.search(rf"#{re.escape(tag)}(?![\w-])", comment, flags=re.IGNORECASE) is not None


def _in_scope(
    event: Event, ledger: Ledger, rows: list[Row]
) -> tuple[list[Row], dict[str, str | None]]:
    """Keep the edits the event's narrowing allows; also return how it narrowed, in words."""
    how: dict[str, str | None] = {"hashtag": None, "articles": None, "category": None}
    if event.hashtag:
        rows = [r for r in rows if hashtag_in(r.comment, event.hashtag)]
        how["hashtag"] = "#" + event.hashtag.lstrip("#")
    keys = _article_keys(event)
    if keys:
        # Listed titles are resolved to pages on each wiki, through redirects: a page renamed
        # since it was listed is still found (its contributions carry its new title).
        wanted: set[tuple[str, int]] = set()
        for wi, wiki in enumerate(event.wikis):
            titles = sorted({t for w, t in keys if w in ("", wiki)})
            batches = chunks(titles, PAGE_BATCH)
            ledger.plan(len(batches))
            for bi, batch in enumerate(batches):

                def fetch_ids(wiki: str = wiki, batch: list[str] = batch) -> dict[str, Any]:
                    return {"ids": ledger.source.page_ids(wiki, batch)}

                ids = ledger.step(f"articles:{wi}:{bi:05d}", fetch_ids)["ids"]
                wanted.update((wiki, int(i)) for i in ids)
        rows = [r for r in rows if (r.wiki, r.page_id) in wanted]
        how["articles"] = str(len(keys))
    if event.category:
        inside: set[tuple[str, int]] = set()
        by_wiki: dict[str, list[int]] = defaultdict(list)
        for r in rows:
            by_wiki[r.wiki].append(r.page_id)
        for wi, wiki in enumerate(event.wikis):
            pages = sorted(set(by_wiki.get(wiki, [])))
            batches = chunks(pages, PAGE_BATCH)
            ledger.plan(len(batches))
            for bi, batch in enumerate(batches):

                def fetch(wiki: str = wiki, batch: list[int] = batch) -> dict[str, Any]:
                    return {"in": ledger.source.in_category(wiki, batch, event.category)}

                inside.update(
                    (wiki, p) for p in ledger.step(f"category:{wi}:{bi:05d}", fetch)["in"]
                )
        rows = [r for r in rows if (r.wiki, r.page_id) in inside]
        how["category"] = event.category
    return rows, how


def compute(
    ledger: Ledger, event: Event, plan: dict[str, Any], new_rows: list[Row], now: dt.datetime
) -> tuple[list[Figure], dict[str, Any]]:
    """Compute every figure from the stored edits and those just read (replaying the ledger)."""
    stored = _stored_rows(event)
    seen = {(r.wiki, r.revid) for r in stored}
    start = dt.datetime.fromisoformat(plan["start"])
    end = dt.datetime.fromisoformat(plan["end"])
    counted_users = {p.username for p in counted_participants(event)}
    fresh = [
        r
        for r in new_rows
        if (r.wiki, r.revid) not in seen and start <= r.timestamp <= end and r.user in counted_users
    ]
    fresh = list({(r.wiki, r.revid): r for r in fresh}.values())
    everything = stored + fresh
    rows, how = _in_scope(event, ledger, everything)
    scope = _scope_words(how)
    figures: list[Figure] = []
    for wiki in event.wikis:
        figures += wiki_figures(wiki, [r for r in rows if r.wiki == wiki], scope)
    figures += files_in_use(ledger, event, rows)
    seen_views, views_note = views(ledger, event, rows, timezone.localdate(now, dt.UTC))
    figures += seen_views
    figures = figures + totals(figures)
    people = counted_participants(event)
    registered, missing = registrations(ledger, event, people)
    editors, notes = new_editors(ledger, event, registered, now)
    figures += editors
    figures.append(
        Figure(
            Metric.PARTICIPANTS,
            "",
            len(people),
            _("participants whose contributions count"),
            {"editing": len({r.user for r in rows})},
        )
    )
    not_known = [
        _(
            "references added: not counted, because the wikis' API does not report them for "
            "each edit"
        )
    ]
    if not any(is_commons(w) for w in event.wikis):
        not_known.append(_("files in use on other wikis: only Commons reports global usage"))
    if not any(has_pageviews(w) for w in event.wikis):
        not_known.append(_("views: the pageviews service counts Wikimedia wikis only"))
    if views_note:
        not_known.append(views_note)
    not_known += notes
    # Named as counting nothing: a name with no account on the first wiki whose edits were read
    # on another (an account that never visited the first wiki) is not among them.
    editing = {r.user for r in everything}
    return figures, {
        "fresh": fresh,
        "registered": registered,
        "missing": [name for name in missing if name not in editing],
        "not_known": not_known,
        "planned_at": dt.datetime.fromisoformat(plan["now"]),
    }


def _scope_words(how: dict[str, str | None]) -> str:
    parts = []
    if how["hashtag"]:
        parts.append(_("summary with %(tag)s") % {"tag": how["hashtag"]})
    if how["articles"]:
        parts.append(_("%(n)s listed articles") % {"n": how["articles"]})
    if how["category"]:
        parts.append(_("pages now in %(category)s") % {"category": how["category"]})
    return "; " + ", ".join(parts) if parts else ""


# -- writing -----------------------------------------------------------------------------------


def _write(run: CountRun, figures: list[Figure], extra: dict[str, Any], now: dt.datetime) -> None:
    """Store the new edits and replace the figures, all at once; finish the run."""
    event = run.event
    with transaction.atomic():
        locked = CountRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == CountRun.Status.DONE:
            return
        people = {
            name: (pk, registered)
            for pk, name, registered in event.participants.values_list(
                "pk", "username", "registered_at"
            )
        }
        _insert_edits(event.pk, {name: pk for name, (pk, _when) in people.items()}, extra["fresh"])
        _store_registrations(
            [
                (when, people[name][0])
                for name, when in extra["registered"].items()
                if name in people and people[name][1] is None and when is not None
            ]
        )
        EventFigure.objects.filter(event=event, source=EventFigure.Source.COUNTED).delete()
        EventFigure.objects.bulk_create(
            [
                EventFigure(
                    event=event,
                    metric=f.metric,
                    wiki=f.wiki,
                    value=f.value,
                    source=EventFigure.Source.COUNTED,
                    method=f.method[:300],
                    counted_at=now,
                    detail=_detail(f, extra["not_known"]),
                )
                for f in figures
            ]
        )
        # The time the run planned: participants added after it are read from the start next time.
        Event.objects.filter(pk=event.pk).update(last_counted_at=extra["planned_at"])
        # Recorded as every change to what the Hub shows is, so the pages kept under the
        # affiliate's newest audit event (the partnership page: hub.partnerships.page) show the
        # new figures at once. On the activity, as the count's request is: not on the
        # partnership's timeline.
        audit.record(
            actor=None,
            affiliate=event.affiliate,
            action="events.counted",
            target=event.activity,
            changes={"figures": [None, len(figures)]},
        )
        warnings = []
        if extra["missing"]:
            warnings.append(
                _(
                    "These usernames do not exist on %(wiki)s, so nothing was counted for "
                    "them: %(names)s"
                )
                % {"wiki": event.wikis[0], "names": ", ".join(extra["missing"])}
            )
        locked.status = CountRun.Status.DONE
        locked.finished_at = now
        locked.error = ""
        locked.warnings = warnings
        locked.done_steps = F("done_steps") + 1
        locked.save(update_fields=["status", "finished_at", "error", "warnings", "done_steps"])


EDIT_COLUMNS = (
    "event_id",
    "participant_id",
    "wiki",
    "revid",
    "page_id",
    "namespace",
    "title",
    "timestamp",
    "size_diff",
    "created_page",
    "upload",
    "detail",
)


def _insert_edits(event_id: int, participants: dict[str, int], rows: list[Row]) -> None:
    """Store the edits read, in the caller's transaction; an edit already stored is left alone.

    Thousands of rows: one prepared INSERT run for a thousand rows at a time (``executemany``;
    pipelined on PostgreSQL), the values adapted by the database's own rules (times, JSON),
    rather than a model object per row. Measured faster than multi-row VALUES on both.
    """
    if not rows:
        return
    ops = connection.ops
    table = connection.ops.quote_name(Edit._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in EDIT_COLUMNS)
    # SQLite: INSERT OR IGNORE; PostgreSQL: ON CONFLICT DO NOTHING (the one-edit-per-event key).
    conflict = ops.on_conflict_suffix_sql([], OnConflict.IGNORE, [], [])
    sql = (
        f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {table} ({columns}) "
        f"VALUES ({', '.join(['%s'] * len(EDIT_COLUMNS))}) {conflict}"
    )
    adapt_time = ops.adapt_datetimefield_value
    detail = Edit._meta.get_field("detail")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), EDIT_BATCH):
            cursor.executemany(
                sql,
                [
                    (
                        event_id,
                        participants.get(r.user),
                        r.wiki,
                        r.revid,
                        r.page_id,
                        r.namespace,
                        r.title[:255],
                        adapt_time(r.timestamp),
                        r.size_diff or 0,
                        r.new,
                        r.new and r.namespace == FILE_NS,
                        detail.get_db_prep_save(
                            {"comment": r.comment[:500], "tags": list(r.tags)}, connection
                        ),
                    )
                    for r in rows[start : start + EDIT_BATCH]
                ],
            )


def _store_registrations(updates: list[tuple[dt.datetime, int]]) -> None:
    """Keep the participants' registration times (one statement run for all of them)."""
    if not updates:
        return
    ops = connection.ops
    table = ops.quote_name(Participant._meta.db_table)
    # Names from the model, quoted by the database's own rules; the values are parameters.
    sql = f"UPDATE {table} SET registered_at = %s WHERE id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(ops.adapt_datetimefield_value(w), pk) for w, pk in updates])


def _detail(figure: Figure, not_known: list[str]) -> dict[str, Any]:
    """Return a figure's detail; the total of edits also says what could not be counted."""
    if not figure.wiki and figure.metric == Metric.EDITS:
        return {**figure.detail, "not_known": not_known}
    return figure.detail


def run_count(*, run_id: int, source: CountSource | None = None) -> dict[str, Any]:
    """Run (or resume) one count; safe to run twice: a finished or failed run is left alone.

    Return what happened: ``done``, ``failed``, ``skipped``, or ``retry_at`` (ISO time) when a
    wiki did not answer and the run should be tried again then.
    """
    with transaction.atomic():
        run = CountRun.objects.select_for_update().select_related("event").filter(pk=run_id).first()
        if run is None or run.status in (CountRun.Status.DONE, CountRun.Status.FAILED):
            return {"skipped": True}
        run.status = CountRun.Status.RUNNING
        run.attempts += 1
        run.started_at = run.started_at or timezone.now()
        run.save(update_fields=["status", "attempts", "started_at"])
    event = run.event
    if not event.wikis:
        _finish_failed(run, _("The event tracks no wiki: add one before counting."))
        return {"failed": "no wikis"}
    source = source or CountSource()
    ledger = Ledger(run, source)
    try:
        plan = ledger.step("plan", lambda: _plan(event, timezone.now()))
        now = dt.datetime.fromisoformat(plan["now"])
        ledger.plan(len(plan["reads"]) + 1)
        rows = _read_contributions(ledger, plan)
        figures, extra = compute(ledger, event, plan, rows, now)
    except CountError as exc:
        return _fail_or_retry(run, exc)
    except Exception:
        logger.exception("Count run %s stopped on an unexpected error", run_id)
        _finish_failed(run, _("An unexpected error stopped the count; it was logged."))
        raise
    _write(run, figures, extra, timezone.now())
    return {"done": True, "figures": len(figures)}


def _fail_or_retry(run: CountRun, exc: CountError) -> dict[str, Any]:
    """Put back a run a wiki may answer later, with back-off; fail it otherwise."""
    if exc.retryable and run.attempts < settings.HUB_TASK_MAX_ATTEMPTS:
        wait = RETRY_BACKOFF_SECONDS[min(run.attempts, len(RETRY_BACKOFF_SECONDS)) - 1]
        retry_at = timezone.now() + dt.timedelta(seconds=wait)
        CountRun.objects.filter(pk=run.pk).update(
            status=CountRun.Status.QUEUED,
            error=_("Waiting to try again at %(time)s: %(reason)s")
            % {"time": retry_at.strftime("%H:%M UTC"), "reason": exc.message},
        )
        return {"retry_at": retry_at.isoformat()}
    _finish_failed(run, exc.message)
    return {"failed": exc.message}


def _finish_failed(run: CountRun, reason: str) -> None:
    """Mark a run failed with the reason a person can read; the figures stay as they were."""
    CountRun.objects.filter(pk=run.pk).update(
        status=CountRun.Status.FAILED, error=reason[:2000], finished_at=timezone.now()
    )


def fail_stalled_runs(*, older_than: dt.timedelta = dt.timedelta(hours=6)) -> int:
    """Fail counts left running longer than any count takes (their task was given up)."""
    cutoff = timezone.now() - older_than
    return CountRun.objects.filter(status=CountRun.Status.RUNNING, started_at__lt=cutoff).update(
        status=CountRun.Status.FAILED,
        error=_("The worker running this count stopped answering; ask for a new count."),
        finished_at=timezone.now(),
    )
