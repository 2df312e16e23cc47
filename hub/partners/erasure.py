"""Scrub an erased person from the partner directory's other records (see hub.core.erasure)."""

from __future__ import annotations

from hub.core.erasure import Person, scrub_rows
from hub.partners.models import Contact, ImportBatch, Interaction, Organisation


def scrub_partners(person: Person) -> int:
    """Replace the person's mentions in interactions, notes, descriptions and import rows."""
    affiliate = person.affiliate
    return (
        scrub_rows(person, Interaction.objects.filter(affiliate=affiliate), ["summary"])
        + scrub_rows(person, Contact.objects.filter(affiliate=affiliate), ["notes", "role"])
        + scrub_rows(
            person,
            Organisation.objects.filter(affiliate=affiliate),
            ["description", "other_names"],
        )
        + scrub_rows(
            person,
            ImportBatch.objects.filter(affiliate=affiliate),
            ["filename"],
            json_fields=["headers", "rows", "notes", "result"],
        )
    )
