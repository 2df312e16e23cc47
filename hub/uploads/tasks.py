"""Background entry points of batch uploads: thin, idempotent, taking ids.

The services enqueue them; the modules they call (dryrun, fetching, runner) know nothing of the
queue. A run the wiki asked to wait is queued again for the time it gave.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from hub.core.queue import enqueue_on_commit
from hub.uploads.dryrun import run_check
from hub.uploads.fetching import run_fetch
from hub.uploads.runner import release_on_error, run_batch


@task()
def check_batch(batch_id: int) -> dict[str, Any]:
    """Run a batch's dry run (every row checked, nothing sent)."""
    with release_on_error(batch_id):
        return run_check(batch_id=batch_id)


@task()
def fetch_files(batch_id: int) -> dict[str, Any]:
    """Fetch the files a batch's sheet gives as web addresses."""
    with release_on_error(batch_id):
        return run_fetch(batch_id=batch_id)


@task()
def run_upload(batch_id: int) -> dict[str, Any]:
    """Send (or go on sending) a running batch's rows; come back when the wiki says."""
    with release_on_error(batch_id):
        outcome = run_batch(batch_id=batch_id)
    if "retry_at" in outcome:
        retry_at = dt.datetime.fromisoformat(outcome["retry_at"])
        enqueue_on_commit(run_upload.using(run_after=retry_at), batch_id)
    return outcome
