"""Tell people what happened: in the Hub, and by e-mail, as each person prefers."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _

from hub.core.languages import in_language_of
from hub.core.models import User
from hub.helpdesk.mail import absolute, header_safe, mailbox, send_on_commit
from hub.helpdesk.models import Notification, NotificationPreference


def preferences_for(user: User) -> dict[str, tuple[bool, bool]]:
    """Return {kind: (in_app, by_email)} for every kind; no stored row means both."""
    stored = {
        p.kind: (p.in_app, p.by_email) for p in NotificationPreference.objects.filter(user=user)
    }
    return {kind: stored.get(kind, (True, True)) for kind in Notification.Kind.values}


def notify(*, users: Iterable[User], kind: str, text: str, url: str = "") -> int:
    """Notify each person (once) in the Hub and by e-mail as they prefer; return how many.

    Call inside the service's transaction: the rows commit with the change, the e-mails go
    out only after it.
    """
    people = {u.pk: u for u in users if u is not None and u.pk and u.is_active}
    if not people:
        return 0
    stored = {
        (p.user_id, p.kind): p
        for p in NotificationPreference.objects.filter(user_id__in=people, kind=kind)
    }
    text = header_safe(text, 300)
    rows = []
    for user in people.values():
        pref = stored.get((user.pk, kind))
        if pref is None or pref.in_app:
            rows.append(Notification(user=user, kind=kind, text=text, url=url))
        if (pref is None or pref.by_email) and user.email:
            # The frame of the e-mail in the reader's language; ``text`` comes written.
            with in_language_of(user):
                body = "\n\n".join(
                    [
                        text,
                        absolute(url) if url else "",
                        _(
                            "You receive this because of your notification settings in the "
                            "Partnerships Hub. Change them at %(url)s"
                        )
                        % {"url": absolute(reverse("helpdesk:notification_preferences"))},
                    ]
                )
                subject = _("[Partnerships Hub] %(text)s") % {"text": text}
            send_on_commit(
                subject=subject,
                body=body,
                to=[mailbox(user.get_full_name() or user.username, user.email)],
            )
    Notification.objects.bulk_create(rows)
    return len(people)
