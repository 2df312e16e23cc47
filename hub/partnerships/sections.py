"""The sections the partnerships app adds to the partners' pages (hub.partners.slots)."""

from __future__ import annotations

import datetime as dt

from hub.core.models import Affiliate, User
from hub.core.sections import Section
from hub.partners.models import Organisation
from hub.partnerships.selectors import organisation_partnerships
from hub.partnerships.todo.selectors import my_work_items


def organisation_partnerships_section(affiliate: Affiliate, organisation: Organisation) -> Section:
    """Return the organisation page's list of the partnerships it takes part in."""
    return Section(
        "partnerships/_organisation_partnerships.html",
        {"partnerships": organisation_partnerships(affiliate, organisation)},
    )


def my_work_tasks_section(affiliate: Affiliate, user: User, today: dt.date) -> Section:
    """Return My work's reminders due and open tasks of the person."""
    return Section(
        "partnerships/_my_work_tasks.html", {"items": my_work_items(affiliate, user, today=today)}
    )
