"""The partner directory's records about a person: contacts, interactions, notes, imports."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from hub.core.erasure import Person, looks_like_phone, phone_lookup, rows_mentioning
from hub.core.models import Affiliate
from hub.core.personal_data import Found, Identity
from hub.partners.keys import normalise_email
from hub.partners.models import Contact, ImportBatch, Interaction, Organisation
from hub.partners.selectors import contact_personal_data


def _contact_label(contact: Contact) -> str:
    """Return "Name (Organisation)", or the name with "no organisation"."""
    nowhere = _("no organisation")
    return f"{contact.name} ({contact.organisation or nowhere})"


def contact_key(contact: Contact) -> str:
    """Return the key naming the contact in Person.records."""
    return f"{Contact._meta.label_lower}:{contact.pk}"


def _contacts(affiliate: Affiliate | None) -> QuerySet[Contact]:
    return Contact.objects.filter(affiliate=affiliate).select_related("organisation")


def identify_contacts(affiliate: Affiliate | None, query: str) -> Iterator[Identity]:
    """Return the affiliate's contacts with this e-mail address, this phone (by its digits),
    or exactly this name."""
    if "@" in query:
        match = Q(email_keys__email=normalise_email(query))
    elif looks_like_phone(query):
        match = phone_lookup("phone", query)
    else:
        match = Q(name__iexact=query)
    for contact in _contacts(affiliate).filter(match).distinct().order_by("name", "pk"):
        yield Identity(
            key=contact_key(contact),
            kind=_("Contact"),
            label=_contact_label(contact),
            names=(contact.name,),
            emails=tuple(contact.email_list),
            phones=(contact.phone,) if contact.phone else (),
            url=_contact_url(contact),
        )


def owned_contacts(person: Person) -> list[Contact]:
    """Return the contacts that are the person: chosen on the page, or with their address."""
    emails = [normalise_email(e) for e in person.emails]
    return [
        c
        for c in _contacts(person.affiliate)
        .filter(
            Q(email_keys__email__in=emails)
            | Q(pk__in=[int(k.rsplit(":", 1)[1]) for k in person.records if _is_contact(k)])
        )
        .distinct()
    ]


def _is_contact(key: str) -> bool:
    return key.startswith(f"{Contact._meta.label_lower}:")


def _contact_url(contact: Contact) -> str:
    return reverse(
        "partners:contact_detail", kwargs={"slug": contact.affiliate.slug, "pk": contact.pk}
    )


def find_in_partners(person: Person) -> Iterator[Found]:
    """Yield the person's contacts, then every interaction, note and import that names them."""
    affiliate = person.affiliate
    owned = owned_contacts(person)
    for contact in owned:
        yield Found(
            kind=_("Contact"),
            label=_contact_label(contact),
            url=_contact_url(contact),
            data=contact_personal_data(contact),
        )
    others = _contacts(affiliate).exclude(pk__in=[c.pk for c in owned])
    for contact in rows_mentioning(person, others, ["notes", "role"]):
        yield Found(
            kind=_("Another contact's notes"),
            label=contact.name,
            url=_contact_url(contact),
            data={"role": contact.role, "notes": contact.notes},
        )
    interactions = Interaction.objects.filter(affiliate=affiliate).select_related(
        "organisation", "affiliate"
    )
    for interaction in rows_mentioning(person, interactions, ["summary"]):
        yield Found(
            kind=_("Interaction"),
            label=f"{interaction.date:%Y-%m-%d} · {interaction.organisation}",
            url=reverse(
                "partners:organisation_detail",
                kwargs={"slug": interaction.affiliate.slug, "pk": interaction.organisation_id},
            ),
            data={
                "date": interaction.date.isoformat(),
                "kind": interaction.kind,
                "organisation": interaction.organisation.name,
                "summary": interaction.summary,
            },
        )
    organisations = Organisation.objects.filter(affiliate=affiliate).select_related("affiliate")
    for org in rows_mentioning(person, organisations, ["description", "other_names"]):
        yield Found(
            kind=_("Organisation"),
            label=org.name,
            url=reverse(
                "partners:organisation_detail", kwargs={"slug": org.affiliate.slug, "pk": org.pk}
            ),
            data={"description": org.description, "other_names": org.other_names},
        )
    batches = ImportBatch.objects.filter(affiliate=affiliate)
    for batch in rows_mentioning(
        person, batches, ["filename"], ["headers", "rows", "notes", "result"]
    ):
        yield Found(
            kind=_("Spreadsheet import"),
            label=f"{batch.created_at:%Y-%m-%d} · {batch.filename}",
            data={
                "filename": batch.filename,
                "rows": [
                    dict(zip(batch.headers, row, strict=False))
                    for row in batch.rows
                    if person.mentioned_in(" ".join(str(cell) for cell in row))
                ],
                "notes": batch.notes,
            },
        )
