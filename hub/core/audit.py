"""Record audit events: who changed what, when, field by field."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction

from hub.core.models import Affiliate, AuditClock, AuditEvent, User


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
    return write(
        actor=actor,
        affiliate=affiliate,
        action=action,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        target_repr=str(target)[:300],
        changes=changes or {},
    )


def write(*, actor: User | None, affiliate: Affiliate | None, **fields: Any) -> AuditEvent:
    """Write an audit event from its fields (record's, or an erasure's, which names no record)
    and move the affiliate's audit clock once the transaction commits: the only writer of
    audit events."""
    event = AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None, affiliate=affiliate, **fields
    )
    _tick_on_commit(event.affiliate_id)
    return event


# AuditClock owners: the hub-wide events (no affiliate), and every event of the hub.
_HUB = 0
_ALL = -1
# One bump per owner and transaction, however many events it records (an import records one
# per batch, an erasure one per record): the callbacks already waiting, by owner.
_TICKS: dict[int, Callable[[], None]] = {}


def _tick(owner: int) -> None:
    """Count one more committed transaction of the owner's and of the whole hub (autocommit)."""
    table = connection.ops.quote_name(AuditClock._meta.db_table)
    with connection.cursor() as cursor:
        # Owners in the same order in every bump, so two bumps never wait on each other.
        cursor.execute(
            f"INSERT INTO {table} (owner, serial) VALUES (%s, 1), (%s, 1) "  # noqa: S608
            f"ON CONFLICT (owner) DO UPDATE SET serial = {table}.serial + 1",
            [owner, _ALL],
        )


def _tick_on_commit(affiliate_id: int | None) -> None:
    """Move the audit clock of the affiliate (of the hub-wide events when None) once the
    current transaction commits; at once outside one (write, for every audit event).

    A transaction that records many events bumps it once. A bump left waiting by an enclosing
    savepoint or transaction serves; one of a savepoint that may still be rolled back does not.
    """
    owner = affiliate_id if affiliate_id is not None else _HUB
    tick = _TICKS.get(owner)
    if tick is None:
        # A function, not a partial: Django names it (__qualname__) when it logs a failure.
        def tick() -> None:
            _tick(owner)

        _TICKS[owner] = tick
    if connection.in_atomic_block:
        open_now = set(connection.savepoint_ids)
        # Django's queue of callbacks: (the savepoints open when added, the callback, ...).
        for waiting in connection.run_on_commit:
            if waiting[1] is tick and set(waiting[0]) <= open_now:
                return
    # robust: the change is committed by then; a clock that cannot move is logged (by Django)
    # and leaves kept pages to their expiry, rather than failing the request that saved it.
    transaction.on_commit(tick, robust=True)


def _stamp(newest: Sequence[tuple[str, list[Any]]], owners: Sequence[int]) -> str:
    """Return the ids and times of the newest events matching each condition, and the owners'
    audit clocks, as one cache key part (one statement)."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    clock = connection.ops.quote_name(AuditClock._meta.db_table)
    parts = [
        f"SELECT 'e', id, CAST(created_at AS text) FROM {table} "  # noqa: S608  # names only
        f"WHERE id = (SELECT MAX(id) FROM {table} WHERE {condition})"
        for condition, _params in newest
    ]
    parts.append(
        f"SELECT 'c', owner, CAST(serial AS text) FROM {clock} "  # noqa: S608  # names only
        f"WHERE owner IN ({', '.join(['%s'] * len(owners))})"
    )
    params = [value for _condition, values in newest for value in values] + list(owners)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = sorted(cursor.fetchall())
    # The time as the database gives it, without spaces: a cache key.
    return "_".join(f"{kind}{pk}-{value}".replace(" ", "T") for kind, pk, value in rows) or "0"


def latest_stamp(affiliate: Affiliate | None = None) -> str:
    """Return a stamp of the newest audit event of an affiliate (of the whole hub when None),
    and of its audit clock.

    Every change to an affiliate's data goes through a service that records an event, so the
    stamp moves with each change: caches of figures derived from many rows key on it and so
    are never read stale. The event's time is part of it, so an id reused after rows were
    deleted (SQLite reuses them) still gives a new stamp; the clock, moved after each commit,
    covers transactions that commit in the other order than their events' ids (AuditClock).
    One statement, two index probes.
    """
    if affiliate is None:
        return _stamp([("1 = 1", [])], [_ALL])
    return _stamp([("affiliate_id = %s", [affiliate.pk])], [affiliate.pk])


def affiliate_and_hub_stamp(affiliate: Affiliate) -> str:
    """Return a stamp of the affiliate's newest audit event and the hub's newest hub-wide one,
    with both their clocks.

    Hub-wide events (no affiliate) are the changes that reach every affiliate's pages: a
    person's name changed in the admin, the strategic definition. One statement, probes of the
    indexes latest_stamp uses.
    """
    return _stamp(
        [("affiliate_id = %s", [affiliate.pk]), ("affiliate_id IS NULL", [])],
        [affiliate.pk, _HUB],
    )


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
