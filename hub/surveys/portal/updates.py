"""The periodic partner update e-mail: once per period per contact, in the contact's language.

The daily job (jobs.py) asks every partner with a monthly or quarterly setting whether this
period's update went out. Each partner's update is one transaction: it claims the period on the
setting, writes a ledger row per contact (unique per period) and queues the mails on commit. A
second run, or a run after a killed worker, finds the period claimed or nothing claimed, and so
sends nobody anything twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core.languages import in_language_of
from hub.core.queue import enqueue_on_commit
from hub.core.tasks import send_mail_task
from hub.partners.models import Contact
from hub.partnerships.slots import partnership_figures
from hub.surveys.mailing import reachable
from hub.surveys.models import OptOut, PartnerUpdates, UpdateDelivery
from hub.surveys.portal.selectors import (
    portal_partnerships,
    recent_activities,
    upcoming_activities,
)
from hub.surveys.portal.tokens import live_link, opt_out_url, portal_url

logger = logging.getLogger(__name__)

Frequency = PartnerUpdates.Frequency
_BREAKS = re.compile(r"[\r\n\x00-\x1f\x7f\u2028\u2029\x85]")
# A first update looks back this far for activities that took place.
FIRST_LOOK_BACK: dict[str, int] = {Frequency.MONTHLY: 31, Frequency.QUARTERLY: 92}


def period_of(frequency: str, day: dt.date) -> str:
    """Return the period a day falls in: "2026-12" for monthly, "2026-Q4" for quarterly."""
    if frequency == Frequency.QUARTERLY:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


@dataclass(frozen=True)
class FigureLine:
    """One figure of a partnership in the update, with what changed since the last one."""

    partnership: str
    label: str
    value: int
    change: int | None  # None: not in the last update


def _figure_lines(
    partnerships: list, previous: dict[str, dict[str, int]]
) -> tuple[list[FigureLine], dict[str, dict[str, int]]]:
    """Return the figures to tell, with their change, and the figures to remember."""
    lines: list[FigureLine] = []
    remembered: dict[str, dict[str, int]] = {}
    by_partnership = partnership_figures(partnerships)
    for partnership in partnerships:
        before = previous.get(str(partnership.pk), {})
        now: dict[str, int] = {}
        for figure in by_partnership.get(partnership.pk, []):
            key = figure.key or figure.label
            now[key] = figure.value
            old = before.get(key)
            change = None if old is None else figure.value - old
            lines.append(FigureLine(partnership.title, figure.label, figure.value, change))
        remembered[str(partnership.pk)] = now
    return lines, remembered


def send_due_updates(now: dt.datetime | None = None) -> int:
    """Send this period's update to every partner whose period has not had one; return mails."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    due = PartnerUpdates.objects.exclude(frequency=Frequency.NEVER).values_list(
        "pk", "frequency", "last_period"
    )
    for pk, frequency, last_period in list(due):
        period = period_of(frequency, today)
        if last_period != period:
            sent += send_update(pk, period=period, now=now)
    return sent


@transaction.atomic
def send_update(setting_id: int, *, period: str, now: dt.datetime | None = None) -> int:
    """Claim the period of one partner's update and queue its mails; return how many."""
    now = now or timezone.now()
    setting = (
        PartnerUpdates.objects.select_for_update()
        .select_related("affiliate", "organisation")
        .filter(pk=setting_id)
        .exclude(last_period=period)
        .first()
    )
    if setting is None or setting.frequency == Frequency.NEVER:
        return 0  # another run took this period, or the partner asked for none meanwhile
    today = timezone.localdate(now)
    since = (
        timezone.localdate(setting.last_sent_at)
        if setting.last_sent_at
        else today - dt.timedelta(days=FIRST_LOOK_BACK.get(setting.frequency, 31))
    )
    affiliate, organisation = setting.affiliate, setting.organisation
    partnerships = (
        list(portal_partnerships(affiliate, organisation))
        if organisation.archived_at is None
        else []
    )
    figures, remembered = _figure_lines(partnerships, setting.last_figures or {})
    setting.last_period = period
    setting.last_sent_at = now
    setting.last_figures = remembered
    setting.save(update_fields=["last_period", "last_sent_at", "last_figures"])
    if not partnerships:
        return 0  # nothing to tell a partner without a partnership it may see
    contacts = Contact.objects.filter(
        affiliate=affiliate, organisation=organisation, archived_at=None
    )
    recipients, _left = reachable(affiliate, contacts, topic=OptOut.Topic.UPDATES)
    link = live_link(organisation, now=now)
    context = {
        "affiliate": affiliate,
        "organisation": organisation,
        "figures": figures,
        "recent": recent_activities(partnerships, since=since, today=today),
        "upcoming": upcoming_activities(partnerships, today=today),
        "portal_url": portal_url(link) if link else "",
        "since": since,
    }
    sent = 0
    for recipient in recipients:
        if _BREAKS.search(recipient.email):
            logger.warning(
                "Contact %s has a broken e-mail address: not mailed", recipient.contact.pk
            )
            continue
        _row, created = UpdateDelivery.objects.get_or_create(
            organisation=organisation,
            contact=recipient.contact,
            period=period,
            defaults={"affiliate": affiliate},
        )
        if not created:
            continue
        with in_language_of(recipient.contact):
            subject = _("News from %(affiliate)s about your partnership") % {
                "affiliate": affiliate.name
            }
            body = render_to_string(
                "surveys/portal/update_email.txt",
                {
                    **context,
                    "contact": recipient.contact,
                    "opt_out_url": opt_out_url(recipient.contact),
                },
            )
        enqueue_on_commit(
            send_mail_task,
            " ".join(_BREAKS.sub(" ", subject).split())[:150],
            body,
            [recipient.email],
        )
        sent += 1
    return sent
