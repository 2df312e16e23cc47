"""Background entry points of the events app's people part: thin, idempotent, taking ids."""

from __future__ import annotations

from django_tasks import task

from hub.events import checking


@task()
def check_participants(event_id: int, participant_ids: list[int] | None = None) -> int:
    """Check the event's unchecked usernames (or these) on the wiki; safe to run twice."""
    return checking.check_participants(event_id=event_id, participant_ids=participant_ids)
