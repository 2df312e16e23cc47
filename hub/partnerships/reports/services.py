"""Every change to the strategic definition the partnerships are scored against."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from hub.core import audit
from hub.core.models import User
from hub.core.queue import enqueue_on_commit
from hub.partnerships.models import StrategicDefinition
from hub.partnerships.scoring import DEFINITION_FIELDS, get_definition
from hub.partnerships.tasks import refresh_strategic_scores


@transaction.atomic
def update_definition(*, actor: User, **fields: Any) -> StrategicDefinition:
    """Change the strategic definition (hub staff), then recompute every score in the background."""
    definition = get_definition()
    definition = StrategicDefinition.objects.select_for_update().get(pk=definition.pk)
    before = audit.snapshot(definition, DEFINITION_FIELDS)
    for name, value in fields.items():
        if name not in DEFINITION_FIELDS:
            raise ValueError(f"unknown definition field {name}")
        setattr(definition, name, value)
    definition.updated_by = actor
    definition.full_clean()
    definition.save()
    changes = audit.diff(before, audit.snapshot(definition, DEFINITION_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            affiliate=None,
            action="strategic_definition.updated",
            target=definition,
            changes=changes,
        )
        enqueue_on_commit(refresh_strategic_scores)
    return definition
