"""Reads of batch uploads for pages: a partnership's batches, a batch's progress and rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hub.partnerships.models import Partnership
from hub.uploads.models import UploadBatch, UploadFile, UploadRow

State = UploadRow.State
ON_WIKI = (State.UPLOADED, State.DONE)
ENDED = (State.DONE, State.SKIPPED, State.FAILED)
ON_THE_WAY = (State.VALIDATED, State.SENDING, State.STASHED, State.UPLOADED)
ROW_FILTERS = ("all", "problems", "errors", "failed", "done")
# What the wiki client's waits are for (hub.wikimedia.http on_wait), in a volunteer's words.
WAIT_WORDS = {
    "ratelimited": _("The wiki limits how fast this account may upload."),
    "maxlag": _("The wiki's servers are busy (replication lag)."),
    "retry-after": _("The wiki asked us to come back later."),
    "server-error": _("The wiki answered with an error; we try again."),
}


@dataclass(frozen=True)
class Progress:
    """Where a batch stands: rows per state, pace, time left, what the wiki makes us wait for."""

    counts: dict[str, int]
    total: int
    ended: int
    on_wiki: int
    problems: int
    per_minute: float | None
    seconds_left: int | None
    wait_reason: str
    wait_until: dt.datetime | None

    @property
    def time_left(self) -> str:
        """Return the time left in words ("about 3 minutes"), or "" when unknown."""
        if not self.seconds_left:
            return ""
        if self.seconds_left < 90:
            return ngettext("about %(n)s second", "about %(n)s seconds", self.seconds_left) % {
                "n": self.seconds_left
            }
        if self.seconds_left < 90 * 60:
            minutes = round(self.seconds_left / 60)
            return ngettext("about %(n)s minute", "about %(n)s minutes", minutes) % {"n": minutes}
        hours = round(self.seconds_left / 3600)
        return ngettext("about %(n)s hour", "about %(n)s hours", hours) % {"n": hours}

    @property
    def pace(self) -> str:
        """Return the pace and the time left in words, or "" before the first file ends."""
        if not self.per_minute:
            return ""
        rate = number_format(self.per_minute, use_l10n=True)  # 1.5 in English, 1,5 in French
        words = _("%(rate)s files a minute") % {"rate": rate}
        if self.time_left:
            words = _("%(pace)s, %(left)s left") % {"pace": words, "left": self.time_left}
        return f"{words}."

    @property
    def percent(self) -> int:
        """Return the share of rows that reached an end, in whole per cent."""
        return int(100 * self.ended / self.total) if self.total else 0

    def as_json(self) -> dict[str, Any]:
        """Return the figures for the page's live update."""
        return {
            "counts": self.counts,
            "total": self.total,
            "ended": self.ended,
            "on_wiki": self.on_wiki,
            "percent": self.percent,
            "per_minute": self.per_minute,
            "seconds_left": self.seconds_left,
            "pace": self.pace,
            "wait_reason": self.wait_reason,
            "wait_until": self.wait_until.isoformat() if self.wait_until else None,
        }


def batches_for_partnership(partnership: Partnership) -> QuerySet[UploadBatch]:
    """Return a partnership's batches, newest first, with rows counted on the wiki and in all."""
    return (
        UploadBatch.objects.filter(partnership=partnership)
        .annotate(
            row_count=Count("rows"),
            on_wiki=Count("rows", filter=Q(rows__state__in=ON_WIKI)),
        )
        .only("id", "title", "status", "finished_at", "created_at", "partnership_id")
        .order_by("-id")
    )


def progress(batch: UploadBatch, *, now: dt.datetime | None = None) -> Progress:
    """Return the batch's progress in one query over its rows."""
    rows = UploadRow.objects.filter(batch=batch).values("state").annotate(n=Count("id"))
    counts = {state: 0 for state in State.values}
    for entry in rows:
        counts[entry["state"]] = entry["n"]
    problems = UploadRow.objects.filter(batch=batch).exclude(problems=[]).count()
    total = sum(counts.values())
    ended = sum(counts[s] for s in ENDED)
    per_minute = seconds_left = None
    now = now or timezone.now()
    if batch.started_at and ended:
        end = batch.finished_at or now
        minutes = max((end - batch.started_at).total_seconds() / 60, 1 / 60)
        sent = sum(counts[s] for s in (State.DONE, State.FAILED)) + counts[State.UPLOADED]
        if sent:
            per_minute = round(sent / minutes, 1)
            left = sum(counts[s] for s in ON_THE_WAY)
            seconds_left = int(60 * left / per_minute) if per_minute else None
    return Progress(
        counts=counts,
        total=total,
        ended=ended,
        on_wiki=counts[State.UPLOADED] + counts[State.DONE],
        problems=problems,
        per_minute=per_minute,
        seconds_left=seconds_left,
        wait_reason=str(WAIT_WORDS.get(batch.wait_reason, batch.wait_reason))
        if batch.wait_until and batch.wait_until > now
        else "",
        wait_until=batch.wait_until if batch.wait_until and batch.wait_until > now else None,
    )


def rows_for(batch: UploadBatch, show: str = "all") -> QuerySet[UploadRow]:
    """Return the batch's rows for its table, filtered: all, with problems, failed, done."""
    rows = UploadRow.objects.filter(batch=batch).select_related("file").order_by("number")
    if show == "problems":
        rows = rows.filter(~Q(problems=[]) | Q(state__in=[State.FAILED, State.BLOCKED]))
    elif show == "errors":
        rows = rows.filter(state__in=[State.BLOCKED, State.FAILED])
    elif show == "failed":
        rows = rows.filter(state=State.FAILED)
    elif show == "done":
        rows = rows.filter(state__in=ON_WIKI)
    return rows


def rows_to_fetch(batch: UploadBatch) -> int:
    """Return how many rows name their file by a web address the batch has not fetched."""
    waiting = UploadRow.objects.filter(batch=batch, file__isnull=True).values_list(
        "values", flat=True
    )
    return sum(1 for values in waiting if str(values.get("url", "") or "").strip())


def unnamed_files(batch: UploadBatch) -> QuerySet[UploadFile]:
    """Return the batch's files no row names (they would not be uploaded)."""
    return UploadFile.objects.filter(batch=batch, uploadrow__isnull=True).order_by("name")


def file_summary(batch: UploadBatch) -> dict[str, int]:
    """Return how many files the batch holds, their bytes, and how many failed to fetch."""
    files = UploadFile.objects.filter(batch=batch)
    agg = files.aggregate(n=Count("id"), failed=Count("id", filter=~Q(error="")))
    return {"files": agg["n"], "failed": agg["failed"]}


def export_rows(batch: UploadBatch) -> list[list[Any]]:
    """Return the batch's rows for its CSV: number, title, state, outcome, address, message."""
    return [
        [r.number, r.title, r.get_state_display(), r.outcome, r.file_url, r.message]
        for r in UploadRow.objects.filter(batch=batch).order_by("number")
    ]
