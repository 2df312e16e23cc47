"""Background entry points of the partner directory: thin, idempotent, taking ids."""

from __future__ import annotations

from django_tasks import task

from hub.partners.wikidata import continue_run


@task()
def match_directory_with_wikidata(run_id: int) -> str:
    """Run or resume a Wikidata look-up over a directory; a finished run is left alone.

    When Wikidata does not answer, the error propagates and the queue tries again later; the
    run resumes after its last saved chunk.
    """
    return continue_run(run_id=run_id)
