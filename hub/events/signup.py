"""Sign and open the public sign-up link of an event and each participant's withdrawal link.

A forged or altered token is refused as if it never existed (404); a genuine one that is no
longer in force (the sign-up closed, the event over, the participant already withdrawn) says so
(410), in the person's words.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core.links import absolute_url
from hub.events.models import Event, Participant

SIGNUP_SALT = "hub.events.signup"
WITHDRAW_SALT = "hub.events.withdraw"
MAX_TOKEN = 400


def default_consent_text(event: Event) -> str:
    """Return what a participant agrees to when the organiser wrote nothing of their own."""
    return _(
        "%(affiliate)s counts the contributions you make to the event's wikis during the event "
        "(edits, articles created and improved, files uploaded, Wikidata items) from your "
        "public contributions, to report the event's outputs to its partners. Your username is "
        "kept with the event. It is shown publicly (on the event's page and in reports) only if "
        "you allow it below; otherwise your contributions appear only in totals. You can "
        "withdraw at any time with the link you get after signing up: your name then leaves "
        "every page and export, and your past contributions stay only in the totals."
    ) % {"affiliate": event.affiliate.name}


def consent_text(event: Event) -> str:
    """Return the words a participant agrees to: the organiser's own, or the default."""
    return event.consent_text.strip() or default_consent_text(event)


class LinkRefused(Exception):
    """A link that cannot be used; ``reason`` says why, ``gone`` is True for a genuine link no
    longer in force (410) and False for one that was never ours (404)."""

    def __init__(self, reason: str, *, gone: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.gone = gone


def _invalid() -> LinkRefused:
    return LinkRefused(_("This link is not valid. Check that it was copied whole."), gone=False)


def _unsign(token: str, salt: str, size: int) -> list[object]:
    if len(token) > MAX_TOKEN:
        raise _invalid()
    try:
        value = signing.Signer(salt=salt).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        raise _invalid() from None
    if not isinstance(value, list) or len(value) != size:
        raise _invalid()
    return value


def signup_token(event: Event) -> str:
    """Return the signed token of the event's sign-up link (the same for every person)."""
    return signing.Signer(salt=SIGNUP_SALT).sign_object([event.pk, event.activity_id])


def signup_url(event: Event) -> str:
    """Return the full address of the event's public sign-up page."""
    return absolute_url(reverse("people_signup", kwargs={"token": signup_token(event)}))


def signup_closes_at(event: Event) -> dt.datetime:
    """Return when sign-up stops by itself: the end of the event's grace period."""
    return event.ends_at + dt.timedelta(days=event.grace_days)


def open_signup(token: str, *, now: dt.datetime | None = None) -> Event:
    """Return the event of a sign-up token; raise LinkRefused if forged, closed or over."""
    value = _unsign(token, SIGNUP_SALT, 2)
    event_id, activity_id = value
    if not isinstance(event_id, int) or not isinstance(activity_id, int):
        raise _invalid()
    event = (
        Event.objects.select_related("activity__partnership", "affiliate")
        .filter(pk=event_id, activity_id=activity_id)
        .first()
    )
    if event is None:
        raise _invalid()
    if not event.signup_open:
        raise LinkRefused(
            _("Sign-up for this event is closed. Ask the organisers if you want to take part."),
            gone=True,
        )
    if signup_closes_at(event) <= (now or timezone.now()):
        raise LinkRefused(_("This event is over: sign-up has ended."), gone=True)
    return event


def withdraw_token(participant: Participant) -> str:
    """Return the signed token of a participant's personal withdrawal link."""
    return signing.Signer(salt=WITHDRAW_SALT).sign_object(
        [participant.pk, participant.event_id, participant.username]
    )


def withdraw_url(participant: Participant) -> str:
    """Return the full address of the participant's withdrawal page."""
    return absolute_url(reverse("people_withdraw", kwargs={"token": withdraw_token(participant)}))


def open_withdrawal(token: str) -> Participant:
    """Return the participant of a withdrawal token; raise LinkRefused if forged or done."""
    value = _unsign(token, WITHDRAW_SALT, 3)
    if not (isinstance(value[0], int) and isinstance(value[1], int) and isinstance(value[2], str)):
        raise _invalid()
    participant = (
        Participant.objects.select_related("event__activity", "event__affiliate")
        .filter(pk=value[0], event_id=value[1], username=value[2])
        .first()
    )
    if participant is None:
        # Genuinely signed by us: the person already withdrew (or was removed).
        raise LinkRefused(
            _("You no longer take part in this event: there is nothing left to withdraw."),
            gone=True,
        )
    return participant
