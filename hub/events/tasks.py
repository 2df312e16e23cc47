"""Background entry points of the events app: thin, idempotent, taking ids."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from hub.core.queue import enqueue_on_commit
from hub.events.counting import run_count


@task()
def count_event(run_id: int) -> dict[str, Any]:
    """Run or resume one count of an event's outputs; a finished run is left alone.

    When a wiki did not answer, the run is left queued with the time to try again, and this
    task is queued for that time.
    """
    outcome = run_count(run_id=run_id)
    if "retry_at" in outcome:
        retry_at = dt.datetime.fromisoformat(outcome["retry_at"])
        enqueue_on_commit(count_event.using(run_after=retry_at), run_id)
    return outcome
