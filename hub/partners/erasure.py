"""Scrub an erased person from the partner directory's other records (see hub.core.erasure)."""

from __future__ import annotations

from hub.core import audit
from hub.core.erasure import Person, scrub_rows
from hub.partners.models import Contact, ImportBatch, Interaction, Organisation
from hub.partners.personal_data import owned_contacts
from hub.partners.services import refresh_search_text


def _delete_contacts(person: Person) -> int:
    """Delete the contacts that are the person, with every audit row about them."""
    contacts = owned_contacts(person)
    organisations = {c.organisation for c in contacts if c.organisation is not None}
    for contact in contacts:
        audit.events_for(contact).delete()
    Contact.objects.filter(pk__in=[c.pk for c in contacts]).delete()
    for org in organisations:
        # The organisation's search text held the contact's name and address.
        refresh_search_text(org)
        org.save(update_fields=["search_text", "updated_at"])
    return len(contacts)


def scrub_partners(person: Person) -> int:
    """Delete the person's own contacts; replace their mentions in interactions, notes,
    descriptions and import rows."""
    affiliate = person.affiliate
    return (
        _delete_contacts(person)
        + scrub_rows(person, Interaction.objects.filter(affiliate=affiliate), ["summary"])
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
