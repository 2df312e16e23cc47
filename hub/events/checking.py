"""Check participants' usernames on the event's wikis: exists, not blocked, registered when."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence

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
    clients: Mapping[str, MediaWikiClient] | None = None,
) -> int:
    """Ask each of the event's wikis about its unchecked usernames (or these); return how many
    were checked.

    Accounts are global on Wikimedia wikis, but blocks are per wiki: someone blocked on Commons
    only cannot take part in a Commons upload event. So every wiki the event tracks is asked
    (``list=users``, 50 names a request, one request per batch per wiki). ``clients`` gives the
    client of a wiki by its base address; the others are made from the address.

    A batch of 50 is stored as soon as every wiki has answered for it: a worker killed midway
    leaves the rest unchecked, and the next run checks only those. A wiki that does not answer
    leaves the batch it was asked about, and the ones after it, unchecked.
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
    given = clients or {}
    try:
        # Every wiki's client first: a wiki that is not there costs the others no requests.
        by_wiki = {w: given.get(w) or MediaWikiClient.for_user_url(w) for w in event.wikis}
        checked = 0
        for start in range(0, len(names), USERS_BATCH):
            batch = names[start : start + USERS_BATCH]
            results = {wiki: client.users(batch) for wiki, client in by_wiki.items()}
            with transaction.atomic():
                checked += record_checks(event=event, results=results, now=timezone.now())
    except WikiError:
        # Left unchecked: the participants page says so and offers to check again.
        logger.warning("could not check usernames of event %s", event_id, exc_info=True)
        return 0
    return checked


def record_checks(
    *, event: Event, results: Mapping[str, Mapping[str, WikiUser]], now: dt.datetime
) -> int:
    """Store what the wikis said about each username; return how many were stored.

    ``results`` holds each wiki's answer (wiki base address → username → account), every wiki
    asked about the same names. A participant is blocked when blocked on any of the wikis (and
    ``blocked_on`` says which); missing when the account exists on none of them: on Wikimedia
    wikis an account is global but its local account is only made on the person's first visit,
    so an uploader who never opened the event's Wikipedia is "missing" there yet real, while a
    mistyped name exists nowhere. With one wiki this is the same as asking that wiki alone.

    The registration date kept is the event's first wiki's, as before: a local account's
    registration is its first visit to that wiki, so the wikis disagree, and the count
    (``count_figures.registrations``) reads the first wiki's date and trusts a stored one
    without asking again; storing another wiki's here would make "new editor" depend on
    whether the check or the count read the date first.
    """
    wikis = [w for w in event.wikis if w in results]
    if not wikis:
        return 0
    first = results[wikis[0]]
    participants = {p.username: p for p in event.participants.filter(username__in=list(first))}
    changed = 0
    for name, participant in participants.items():
        answers = [(wiki, results[wiki].get(name)) for wiki in wikis]
        blocked_on = [wiki for wiki, user in answers if user is not None and user.blocked]
        if blocked_on:
            participant.wiki_check = Participant.Check.BLOCKED
        elif any(user is not None and user.exists for _wiki, user in answers):
            participant.wiki_check = Participant.Check.OK
        else:
            participant.wiki_check = Participant.Check.MISSING
        participant.blocked_on = blocked_on
        user = first.get(name)
        participant.registered_at = user.registered if user is not None else None
        participant.checked_at = now
        changed += 1
    # A name in the results but no longer among the participants withdrew meanwhile: skipped.
    Participant.objects.bulk_update(
        list(participants.values()), ["wiki_check", "blocked_on", "registered_at", "checked_at"]
    )
    return changed
