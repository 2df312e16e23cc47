"""Every change to organisations, contacts and interactions: validated, atomic, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit, erasure
from hub.core.models import Affiliate, User
from hub.core.regions import region_for_country
from hub.partners.keys import (
    contact_search_text,
    normalise_email,
    normalise_name,
    normalise_qid,
    organisation_search_text,
    website_domain,
)
from hub.partners.models import Contact, ContactEmail, Interaction, Organisation, Tag
from hub.partners.validators import clean_email_lines

ORGANISATION_FIELDS = (
    "name",
    "other_names",
    "partner_type",
    "country",
    "region",
    "region_overridden",
    "city",
    "website",
    "wikidata_qid",
    "description",
    "status",
    "status_overridden",
)
CONTACT_FIELDS = (
    "name",
    "role",
    "organisation",
    "emails",
    "phone",
    "preferred_language",
    "legal_basis",
    "legal_basis_source",
    "legal_basis_date",
    "do_not_contact",
    "notes",
)
INTERACTION_FIELDS = ("date", "kind", "summary", "follow_up_on", "follow_up_done")


def _organisation_snapshot(org: Organisation) -> dict[str, Any]:
    data = audit.snapshot(org, ORGANISATION_FIELDS)
    data["country"] = str(org.country.code) if org.country else ""
    if org.pk:
        data["tags"] = sorted(t.name for t in org.tags.all())
    return data


def refresh_search_text(org: Organisation) -> None:
    """Rebuild the organisation's search text from its names, city and contacts."""
    contacts = (
        org.contacts.filter(archived_at__isnull=True).values_list("name", "emails")
        if org.pk
        else []
    )
    org.search_text = organisation_search_text(
        name=org.name,
        other_names=org.other_names,
        city=org.city,
        website_domain=org.website_domain,
        wikidata_qid=org.wikidata_qid,
        contacts=contacts,
    )


def refresh_contact_search_text(contact: Contact) -> None:
    """Rebuild the contact's search text from its name, e-mails, role and organisation."""
    contact.search_text = contact_search_text(
        name=contact.name,
        emails=contact.emails,
        role=contact.role,
        organisation_name=contact.organisation.name if contact.organisation else "",
    )


def _refresh_contacts_search_text(org: Organisation) -> None:
    """Rebuild, in bulk, the search text of the organisation's contacts (rename, merge)."""
    changed = []
    for contact in Contact.objects.filter(organisation=org).only(
        "id", "name", "emails", "role", "search_text"
    ):
        before = contact.search_text
        contact.organisation = org  # the row we hold, with its new name: no query per contact
        refresh_contact_search_text(contact)
        if contact.search_text != before:
            changed.append(contact)
    # Derived text only: neither updated_at nor the audit trail change for the contacts.
    Contact.objects.bulk_update(changed, ["search_text"], batch_size=500)


def _derive_organisation_keys(org: Organisation) -> None:
    org.wikidata_qid = normalise_qid(org.wikidata_qid)
    org.normalised_name = normalise_name(org.name)
    org.website_domain = website_domain(org.website)
    if not org.region_overridden:
        org.region = region_for_country(str(org.country.code) if org.country else "")


def _set_tags(org: Organisation, names: Iterable[str]) -> None:
    wanted: list[Tag] = []
    for raw in names:
        name = raw.strip()[:60]
        if name and name.casefold() not in {w.name.casefold() for w in wanted}:
            tag = Tag.objects.filter(affiliate=org.affiliate, name__iexact=name).first()
            if tag is None:
                tag = Tag.objects.create(affiliate=org.affiliate, name=name)
            wanted.append(tag)
    org.tags.set(wanted)


def parse_tags(raw: str) -> list[str]:
    """Return tag names from comma-separated text."""
    return [t.strip() for t in (raw or "").split(",") if t.strip()]


@transaction.atomic
def create_organisation(
    *, actor: User | None, affiliate: Affiliate, tags: Iterable[str] = (), **fields: Any
) -> Organisation:
    """Create an organisation in the affiliate's directory and record who did it."""
    org = Organisation(affiliate=affiliate, **fields)
    _derive_organisation_keys(org)
    org.full_clean()
    refresh_search_text(org)
    org.save()
    _set_tags(org, tags)
    audit.record(
        actor=actor,
        affiliate=affiliate,
        action="organisation.created",
        target=org,
        changes=audit.diff({}, _organisation_snapshot(org)),
    )
    return org


@transaction.atomic
def update_organisation(
    *,
    actor: User | None,
    organisation: Organisation,
    tags: Iterable[str] | None = None,
    **fields: Any,
) -> Organisation:
    """Change an organisation's fields (and tags) and record what changed."""
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = _organisation_snapshot(org)
    old_name = org.name
    for name, value in fields.items():
        if name not in ORGANISATION_FIELDS:
            raise ValueError(f"unknown organisation field {name}")
        setattr(org, name, value)
    if org.status != before["status"] and "status_overridden" not in fields:
        org.status_overridden = True  # a person said so: partnerships no longer change it
    _derive_organisation_keys(org)
    org.full_clean()
    refresh_search_text(org)
    org.save()
    if org.name != old_name:
        _refresh_contacts_search_text(org)
    if tags is not None:
        _set_tags(org, tags)
    changes = audit.diff(before, _organisation_snapshot(org))
    if changes:
        audit.record(
            actor=actor,
            affiliate=org.affiliate,
            action="organisation.updated",
            target=org,
            changes=changes,
        )
    return org


@transaction.atomic
def follow_partnerships(
    *,
    actor: User | None,
    organisation_ids: Iterable[int],
    running: set[int],
    resume: bool = False,
) -> list[Organisation]:
    """Make each organisation an active partner while one of its partnerships runs (its id in
    running), and a former partner once none runs anymore; return those whose status changed.

    A status set by hand stays, unless resume hands it back to the partnerships.
    """
    orgs = Organisation.objects.select_for_update().filter(pk__in=list(organisation_ids))
    if not resume:
        orgs = orgs.filter(status_overridden=False)
    changed = []
    for org in orgs.select_related("affiliate").order_by("pk"):
        before = audit.snapshot(org, ["status", "status_overridden"])
        if org.pk in running:
            org.status = Organisation.Status.ACTIVE
        elif org.status == Organisation.Status.ACTIVE:
            org.status = Organisation.Status.FORMER
        org.status_overridden = False
        changes = audit.diff(before, audit.snapshot(org, ["status", "status_overridden"]))
        if changes:
            org.save(update_fields=["status", "status_overridden", "updated_at"])
            audit.record(
                actor=actor,
                affiliate=org.affiliate,
                action="organisation.status_followed",
                target=org,
                changes=changes,
            )
            changed.append(org)
    return changed


@transaction.atomic
def archive_organisation(*, actor: User | None, organisation: Organisation) -> Organisation:
    """Hide an organisation from lists without deleting anything."""
    if organisation.archived_at is None:
        organisation.archived_at = timezone.now()
        organisation.save(update_fields=["archived_at", "updated_at"])
        audit.record(
            actor=actor,
            affiliate=organisation.affiliate,
            action="organisation.archived",
            target=organisation,
        )
    return organisation


@transaction.atomic
def restore_organisation(*, actor: User | None, organisation: Organisation) -> Organisation:
    """Bring an archived organisation back into the lists."""
    if organisation.archived_at is not None:
        organisation.archived_at = None
        organisation.save(update_fields=["archived_at", "updated_at"])
        audit.record(
            actor=actor,
            affiliate=organisation.affiliate,
            action="organisation.restored",
            target=organisation,
        )
    return organisation


def _check_same_affiliate(affiliate: Affiliate, *objs: Any) -> None:
    for obj in objs:
        if obj is not None and obj.affiliate_id != affiliate.pk:
            raise ValidationError(_("That record belongs to another affiliate."))


def _sync_contact_emails(contact: Contact) -> None:
    contact.email_keys.all().delete()
    ContactEmail.objects.bulk_create(
        ContactEmail(
            affiliate_id=contact.affiliate_id, contact=contact, email=normalise_email(email)
        )
        for email in contact.email_list
    )


def _touch_organisation(org: Organisation | None) -> None:
    if org is None:
        return
    refresh_search_text(org)
    org.save(update_fields=["search_text", "updated_at"])


def _contact_snapshot(contact: Contact) -> dict[str, Any]:
    return audit.snapshot(contact, CONTACT_FIELDS)


@transaction.atomic
def create_contact(*, actor: User | None, affiliate: Affiliate, **fields: Any) -> Contact:
    """Add a contact person, with the legal basis for holding their data."""
    fields["emails"] = "\n".join(clean_email_lines(fields.get("emails", "") or ""))
    contact = Contact(affiliate=affiliate, **fields)
    _check_same_affiliate(affiliate, contact.organisation)
    contact.full_clean()
    refresh_contact_search_text(contact)
    contact.save()
    _sync_contact_emails(contact)
    _touch_organisation(contact.organisation)
    audit.record(
        actor=actor,
        affiliate=affiliate,
        action="contact.created",
        target=contact,
        changes=audit.diff({}, _contact_snapshot(contact)),
    )
    return contact


@transaction.atomic
def update_contact(*, actor: User | None, contact: Contact, **fields: Any) -> Contact:
    """Change a contact person's details and record what changed."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    before = _contact_snapshot(contact)
    old_org = contact.organisation
    if "emails" in fields:
        fields["emails"] = "\n".join(clean_email_lines(fields["emails"] or ""))
    for name, value in fields.items():
        if name not in CONTACT_FIELDS:
            raise ValueError(f"unknown contact field {name}")
        setattr(contact, name, value)
    _check_same_affiliate(contact.affiliate, contact.organisation)
    contact.full_clean()
    refresh_contact_search_text(contact)
    contact.save()
    _sync_contact_emails(contact)
    _touch_organisation(contact.organisation)
    if old_org is not None and old_org != contact.organisation:
        _touch_organisation(old_org)
    changes = audit.diff(before, _contact_snapshot(contact))
    if changes:
        audit.record(
            actor=actor,
            affiliate=contact.affiliate,
            action="contact.updated",
            target=contact,
            changes=changes,
        )
    return contact


@transaction.atomic
def archive_contact(*, actor: User | None, contact: Contact) -> Contact:
    """Hide a contact from lists and search without deleting it."""
    if contact.archived_at is None:
        contact.archived_at = timezone.now()
        contact.save(update_fields=["archived_at", "updated_at"])
        _touch_organisation(contact.organisation)
        audit.record(
            actor=actor, affiliate=contact.affiliate, action="contact.archived", target=contact
        )
    return contact


@transaction.atomic
def erase_contact(*, actor: User | None, contact: Contact) -> None:
    """Erase a person's data: the record, its e-mail keys, every audit row about them, and
    their name, e-mail and phone wherever the affiliate's records mention them."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    org = contact.organisation
    affiliate = contact.affiliate
    person = erasure.Person(
        affiliate=affiliate,
        names=(contact.name,),
        emails=tuple(contact.email_list),
        phones=(contact.phone,),
    )
    audit.events_for(contact).delete()
    contact_id = contact.pk
    contact.delete()
    _touch_organisation(org)
    # Keep the fact that an erasure happened and how many records were scrubbed, without any
    # of the person's data.
    erasure.erase_person(
        actor=actor,
        person=person,
        action="contact.erased",
        target_type="partners.contact",
        target_id=contact_id,
    )


def _interaction_people_check(
    affiliate: Affiliate, contacts: Iterable[Contact], users: Iterable[User]
) -> None:
    _check_same_affiliate(affiliate, *contacts)
    member_ids = set(affiliate.memberships.values_list("user_id", flat=True))
    for user in users:
        if user.pk not in member_ids:
            raise ValidationError(
                _("%(user)s is not a member of this affiliate."), params={"user": user}
            )


@transaction.atomic
def log_interaction(
    *,
    actor: User | None,
    organisation: Organisation,
    date: dt.date,
    kind: str,
    summary: str,
    contacts: Iterable[Contact] = (),
    users: Iterable[User] = (),
    follow_up_on: dt.date | None = None,
) -> Interaction:
    """Log a meeting, e-mail, call or event with a partner, with an optional follow-up date."""
    contacts, users = list(contacts), list(users)
    affiliate = organisation.affiliate
    _interaction_people_check(affiliate, contacts, users)
    interaction = Interaction(
        affiliate=affiliate,
        organisation=organisation,
        date=date,
        kind=kind,
        summary=summary,
        follow_up_on=follow_up_on,
        created_by=actor if actor and actor.pk else None,
    )
    interaction.full_clean()
    interaction.save()
    interaction.contacts.set(contacts)
    interaction.users.set(users)
    organisation.save(update_fields=["updated_at"])
    audit.record(
        actor=actor,
        affiliate=affiliate,
        action="interaction.logged",
        target=organisation,
        changes={
            "interaction": [None, f"{interaction.get_kind_display()} {date}"],
            "follow_up_on": [None, _plain_date(follow_up_on)],
        },
    )
    return interaction


def _plain_date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


@transaction.atomic
def update_interaction(
    *,
    actor: User | None,
    interaction: Interaction,
    contacts: Iterable[Contact] | None = None,
    users: Iterable[User] | None = None,
    **fields: Any,
) -> Interaction:
    """Change a logged interaction and record what changed."""
    interaction = Interaction.objects.select_for_update().get(pk=interaction.pk)
    before = audit.snapshot(interaction, INTERACTION_FIELDS)
    for name, value in fields.items():
        if name not in INTERACTION_FIELDS:
            raise ValueError(f"unknown interaction field {name}")
        setattr(interaction, name, value)
    interaction.full_clean()
    interaction.save()
    if contacts is not None or users is not None:
        contacts = list(contacts) if contacts is not None else list(interaction.contacts.all())
        users = list(users) if users is not None else list(interaction.users.all())
        _interaction_people_check(interaction.affiliate, contacts, users)
        interaction.contacts.set(contacts)
        interaction.users.set(users)
    changes = audit.diff(before, audit.snapshot(interaction, INTERACTION_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            affiliate=interaction.affiliate,
            action="interaction.updated",
            target=interaction.organisation,
            changes=changes,
        )
    return interaction


@transaction.atomic
def complete_follow_up(*, actor: User | None, interaction: Interaction) -> Interaction:
    """Mark an interaction's follow-up as done."""
    return update_interaction(actor=actor, interaction=interaction, follow_up_done=True)


@transaction.atomic
def merge_organisations(
    *, actor: User | None, keep: Organisation, duplicate: Organisation
) -> Organisation:
    """Fold a duplicate into the organisation to keep: move contacts, interactions and tags.

    The duplicate's names become other names of the kept one; blank fields of the kept one
    are filled from the duplicate; the duplicate is archived, and the audit trail of both says
    what moved.
    """
    if keep.pk == duplicate.pk:
        raise ValidationError(_("An organisation cannot be merged into itself."))
    if keep.affiliate_id != duplicate.affiliate_id:
        raise ValidationError(_("That record belongs to another affiliate."))
    keep = Organisation.objects.select_for_update().get(pk=keep.pk)
    duplicate = Organisation.objects.select_for_update().get(pk=duplicate.pk)
    before = _organisation_snapshot(keep)

    contact_ids = list(duplicate.contacts.values_list("id", flat=True))
    interaction_ids = list(duplicate.interactions.values_list("id", flat=True))
    moved_tags = [t.name for t in duplicate.tags.all()]
    Contact.objects.filter(id__in=contact_ids).update(organisation=keep)
    Interaction.objects.filter(id__in=interaction_ids).update(organisation=keep)
    keep.tags.add(*duplicate.tags.all())

    names = keep.other_names_list
    for name in [duplicate.name, *duplicate.other_names_list]:
        if normalise_name(name) != keep.normalised_name and name not in names:
            names.append(name)
    keep.other_names = "\n".join(names)
    for field in ("country", "city", "website", "wikidata_qid", "description"):
        if not getattr(keep, field) and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
    _derive_organisation_keys(keep)
    refresh_search_text(keep)
    keep.save()
    _refresh_contacts_search_text(keep)  # the contacts moved in now belong to keep

    duplicate.archived_at = timezone.now()
    duplicate.save(update_fields=["archived_at", "updated_at"])
    moved = {
        "contacts": len(contact_ids),
        "interactions": len(interaction_ids),
        "tags": moved_tags,
    }
    audit.record(
        actor=actor,
        affiliate=keep.affiliate,
        action="organisation.merged_in",
        target=keep,
        changes={
            **audit.diff(before, _organisation_snapshot(keep)),
            "merged_from": [None, f"{duplicate.name} (#{duplicate.pk})"],
            "moved": [None, moved],
        },
    )
    audit.record(
        actor=actor,
        affiliate=keep.affiliate,
        action="organisation.merged_away",
        target=duplicate,
        changes={"merged_into": [None, f"{keep.name} (#{keep.pk})"], "moved": [None, moved]},
    )
    return keep


def derive_organisation_keys(org: Organisation) -> None:
    """Set an organisation's keys for duplicate detection and its region (for bulk imports)."""
    _derive_organisation_keys(org)
