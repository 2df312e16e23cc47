"""Background entry points of the impact app: thin, idempotent, taking ids.

They import the services that do the work; the services never import them back, except
``services.request_refresh``, which enqueues ``refresh_link`` (this module imports no
service module that imports it: ``refresh`` knows nothing of the queue).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from hub.core.queue import enqueue_on_commit
from hub.impact.refresh import run_refresh


@task()
def refresh_link(run_id: int) -> dict[str, Any]:
    """Run or resume one refresh of a content link's figures; a finished run is left alone.

    When the wiki asked us to wait, the run is left queued with the time to try again, and
    this task is queued for that time.
    """
    outcome = run_refresh(run_id=run_id)
    if "retry_at" in outcome:
        retry_at = dt.datetime.fromisoformat(outcome["retry_at"])
        enqueue_on_commit(refresh_link.using(run_after=retry_at), run_id)
    return outcome
