"""Read a library file in the background: its text for search and a preview of its first page."""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from hub.library import extraction
from hub.library.models import FileStatus, Resource


def process_file(*, resource_id: int) -> str:
    """Read a resource's file: its text for search, a preview of its first page (a task).

    Safe to run twice; a file replaced meanwhile is read afresh by its own task.
    """
    resource = Resource.objects.filter(pk=resource_id).first()
    if resource is None or not resource.file:
        return "gone"
    name = resource.file.name
    with resource.file.open("rb") as handle:
        data = handle.read()
    problem = ""
    text = ""
    preview = b""
    try:
        text = extraction.extract_text(data, resource.file_kind)
    except extraction.ExtractionFailed:
        problem = _("The text of this file could not be read, so search does not see inside it.")
    if extraction.can_preview(resource.file_kind):
        try:
            preview = extraction.preview_png(data, resource.file_kind)
        except extraction.ExtractionFailed:
            preview = b""
    with transaction.atomic():
        current = Resource.objects.select_for_update().filter(pk=resource_id, file=name).first()
        if current is None:
            return "replaced"
        current.extracted_text = text
        current.file_problem = problem
        current.file_status = FileStatus.FAILED if problem else FileStatus.READY
        if preview:
            if current.preview:
                old = current.preview.name
                transaction.on_commit(lambda: default_storage.delete(old))
            current.preview.save(f"{uuid.uuid4().hex}.png", ContentFile(preview), save=False)
        current.save(
            update_fields=["extracted_text", "file_problem", "file_status", "preview", "updated_at"]
        )
    return current.file_status
