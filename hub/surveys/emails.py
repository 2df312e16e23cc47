"""The survey e-mails: written in the invitee's language, with their link and an opt-out."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils.translation import gettext as _

from hub.core.languages import in_language_of
from hub.core.links import absolute_url
from hub.surveys.models import Delivery
from hub.surveys.models.surveys import translation_language

_BREAKS = re.compile(r"[\r\n\x00-\x1f\x7f\u2028\u2029\x85]+")


def header_safe(text: str, max_length: int = 150) -> str:
    """Return text fit for a mail header: line breaks and control characters become spaces."""
    return " ".join(_BREAKS.sub(" ", str(text)).split())[:max_length]


def connection() -> BaseEmailBackend:
    """Return one connection to the mail backend, reused for a whole run of e-mails."""
    return get_connection()


def survey_url(token: str) -> str:
    """Return the full address of an invitation's answer page."""
    return absolute_url(reverse("surveys:answer", kwargs={"token": token}))


def opt_out_url(token: str) -> str:
    """Return the full address of an invitation's opt-out page."""
    return absolute_url(reverse("surveys:opt_out", kwargs={"token": token}))


def invitation_message(
    delivery: Delivery, token: str, connection: BaseEmailBackend | None = None
) -> EmailMessage:
    """Return the invitation or reminder e-mail of a ledger row, in the invitee's language."""
    invitation = delivery.invitation
    sending = invitation.sending
    survey = sending.version.survey
    language = translation_language(invitation.language)
    with in_language_of(invitation):
        values = {
            "name": invitation.name,
            "affiliate": sending.affiliate.name,
            "partnership": sending.partnership.title,
            "survey": survey.title_in(language),
            "deadline": sending.deadline.isoformat(),
        }
        if delivery.kind == Delivery.Kind.REMINDER:
            subject = _("Reminder: %(survey)s from %(affiliate)s") % values
            opening = (
                _("A reminder: %(affiliate)s would value your answers about %(partnership)s.")
                % values
            )
        else:
            subject = _("%(survey)s: %(affiliate)s asks for your feedback") % values
            opening = (
                _(
                    "%(affiliate)s would like to know how the partnership %(partnership)s is "
                    "going for you."
                )
                % values
            )
        # The affiliate's own introduction, in the invitee's language where it was translated,
        # as the answer page shows it: the invitation only (a reminder stays short).
        intro = survey.intro_in(language).strip() if delivery.kind != Delivery.Kind.REMINDER else ""
        lines = [
            _("Hello %(name)s,") % values,
            "",
            opening,
            *(["", intro, ""] if intro else []),
            _("It takes a few minutes; you can answer until %(deadline)s:") % values,
            survey_url(token),
            "",
            _("This link is yours alone: please do not pass it on."),
            _("To receive no more surveys from %(affiliate)s: %(url)s")
            % {**values, "url": opt_out_url(token)},
        ]
    return EmailMessage(
        subject=header_safe(subject),
        body="\n".join(lines) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
        connection=connection,
    )
