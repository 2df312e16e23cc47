"""Background entry points of the impact app: thin, idempotent, taking ids."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def refresh_link(run_id: int) -> dict[str, Any]:
    """Run or resume one refresh of a content link's figures; a finished run is left alone."""
    from hub.impact.refresh import run_refresh

    return run_refresh(run_id=run_id)
