"""Find and scrub a person in the partners' corrections (hub.core.personal_data, erasure)."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from hub.core.erasure import Person, scrub_rows
from hub.core.personal_data import Found
from hub.surveys.models import ChangeRequest, PortalLink


def drawn_portal_key(link_id: int, language: str) -> str:
    """Return the cache key under which earlier versions kept a portal link's drawn page.

    The portal is now drawn afresh on every visit; pages drawn before that may still sit in
    the cache table (expired entries stay until culled), so erasure still drops them.
    """
    return f"surveys-portal:{link_id}:{language}"


def _mentioning(person: Person) -> models.QuerySet[ChangeRequest]:
    return (
        ChangeRequest.objects.filter(affiliate=person.affiliate)
        .annotate(_text_changes=Cast("changes", models.TextField()))
        .filter(person.prefilter(["note"], ["changes"]))
        .select_related("organisation", "contact")
    )


def find_change_requests(person: Person) -> Iterator[Found]:
    """Yield the partners' corrections that hold the person's name, e-mail or phone."""
    if person.pattern is None:
        return
    for change in _mentioning(person):
        if not (person.mentioned_in(change.note) or person.mentioned_in(str(change.changes))):
            continue
        yield Found(
            kind=_("Correction sent from the partner portal"),
            label=f"{change.organisation} · {change.created_at:%Y-%m-%d}",
            data={
                "organisation": str(change.organisation),
                "status": change.status,
                "changes": change.changes,
                "note": change.note,
                "sent_at": change.created_at.isoformat(),
            },
        )


def scrub_change_requests(person: Person) -> int:
    """Replace the person's mentions in the partners' corrections; return rows changed."""
    return scrub_rows(
        person, ChangeRequest.objects.filter(affiliate=person.affiliate), ["note"], ["changes"]
    )


def forget_drawn_portals(person: Person) -> int:
    """Drop the affiliate's portal pages drawn by earlier versions: they may show the person.

    Returns 0: cache entries are not rows, and the next visit draws the page again.
    """
    links = PortalLink.objects.filter(affiliate=person.affiliate).values_list("pk", flat=True)
    languages = [code for code, _name in settings.LANGUAGES]
    cache.delete_many([drawn_portal_key(pk, code) for pk in links for code in languages])
    return 0
