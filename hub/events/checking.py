"""Check participants' usernames on the wiki: exists, not blocked, registered when."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from hub.events.models import Event, Participant
from hub.wikimedia.errors import WikiError
from hub.wikimedia.mediawiki import MediaWikiClient
from hub.wikimedia.mediawiki.reading import USERS_BATCH
from hub.wikimedia.mediawiki.results import WikiUser

logger = logging.getLogger(__name__)


def check_participants(
    *,
    event_id: int,
    participant_ids: Sequence[int] | None = None,
    client: MediaWikiClient | None = None,
) -> int:
    """Ask the event's first wiki about its unchecked usernames (or these); return how many
    were checked.

    Usernames are global on Wikimedia wikis (one account everywhere), so one wiki answers for
    all. Each batch of 50 is stored as soon as it is read: a worker killed midway leaves the
    rest unchecked, and the next run checks only those.
    """
    event = Event.objects.filter(pk=event_id).first()
    if event is None or not event.wikis:
        return 0
    rows = event.participants.all()
    if participant_ids is None:
        rows = rows.filter(wiki_check=Participant.Check.UNCHECKED)
    else:
        rows = rows.filter(pk__in=list(participant_ids))
    names = list(rows.order_by("pk").values_list("username", flat=True))
    if not names:
        return 0
    try:
        client = client or MediaWikiClient.for_user_url(event.wikis[0])
        checked = 0
        for start in range(0, len(names), USERS_BATCH):
            batch = names[start : start + USERS_BATCH]
            results = client.users(batch)
            with transaction.atomic():
                checked += record_checks(event=event, results=results, now=timezone.now())
    except WikiError:
        # Left unchecked: the participants page says so and offers to check again.
        logger.warning("could not check usernames of event %s", event_id, exc_info=True)
        return 0
    return checked


def record_checks(*, event: Event, results: dict[str, WikiUser], now: dt.datetime) -> int:
    """Store what the wiki said about each username; return how many were stored."""
    changed = 0
    participants = {p.username: p for p in event.participants.filter(username__in=list(results))}
    for name, user in results.items():
        participant = participants.get(name)
        if participant is None:  # withdrew meanwhile
            continue
        if user.blocked:
            participant.wiki_check = Participant.Check.BLOCKED
        elif user.exists:
            participant.wiki_check = Participant.Check.OK
        else:
            participant.wiki_check = Participant.Check.MISSING
        participant.registered_at = user.registered
        participant.checked_at = now
        changed += 1
    Participant.objects.bulk_update(
        list(participants.values()), ["wiki_check", "registered_at", "checked_at"]
    )
    return changed
