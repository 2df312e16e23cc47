"""Find and erase a person's event participations, by their Wikimedia username."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from hub.core.erasure import Person
from hub.core.personal_data import Found
from hub.events.models import Participant
from hub.events.usernames import canonical_username


def _participants(person: Person) -> list[Participant]:
    """Return the affiliate's participants whose username is one of the person's names."""
    if person.affiliate is None:
        return []
    match = Q(pk__in=[])
    for name in person.names:
        variants = {name.strip()}
        try:
            variants.add(canonical_username(name))
        except ValidationError:
            pass
        for variant in variants:
            if variant:
                match |= Q(username__iexact=variant)
    return list(
        Participant.objects.filter(match, event__affiliate=person.affiliate).select_related(
            "event__activity__partnership"
        )
    )


def find_participations(person: Person) -> Iterator[Found]:
    """Yield each event the person takes part in, with what they agreed to."""
    for p in _participants(person):
        activity = p.event.activity
        yield Found(
            kind=_("Event participant"),
            label=f"{activity.title} · {activity.partnership.title}",
            data={
                "username": p.username,
                "role": p.role,
                "counted": p.counted,
                "source": p.source,
                "agreed": p.consented_at.isoformat() if p.consented_at else None,
                "username_shown_publicly": p.show_name,
                "wiki_check": p.wiki_check,
                "blocked_on": list(p.blocked_on),
                "account_registered": p.registered_at.isoformat() if p.registered_at else None,
                "added": p.created_at.isoformat(),
            },
        )


def erase_participations(person: Person) -> int:
    """Remove the person from every event; their past contributions stay in totals only."""
    ids = [p.pk for p in _participants(person)]
    deleted = Participant.objects.filter(pk__in=ids).delete()[1]
    return deleted.get("events.Participant", 0)
