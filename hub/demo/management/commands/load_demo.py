"""Load the demo data and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core.models import Membership
from hub.demo.events import load_demo_events
from hub.demo.helpdesk import load_helpdesk_demo
from hub.demo.impact import load_demo_impact
from hub.demo.partners import HUB_STAFF_ROLE, DemoSummary, load_demo
from hub.demo.partnerships import load_demo_partnerships
from hub.demo.surveys import load_demo_surveys
from hub.demo.uploads import load_demo_uploads


def role_label(role: str) -> str:
    """Return the words for a demo login's role."""
    if role == HUB_STAFF_ROLE:
        return _("Hub staff")
    return str(Membership.Role(role).label)


def login_table(summary: DemoSummary) -> str:
    """Return the demo logins as a plain-text table."""
    header = (_("Username"), _("Password"), _("Affiliate"), _("Role"))
    rows = [
        (
            login.username,
            login.password,
            login.affiliate or _("(all, hub-wide)"),
            role_label(login.role),
        )
        for login in summary.logins
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        cells_padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        return "  ".join(cells_padded).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


class Command(BaseCommand):
    help = _("Load the demo affiliates, partners and logins (safe to run again).")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = load_demo()
        partnerships = load_demo_partnerships(today=timezone.localdate())
        helpdesk = load_helpdesk_demo()
        impact_links = load_demo_impact(today=timezone.localdate())
        upload_batches = load_demo_uploads(today=timezone.localdate())
        surveys = load_demo_surveys(today=timezone.localdate())
        events = load_demo_events(today=timezone.localdate())
        if events:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Events demo created: an edit-a-thon with participants, their edits and "
                        "demo figures (never counted on a wiki)."
                    )
                )
            )
        if surveys:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Survey demo created: %(n)d partnerships surveyed, with answers.")
                    % {"n": surveys}
                )
            )
        if helpdesk.created_anything:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Helpdesk demo created: %(requests)d requests, %(meetings)d committee "
                        "meetings, %(groups)d working groups, %(profiles)d community profiles."
                    )
                    % {
                        "requests": helpdesk.requests,
                        "meetings": helpdesk.meetings,
                        "groups": helpdesk.groups,
                        "profiles": helpdesk.profiles,
                    }
                )
            )
        if summary.created_anything:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Demo data created: %(affiliates)d affiliates, %(users)d users, "
                        "%(organisations)d organisations, %(contacts)d contacts, "
                        "%(interactions)d interactions."
                    )
                    % {
                        "affiliates": summary.affiliates,
                        "users": summary.users,
                        "organisations": summary.organisations,
                        "contacts": summary.contacts,
                        "interactions": summary.interactions,
                    }
                )
            )
        if partnerships.partnerships:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Partnerships demo created: %(partnerships)d partnerships, "
                        "%(activities)d activities, %(contributions)d contributions, "
                        "%(tasks)d tasks."
                    )
                    % {
                        "partnerships": partnerships.partnerships,
                        "activities": partnerships.activities,
                        "contributions": partnerships.contributions,
                        "tasks": partnerships.tasks,
                    }
                )
            )
        if impact_links:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Impact demo created: %(links)d content links with a year of demo "
                        "figures (never refreshed from the wikis)."
                    )
                    % {"links": impact_links}
                )
            )
        if upload_batches:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Uploads demo created: %(batches)d finished batch (never sent to a wiki).")
                    % {"batches": upload_batches}
                )
            )
        created = (
            summary.created_anything
            or helpdesk.created_anything
            or partnerships.partnerships
            or impact_links
            or upload_batches
            or events
        )
        if not created:
            self.stdout.write(_("Demo data already loaded; nothing new created."))
        self.stdout.write("")
        self.stdout.write(_("Demo logins (every demo account has the same password):"))
        self.stdout.write(login_table(summary))
