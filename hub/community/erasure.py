"""Find and scrub a person in community profiles and offers of help (see hub.core.erasure)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from hub.community.models import HelpOffer, Profile
from hub.core.erasure import (
    Person,
    events_about,
    rows_mentioning,
    scrub_history_of,
    scrub_rows,
)
from hub.core.personal_data import Found, history_mentioning


def _texts(person: Person) -> list[tuple[str, QuerySet[Any], list[str]]]:
    """Return (what it is, rows, free-text columns): the affiliate's profiles, and the offers
    of help on its requests."""
    return [
        (
            _("Community profile"),
            Profile.objects.filter(affiliate=person.affiliate).select_related("user"),
            ["about", "languages"],
        ),
        (
            _("Offer of help"),
            HelpOffer.objects.filter(request__affiliate=person.affiliate).select_related(
                "user", "request"
            ),
            ["message"],
        ),
    ]


def scrub_community(person: Person) -> int:
    """Replace the person's mentions in profiles' texts and in offers of help."""
    texts = _texts(person)
    return sum(scrub_rows(person, rows, fields) for _kind, rows, fields in texts) + (
        scrub_history_of(person, [rows for _kind, rows, _fields in texts])
    )


def find_in_community(person: Person) -> Iterator[Found]:
    """Yield every profile and offer of help that names the person."""
    texts = _texts(person)
    for _kind, rows, _fields in texts:
        yield from history_mentioning(person, events_about(person, rows))
    for kind, rows, fields in texts:
        for row in rows_mentioning(person, rows, fields):
            yield Found(
                kind=kind,
                label=str(row.user),
                data={f: getattr(row, f) for f in fields},
            )
