"""Background entry points of the library: thin, idempotent, taking ids."""

from __future__ import annotations

from django_tasks import task

from hub.library.processing import process_file as read_file


@task()
def process_file(resource_id: int) -> str:
    """Extract a resource file's text and draw its preview; safe to run twice."""
    return read_file(resource_id=resource_id)
