"""Write an import in bulk: every accepted row in one transaction, with one audit event."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.models import Affiliate, User
from hub.partners import services
from hub.partners.imports.plan import ImportCounts, ImportPlan, ImportRejected, RowPlan
from hub.partners.imports.planning import UPDATE_MODES, plan_import
from hub.partners.keys import (
    contact_search_text,
    organisation_search_text,
)
from hub.partners.models import (
    Contact,
    ContactEmail,
    ImportBatch,
    Organisation,
    PartnerType,
    Tag,
)
from hub.partners.spreadsheets import Table

# Rows per INSERT: well under SQLite's limit of variables per statement for every model here.
BULK_SIZE = 500
# Values that count as "not filled in" when an update only fills in what is missing.
_UNSET: dict[str, Any] = {"partner_type": PartnerType.OTHER}


def apply_import(
    *,
    actor: User | None,
    affiliate: Affiliate,
    table: Table,
    mapping: Sequence[str],
    source: str | None = None,
    skip_existing: bool = False,
    existing_rows: str | None = None,
    keep_valid: bool = False,
    batch: ImportBatch | None = None,
) -> ImportCounts:
    """Import the rows in one transaction, in bulk, with one audit event listing what changed.

    The rows are judged again inside the transaction, against the directory as it is now. Any
    rejected row raises ImportRejected and nothing is written, unless keep_valid: then the valid
    rows are written and the counts say which rows were left out and why.
    """
    with transaction.atomic():
        plan = plan_import(
            table=table,
            mapping=mapping,
            affiliate=affiliate,
            source=source,
            skip_existing=skip_existing,
            existing_rows=existing_rows,
        )
        if plan.mapping_problems or not plan.rows or (plan.rejected and not keep_valid):
            raise ImportRejected(plan)
        reject_dependants(plan)
        if not plan.accepted and plan.rejected:
            raise ImportRejected(plan)
        writer = _Writer(affiliate, plan, overwrite=existing_rows == UPDATE_MODES[1])
        writer.write()
        counts = ImportCounts(
            rows=len(plan.accepted),
            organisations=len(writer.created_orgs),
            contacts=len(writer.created_contacts),
            skipped=len(plan.skipped),
            rejected=len(plan.rejected),
            updated_organisations=len(writer.updated_orgs),
            updated_contacts=len(writer.updated_contacts),
            rejected_reasons={r.number: " ".join(r.errors) for r in plan.rejected},
        )
        audit.record(
            actor=actor,
            affiliate=affiliate,
            action="partners.imported",
            target=batch if batch is not None else affiliate,
            changes=writer.changes(table.filename),
        )
    return counts


def reject_dependants(plan: ImportPlan) -> None:
    """Reject the rows that lean on a rejected row: its organisation, or its person."""
    rejected = {r.number for r in plan.rows if not r.ok}
    for row in plan.rows:
        if not row.ok:
            continue
        org_row = row.organisation.row if row.organisation and row.org_action == "file" else None
        if org_row in rejected:
            row.errors.append(
                _("Its organisation comes from row %(row)s, which cannot be imported.")
                % {"row": org_row}
            )
        elif row.merged_into in rejected:
            row.errors.append(
                _("The same person is in row %(row)s, which cannot be imported.")
                % {"row": row.merged_into}
            )
        else:
            continue
        rejected.add(row.number)


class _Writer:
    """Create and update the records of an import's accepted rows, a few statements per kind."""

    def __init__(self, affiliate: Affiliate, plan: ImportPlan, *, overwrite: bool) -> None:
        self.affiliate, self.rows, self.overwrite = affiliate, plan.accepted, overwrite
        self.created_orgs: dict[int, Organisation] = {}
        self.created_contacts: list[Contact] = []
        self.updated_orgs: dict[int, dict[str, Any]] = {}
        self.updated_contacts: dict[int, dict[str, Any]] = {}
        ids = {r.organisation.existing_id for r in self.rows if r.organisation}
        self.existing = Organisation.objects.filter(affiliate=affiliate).in_bulk(
            [pk for pk in ids if pk is not None]
        )

    def write(self) -> None:
        """Write everything the accepted rows say, in dependency order."""
        self._create_organisations()
        self._update_organisations()
        self._create_contacts()
        self._update_contacts()
        for org in {c.organisation_id for c in self.created_contacts} & set(self.existing):
            # Their search text names their contacts; new organisations were written with it.
            services.refresh_search_text(self.existing[org])
            self.existing[org].save(update_fields=["search_text", "updated_at"])

    def changes(self, filename: str) -> dict[str, Any]:
        """Return what the audit event records: the file, and every record created or changed."""
        return {
            "file": filename,
            "organisations_created": [[o.pk, o.name] for o in self.created_orgs.values()],
            "contacts_created": [[c.pk, c.name] for c in self.created_contacts],
            "organisations_updated": self.updated_orgs,
            "contacts_updated": self.updated_contacts,
        }

    def _organisation_of(self, row: RowPlan) -> Organisation | None:
        ref = row.organisation
        if ref is None:
            return None
        if ref.existing_id is not None:
            return self.existing[ref.existing_id]
        if row.org_action == "file" and ref.row is not None:
            return self.created_orgs[ref.row]
        return self.created_orgs[row.number]

    def _create_organisations(self) -> None:
        contacts: dict[int, list[tuple[str, str]]] = {}
        for row in self.rows:
            if row.contact_fields and row.contact_existing_id is None and not row.merged_into:
                if row.organisation and row.organisation.row is not None:
                    contacts.setdefault(row.organisation.row, []).append(
                        (row.contact_fields["name"], row.contact_fields.get("emails", ""))
                    )
        created_at: dict[int, Any] = {}
        for row in self.rows:
            if row.org_action != "create":
                continue
            fields = dict(row.org_fields)
            if "created_at" in fields:
                created_at[row.number] = fields.pop("created_at")
            org = Organisation(affiliate=self.affiliate, **fields)
            services.derive_organisation_keys(org)
            org.search_text = organisation_search_text(
                name=org.name,
                other_names=org.other_names,
                city=org.city,
                website_domain=org.website_domain,
                wikidata_qid=org.wikidata_qid,
                contacts=contacts.get(row.number, []),
            )
            self.created_orgs[row.number] = org
        Organisation.objects.bulk_create(self.created_orgs.values(), batch_size=BULK_SIZE)
        if created_at:
            # The date from the file: bulk_create stamps every new row with the current time.
            dated = []
            for number, moment in created_at.items():
                self.created_orgs[number].created_at = moment
                dated.append(self.created_orgs[number])
            Organisation.objects.bulk_update(dated, ["created_at"], batch_size=BULK_SIZE)
        self._add_tags(
            [
                (self.created_orgs[r.number], r.org_tags)
                for r in self.rows
                if r.org_action == "create"
            ]
        )

    def _update_organisations(self) -> None:
        tagged = []
        for row in self.rows:
            if row.org_action != "update":
                continue
            org = self.existing[row.organisation.existing_id]  # type: ignore[union-attr,index]
            fields = dict(row.org_fields)
            if not self.overwrite:
                fields.pop("created_at", None)
            changes = self._fill(org, fields, self.updated_orgs.setdefault(org.pk, {}))
            if changes:
                services.derive_organisation_keys(org)
                services.refresh_search_text(org)
                org.save()
            if row.org_tags:
                tagged.append((org, row.org_tags))
        self.updated_orgs = {pk: c for pk, c in self.updated_orgs.items() if c}
        self._add_tags(tagged)

    def _fill(self, record: models.Model, fields: dict[str, Any], changes: dict[str, Any]) -> bool:
        """Set the fields the mode allows on a record, note what changed; return if any did."""
        changed = False
        for name, value in fields.items():
            old = getattr(record, name)
            if name == "emails":
                known = [e for e in str(old).splitlines() if e]
                value = "\n".join(dict.fromkeys(known + str(value).splitlines()))
            elif not self.overwrite and old not in ("", None, _UNSET.get(name, "")):
                continue
            if name == "region_overridden":
                continue  # follows the region, below
            if value != old and str(value) != str(old):
                setattr(record, name, value)
                changes[name] = [audit_value(old), audit_value(value)]
                changed = True
        if "region" in changes:
            record.region_overridden = bool(fields.get("region_overridden"))  # type: ignore[attr-defined]
        return changed

    def _add_tags(self, tagged: list[tuple[Organisation, list[str]]]) -> None:
        wanted = {name.strip()[:60].casefold(): name.strip()[:60] for _o, t in tagged for name in t}
        if not wanted:
            return
        known = {t.name.casefold(): t for t in Tag.objects.filter(affiliate=self.affiliate)}
        missing = [
            Tag(affiliate=self.affiliate, name=n) for k, n in wanted.items() if k not in known
        ]
        Tag.objects.bulk_create(missing, batch_size=BULK_SIZE)
        known.update({t.name.casefold(): t for t in missing})
        through = Organisation.tags.through
        present = set(
            through.objects.filter(organisation__in=[o for o, _t in tagged]).values_list(
                "organisation_id", "tag_id"
            )
        )
        links = []
        for org, names in tagged:
            for name in names:
                key = (org.pk, known[name.strip()[:60].casefold()].pk)
                if key not in present:
                    present.add(key)
                    links.append(through(organisation_id=key[0], tag_id=key[1]))
        through.objects.bulk_create(links, batch_size=BULK_SIZE)

    def _create_contacts(self) -> None:
        for row in self.rows:
            if row.contact_fields is None or row.contact_existing_id or row.merged_into:
                continue
            organisation = self._organisation_of(row)
            contact = Contact(
                affiliate=self.affiliate, organisation=organisation, **row.contact_fields
            )
            contact.search_text = contact_search_text(
                name=contact.name,
                emails=contact.emails,
                role=contact.role,
                organisation_name=organisation.name if organisation else "",
            )
            self.created_contacts.append(contact)
        Contact.objects.bulk_create(self.created_contacts, batch_size=BULK_SIZE)
        _write_email_keys(self.created_contacts)

    def _update_contacts(self) -> None:
        ids = {r.contact_existing_id for r in self.rows if r.contact_existing_id}
        existing = Contact.objects.select_related("organisation").in_bulk(ids)
        changed: dict[int, Contact] = {}
        for row in self.rows:
            if row.contact_existing_id is None or row.contact_fields is None:
                continue
            contact = existing[row.contact_existing_id]
            changes = self.updated_contacts.setdefault(contact.pk, {})
            fields = dict(row.contact_fields)
            if row.default_source:
                del fields["legal_basis_source"]
            if self._fill(contact, fields, changes):
                services.refresh_contact_search_text(contact)
                contact.save()
                changed[contact.pk] = contact
        self.updated_contacts = {pk: c for pk, c in self.updated_contacts.items() if c}
        ContactEmail.objects.filter(contact__in=list(changed)).delete()
        _write_email_keys(list(changed.values()))
        for org in {c.organisation for c in changed.values() if c.organisation}:
            services.refresh_search_text(org)
            org.save(update_fields=["search_text", "updated_at"])


def _write_email_keys(contacts: list[Contact]) -> None:
    ContactEmail.objects.bulk_create(
        (
            ContactEmail(affiliate_id=c.affiliate_id, contact=c, email=email)
            for c in contacts
            for email in c.email_list
        ),
        batch_size=BULK_SIZE,
    )


def audit_value(value: Any) -> Any:
    """Return a value as the audit trail keeps it: plain JSON."""
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)
