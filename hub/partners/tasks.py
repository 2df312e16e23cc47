"""Background entry points of the partner directory: thin, idempotent, taking ids."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from hub.core.queue import enqueue_on_commit
from hub.partners.models import WikidataRun
from hub.partners.wikidata import continue_run

# When Wikidata does not answer, the run waits this long before its next try.
RETRY_AFTER = dt.timedelta(minutes=5)


@task()
def match_directory_with_wikidata(run_id: int) -> str:
    """Run or resume a Wikidata look-up over a directory; a finished run is left alone.

    When Wikidata does not answer, the run stays queued and this task is queued again for
    later; it resumes after the run's last saved chunk.
    """
    status = continue_run(run_id=run_id)
    if status == WikidataRun.Status.QUEUED:
        later = timezone.now() + RETRY_AFTER
        enqueue_on_commit(match_directory_with_wikidata.using(run_after=later), run_id)
    return status
