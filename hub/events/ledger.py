"""The ledger of a count and the rows it reads: each step of a count done exactly once.

A :class:`Ledger` replays the steps a count already recorded (:class:`CountStep`, unique per
run and key) and records the next one with what it fetched and how many requests it cost, so a
worker killed at any point loses at most the step it was fetching.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import F

from hub.events.models import CountRun, CountStep
from hub.events.sources import CountSource


class Row(NamedTuple):
    """One contribution read from a wiki (a stored Edit, or a ledger row not yet stored).

    A named tuple: thousands are made per count, and a tuple is made several times faster
    than a frozen dataclass.
    """

    wiki: str
    user: str
    revid: int
    page_id: int
    namespace: int
    title: str
    timestamp: dt.datetime
    size_diff: int | None
    new: bool
    comment: str
    tags: tuple[str, ...]


class Ledger:
    """The steps of one count done so far, and a way to do the next one exactly once."""

    def __init__(self, run: CountRun, source: CountSource) -> None:
        self.run = run
        self.source = source
        self.done: dict[str, dict[str, Any]] = dict(
            CountStep.objects.filter(run=run).values_list("key", "payload")
        )
        self.planned = 0

    def step(self, key: str, fetch: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Return the step's payload from the ledger, or fetch it and write it down."""
        if key in self.done:
            return self.done[key]
        before = self.source.requests
        payload = fetch()
        made = self.source.requests - before
        # One INSERT and one UPDATE: a second worker that wrote the same step first (the
        # unique key) leaves its row and the run's totals as they are.
        try:
            with transaction.atomic():
                CountStep.objects.bulk_create(
                    [CountStep(run=self.run, key=key, payload=payload, requests=made)]
                )
                CountRun.objects.filter(pk=self.run.pk).update(
                    done_steps=F("done_steps") + 1, requests=F("requests") + made
                )
        except IntegrityError:
            payload = CountStep.objects.get(run=self.run, key=key).payload
        self.done[key] = payload
        return payload

    def plan(self, more: int) -> None:
        """Add steps now known to be needed to the run's total (for the progress page)."""
        self.planned += more
        CountRun.objects.filter(pk=self.run.pk).update(total_steps=max(self.planned, 1))


def chunks(items: list[Any], size: int) -> list[list[Any]]:
    """Return the items in lists of at most ``size``, one list a step or a request."""
    return [items[i : i + size] for i in range(0, len(items), size)]
