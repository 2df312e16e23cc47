"""Hand large imports to the background worker, and notice when the worker gave up on one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from hub.core.models import User
from hub.partners.imports.batches import fail_batch
from hub.partners.imports.tasks import apply_import_batch
from hub.partners.models import ImportBatch


def queue_batch(*, actor: User | None, batch: ImportBatch) -> ImportBatch:
    """Hand a large pending batch to a background worker; the page then follows its status."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.PENDING:
            raise ValidationError(_("This import has already been confirmed or discarded."))
        locked.status = ImportBatch.Status.QUEUED
        locked.result = {}
        locked.save(update_fields=["status", "result"])
        actor_id = actor.pk if actor else None
        transaction.on_commit(lambda: _enqueue(locked.pk, actor_id))
    return locked


def _enqueue(batch_id: int, actor_id: int | None) -> None:
    result = apply_import_batch.enqueue(batch_id, actor_id)
    # Kept to notice a task the worker gave up on (see settle_batch).
    ImportBatch.objects.filter(pk=batch_id).update(task_id=str(result.id))


def settle_batch(*, batch: ImportBatch) -> ImportBatch:
    """Mark a queued batch failed when its task failed for good (e.g. its workers kept dying)."""
    if batch.status != ImportBatch.Status.QUEUED or not batch.task_id:
        return batch
    try:
        result = apply_import_batch.get_result(batch.task_id)
    except (TaskResultDoesNotExist, NotImplementedError):
        return batch
    if result.status == TaskResultStatus.FAILED:
        fail_batch(batch_id=batch.pk)
        batch.refresh_from_db()
    return batch


def settle_queued_batches() -> int:
    """Mark failed every queued batch whose task failed for good; return how many."""
    settled = 0
    for batch in ImportBatch.objects.filter(status=ImportBatch.Status.QUEUED).exclude(task_id=""):
        settled += settle_batch(batch=batch).status == ImportBatch.Status.FAILED
    return settled
