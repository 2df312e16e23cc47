"""Tell people what happened: in the Hub, and by e-mail, as each person prefers."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.urls import reverse
from django.utils.translation import gettext as _

from hub.core.languages import in_language_of
from hub.core.models import User
from hub.helpdesk.mail import absolute, header_safe, mailbox, send_on_commit
from hub.helpdesk.models import Notification, NotificationPreference

# What a notification says: written, or a function that writes it in the active language.
Text = str | Callable[[], str]


def preferences_for(user: User) -> dict[str, tuple[bool, bool]]:
    """Return {kind: (in_app, by_email)} for every kind; no stored row means both."""
    stored = {
        p.kind: (p.in_app, p.by_email) for p in NotificationPreference.objects.filter(user=user)
    }
    return {kind: stored.get(kind, (True, True)) for kind in Notification.Kind.values}


def notify(*, users: Iterable[User], kind: str, text: Text, url: str = "") -> int:
    """Notify each person (once) in the Hub and by e-mail as they prefer; return how many.

    Call inside the service's transaction: the rows commit with the change, the e-mails go
    out only after it. Pass ``text`` as a function (``lambda: _("…") % {…}``) so that each
    person reads it in their own language, in the Hub and by e-mail.
    """
    people = {u.pk: u for u in users if u is not None and u.pk and u.is_active}
    if not people:
        return 0
    stored = {
        (p.user_id, p.kind): p
        for p in NotificationPreference.objects.filter(user_id__in=people, kind=kind)
    }
    rows = []
    for user in people.values():
        pref = stored.get((user.pk, kind))
        with in_language_of(user):
            said = header_safe(text() if callable(text) else text, 300)
        if pref is None or pref.in_app:
            rows.append(Notification(user=user, kind=kind, text=said, url=url))
        if (pref is None or pref.by_email) and user.email:
            with in_language_of(user):
                body = "\n\n".join(
                    [
                        said,
                        absolute(url) if url else "",
                        _(
                            "You receive this because of your notification settings in the "
                            "Partnerships Hub. Change them at %(url)s"
                        )
                        % {"url": absolute(reverse("helpdesk:notification_preferences"))},
                    ]
                )
                subject = _("[Partnerships Hub] %(text)s") % {"text": said}
            send_on_commit(
                subject=subject,
                body=body,
                to=[mailbox(user.get_full_name() or user.username, user.email)],
            )
    Notification.objects.bulk_create(rows)
    return len(people)
