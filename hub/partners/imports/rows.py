"""The cells of each row sorted by field, and the directory records the file's keys hit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core.models import Affiliate
from hub.partners import services
from hub.partners.imports.mapping import IGNORE
from hub.partners.imports.plan import ContactRef, OrgRef
from hub.partners.keys import normalise_name
from hub.partners.models import Contact, ContactEmail, Organisation
from hub.partners.spreadsheets import SourceRow


class Directory:
    """The affiliate's existing organisations and contact e-mails that the file's keys hit."""

    def __init__(
        self,
        affiliate: Affiliate,
        names: set[str],
        domains: set[str],
        qids: set[str],
        emails: set[str],
        people: Iterable[str] = (),
    ) -> None:
        self.affiliate = affiliate
        self.keys = (names, domains, qids, emails, set(people))
        self.orgs_by_name: dict[str, set[OrgRef]] = {}
        self.orgs_by_domain: dict[str, set[OrgRef]] = {}
        self.orgs_by_qid: dict[str, set[OrgRef]] = {}
        self.contacts_by_email: dict[str, set[ContactRef]] = {}
        # Contacts by (normalised name, organisation id): the update modes match a contact
        # without e-mail addresses by its name at the same organisation, when it is the only one.
        self.contacts_by_name: dict[tuple[str, int | None], int] = {}
        ambiguous: set[tuple[str, int | None]] = set()
        for chunk in chunks(sorted(set(people))):
            for pk, contact_name, org_id in Contact.objects.filter(
                affiliate=affiliate, name__in=chunk, archived_at__isnull=True
            ).values_list("id", "name", "organisation_id"):
                key: tuple[str, int | None] = (normalise_name(contact_name), org_id)
                if key in self.contacts_by_name:
                    ambiguous.add(key)
                self.contacts_by_name[key] = pk
        for twice in ambiguous:
            del self.contacts_by_name[twice]
        live = Organisation.objects.filter(affiliate=affiliate, archived_at__isnull=True)
        rows: list[tuple[int, str, str, str, str]] = []
        for lookup, keys in (
            ("normalised_name__in", names),
            ("website_domain__in", domains),
            ("wikidata_qid__in", qids),
        ):
            for chunk in chunks(sorted(keys)):
                rows += live.filter(**{lookup: chunk}).values_list(
                    "id", "name", "normalised_name", "website_domain", "wikidata_qid"
                )
        for pk, name, norm, domain, qid in set(rows):
            ref = OrgRef(name=name, existing_id=pk)
            if norm:
                self.orgs_by_name.setdefault(norm, set()).add(ref)
            if domain:
                self.orgs_by_domain.setdefault(domain, set()).add(ref)
            if qid:
                self.orgs_by_qid.setdefault(qid, set()).add(ref)
        for chunk in chunks(sorted(emails)):
            found = ContactEmail.objects.filter(
                affiliate=affiliate, email__in=chunk, contact__archived_at__isnull=True
            ).values_list(
                "email",
                "contact_id",
                "contact__name",
                "contact__organisation_id",
                "contact__organisation__name",
            )
            for email, contact_id, contact_name, org_id, org_name in found:
                org = OrgRef(name=org_name, existing_id=org_id) if org_id else None
                self.contacts_by_email.setdefault(email, set()).add(
                    ContactRef(name=contact_name, organisation=org, existing_id=contact_id)
                )


def unchanged(directory: Directory) -> bool:
    """Return True when the directory still holds what it held for the file's keys."""
    again = Directory(directory.affiliate, *directory.keys)
    return all(
        getattr(again, kind) == getattr(directory, kind)
        for kind in (
            "orgs_by_name",
            "orgs_by_domain",
            "orgs_by_qid",
            "contacts_by_email",
            "contacts_by_name",
        )
    )


def chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class RowValues:
    single: dict[str, str]
    emails: list[str]
    tags: list[str]
    other_names: list[str]
    notes: list[str]


def row_values(row: SourceRow, headers: Sequence[str], mapping: Sequence[str]) -> RowValues:
    values = RowValues(single={}, emails=[], tags=[], other_names=[], notes=[])
    notes_columns = sum(1 for t in mapping if t == "notes")
    for header, target, cell in zip(headers, mapping, row.cells, strict=False):
        if not cell or target == IGNORE:
            continue
        if target in {"email", "email_extra"}:
            values.emails.append(cell)
        elif target == "tags":
            # Commas as typed in the Hub's forms, semicolons as the Hub's export writes them.
            values.tags += services.parse_tags(cell.replace(";", ","))
        elif target == "org_other_names":
            names = cell.replace(";", "\n").splitlines()
            values.other_names += [n.strip() for n in names if n.strip()]
        elif target == "notes":
            values.notes.append(f"{header}: {cell}" if notes_columns > 1 else cell)
        else:
            values.single[target] = cell
    return values


def model_errors(instance: Organisation | Contact, exclude: list[str]) -> list[str]:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        messages = []
        for name, errors in exc.message_dict.items():
            label = str(getattr(instance._meta.get_field(name), "verbose_name", name))
            label = label.capitalize()
            messages += [f"{label}: {e}" for e in errors]
        return messages
    return []


def person_name(v: RowValues) -> str:
    s = v.single
    if s.get("contact_name"):
        return s["contact_name"]
    if s.get("first_name") and s.get("last_name"):
        return f"{s['first_name']} {s['last_name']}"
    if v.emails:
        return s.get("first_name") or s.get("last_name") or ""
    return ""


def split_emails(cell: str) -> list[str]:
    parts = cell.replace(",", "\n").replace(";", "\n").splitlines()
    return [p.strip().lower() for p in parts if p.strip()]


def default_source(filename: str) -> str:
    """Return the "source of the data" recorded for contacts imported from a file."""
    today = timezone.localdate().isoformat()
    return (_("Imported from %(file)s on %(date)s") % {"file": filename, "date": today})[:200]
