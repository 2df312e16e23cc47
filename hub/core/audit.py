"""Record audit events: who changed what, when, field by field."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection, models

from hub.core.models import Affiliate, AuditEvent, User


def _plain(value: Any) -> Any:
    """Return a JSON-friendly form of a field value."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        # Keys in one order: a JSON field read back from PostgreSQL (jsonb orders its keys its
        # own way) holds the same value, not a change.
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    if isinstance(value, list | tuple | set):
        return sorted(str(v) for v in value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Return the current values of the named fields, ready to compare."""
    return {name: _plain(getattr(instance, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Return {field: [old, new]} for every field whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def record(
    *,
    actor: User | None,
    affiliate: Affiliate | None,
    action: str,
    target: models.Model,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event; call inside the service's transaction."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        affiliate=affiliate,
        action=action,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        target_repr=str(target)[:300],
        changes=changes or {},
    )


def latest_stamp(affiliate: Affiliate | None = None) -> str:
    """Return a stamp of the newest audit event of an affiliate (of the whole hub when None).

    Every change to an affiliate's data goes through a service that records an event, so the
    stamp moves with each change: caches of figures derived from many rows key on it and so
    are never read stale. The event's time is part of it, so an id reused after rows were
    deleted (SQLite reuses them) still gives a new stamp. One index probe.
    """
    events = AuditEvent.objects.all() if affiliate is None else affiliate.audit_events.all()
    newest = events.order_by("-id").values_list("id", "created_at").first()
    return "0" if newest is None else f"{newest[0]}-{newest[1].timestamp()}"


def affiliate_and_hub_stamp(affiliate: Affiliate) -> str:
    """Return a stamp of the affiliate's newest audit event and the hub's newest hub-wide one.

    Hub-wide events (no affiliate) are the changes that reach every affiliate's pages: a
    person's name changed in the admin, the strategic definition. One statement, two probes
    of the index latest_stamp uses; as there, each event's time is part of the stamp.
    """
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, created_at FROM {table} WHERE id IN ("  # noqa: S608  # names only
            f"(SELECT MAX(id) FROM {table} WHERE affiliate_id = %s), "
            f"(SELECT MAX(id) FROM {table} WHERE affiliate_id IS NULL)) ORDER BY id",
            [affiliate.pk],
        )
        # The time as the database gives it (text on SQLite), without spaces: a cache key.
        return "_".join(f"{pk}-{at}".replace(" ", "T") for pk, at in cursor.fetchall()) or "0"


def stamped_key(affiliate: Affiliate | None, *parts: str) -> str:
    """Return a cache key for figures derived from an affiliate's rows (the hub's when None).

    The key holds the affiliate's newest audit stamp, so a change to its data, which every
    service records, makes a new key: a cached figure is never read stale.
    """
    owner = str(affiliate.pk) if affiliate is not None else "hub"
    return ":".join((*parts, owner, latest_stamp(affiliate)))


def events_for(target: models.Model) -> models.QuerySet[AuditEvent]:
    """Return the audit events about one record, newest first, with their actors."""
    return AuditEvent.objects.filter(
        target_type=target._meta.label_lower, target_id=target.pk
    ).select_related("actor")
