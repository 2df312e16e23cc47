"""Erasing a contact leaves their name, e-mail and phone nowhere in the database."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django_tasks_db.models import DBTaskResult

from hub.core.models import AuditEvent
from hub.helpdesk.models import HelpRequest, Notification
from hub.partners import imports, services
from hub.partners.models import Interaction
from hub.partners.spreadsheets import read_bytes
from hub.partnerships.todo import services as todo
from tests import factories
from tests import helpdesk_factories as hd

NAME, EMAIL, PHONE = "Zofia Prywatna", "zofia@prywatna.example", "+48 601 234 567"


def texts_in_database() -> list[tuple[str, str, Any]]:
    """Return (model, column, value) for every text and JSON value of every model's rows."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        columns = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not columns:
            continue
        for row in model._default_manager.values_list(*columns):
            for column, value in zip(columns, row, strict=True):
                if value:
                    found.append((model._meta.label, column, value))
    return found


def leaks(*needles: str) -> list[tuple[str, str]]:
    """Return where any of the texts survives (case-insensitively), as (model, column)."""
    leaked = []
    for label, column, value in texts_in_database():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        if any(n.casefold() in text.casefold() for n in needles):
            leaked.append((label, column))
    return leaked


def mention_everywhere(affiliate: Any, actor: Any, staff: Any) -> Any:
    """Create the contact and name them wherever a volunteer could, through the services."""
    org = factories.organisation(affiliate, actor=actor, name="Muzeum Narodowe")
    contact = factories.contact(org, actor=actor, name=NAME, emails=EMAIL, phone=PHONE)
    interaction = factories.interaction(
        org, actor=actor, summary=f"Met {NAME}; call her on {PHONE}.", contacts=[contact]
    )
    services.update_interaction(
        actor=actor, interaction=interaction, summary=f"Met {NAME} again, wrote to {EMAIL}."
    )
    todo.create_task(
        actor=actor,
        affiliate=affiliate,
        title=f"Send {NAME} the agreement",
        notes=f"Her phone is {PHONE}",
        assignee=actor,
        due_on=dt.date(2026, 12, 1),
    )
    table = read_bytes(f"name,e-mail,phone\n{NAME},{EMAIL},{PHONE}\n".encode(), "contacts.csv")
    imports.create_batch(actor=actor, affiliate=affiliate, table=table)
    hd.help_request(
        affiliate=affiliate,
        name=NAME,
        email=EMAIL,
        partner=f"Muzeum Narodowe ({NAME})",
        description=f"Our curator {NAME} ({PHONE}) has 300 scans.",
    )
    hd.help_request(
        affiliate=affiliate,
        partner="Muzeum Narodowe",
        description=f"Ask {NAME} at {EMAIL} about the scans.",
    )
    return contact


@pytest.mark.django_db
def test_erasing_a_contact_leaves_their_data_nowhere(
    affiliate_a, member_a, django_capture_on_commit_callbacks
):
    staff = hd.staff()
    with django_capture_on_commit_callbacks(execute=True):
        contact = mention_everywhere(affiliate_a, member_a, staff)
    # Every place the brief names really holds the person before the erasure.
    places = {label for label, _column in leaks(NAME)}
    assert {
        "partners.Interaction",
        "partnerships.Task",
        "core.AuditEvent",
        "partners.ImportBatch",
        "helpdesk.HelpRequest",
        "helpdesk.Notification",
        "django_tasks_database.DBTaskResult",
    } <= places

    services.erase_contact(actor=member_a, contact=contact)

    assert leaks(NAME, EMAIL, PHONE) == []
    # The records stay, with a neutral marker where the person was.
    assert Interaction.objects.get().summary == "Met [erased] again, wrote to [erased]."
    assert HelpRequest.objects.filter(name="[erased]", email="").count() == 1
    assert Notification.objects.filter(text__contains="[erased]").exists()
    erased = AuditEvent.objects.get(action="contact.erased")
    assert erased.changes["scrubbed"][1]  # how many records, per app: counts only


@pytest.mark.django_db
def test_erasure_drops_unsent_mail_to_the_person_and_spares_other_affiliates(
    affiliate_a, affiliate_b, member_a, django_capture_on_commit_callbacks
):
    org_b = factories.organisation(affiliate_b, name="Another museum")
    homonym = factories.interaction(org_b, summary=f"{NAME} of another town.")
    with django_capture_on_commit_callbacks(execute=True):
        contact = mention_everywhere(affiliate_a, member_a, hd.staff())
    to_person = [
        row
        for row in DBTaskResult.objects.all()
        if any(EMAIL in str(to) for to in row.args_kwargs["args"][2])
    ]
    assert to_person

    services.erase_contact(actor=member_a, contact=contact)

    assert not DBTaskResult.objects.filter(pk__in=[r.pk for r in to_person]).exists()
    homonym.refresh_from_db()
    assert homonym.summary == f"{NAME} of another town."
