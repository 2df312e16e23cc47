"""Background entry points of the import: thin, idempotent, taking ids."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from hub.core.models import User
from hub.partners.imports.batches import run_queued_batch


@task()
def apply_import_batch(batch_id: int, actor_id: int | None) -> dict[str, Any]:
    """Import a queued spreadsheet batch; a re-run of a done batch does nothing."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return run_queued_batch(batch_id=batch_id, actor=actor)
