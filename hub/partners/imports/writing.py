"""Write an import in bulk: every accepted row in one transaction, with one audit event."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.models import Affiliate, User
from hub.partners import services
from hub.partners.imports.inserts import PreparedRows
from hub.partners.imports.plan import ImportCounts, ImportPlan, ImportRejected, RowPlan
from hub.partners.imports.planning import UPDATE_MODES, plan_import
from hub.partners.imports.rows import unchanged
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
    on_write: Callable[[ImportCounts], None] | None = None,
) -> ImportCounts:
    """Import the rows in bulk in one transaction, with one audit event listing what changed.

    Any rejected row raises ImportRejected and nothing is written, unless keep_valid: then the
    valid rows are written and the counts say which rows were left out and why. The rows are
    judged and the records built before the transaction, so that other writers wait only for
    the inserts. If anything changed meanwhile (a newer audit event: every change is audited)
    and the directory no longer holds what the rows were judged against, they are judged again
    inside the transaction, against the directory as it is then.
    on_write runs inside the transaction, after the writes (a batch records its result).
    """
    options = {
        "table": table,
        "mapping": mapping,
        "affiliate": affiliate,
        "source": source,
        "skip_existing": skip_existing,
        "existing_rows": existing_rows,
    }
    overwrite = existing_rows == UPDATE_MODES[1]
    stamp = audit.latest_stamp(affiliate)
    writer = _Writer(affiliate, _judged(options, keep_valid), overwrite=overwrite)
    with transaction.atomic():
        if audit.latest_stamp(affiliate) != stamp and not unchanged(writer.plan.directory):
            writer = _Writer(affiliate, _judged(options, keep_valid), overwrite=overwrite)
        writer.write()
        plan = writer.plan
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
        if on_write is not None:
            on_write(counts)
    return counts


def _judged(options: dict[str, Any], keep_valid: bool) -> ImportPlan:
    """Return the plan of an import that may go ahead, or raise ImportRejected."""
    plan = plan_import(**options)
    if plan.mapping_problems or not plan.rows or (plan.rejected and not keep_valid):
        raise ImportRejected(plan)
    reject_dependants(plan)
    if not plan.accepted and plan.rejected:
        raise ImportRejected(plan)
    return plan


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
        """Build the new records in memory; nothing is written yet."""
        self.affiliate, self.plan, self.overwrite = affiliate, plan, overwrite
        self.rows = plan.accepted
        self.created_orgs: dict[int, Organisation] = {}
        self.created_contacts: list[Contact] = []
        self.updated_orgs: dict[int, dict[str, Any]] = {}
        self.updated_contacts: dict[int, dict[str, Any]] = {}
        ids = {r.organisation.existing_id for r in self.rows if r.organisation}
        self.existing = Organisation.objects.filter(affiliate=affiliate).in_bulk(
            [pk for pk in ids if pk is not None]
        )
        self.created_at: dict[int, Any] = {}
        self._build_organisations()
        self._build_contacts()
        self.org_rows = PreparedRows(Organisation, self.created_orgs.values())
        self._build_tag_links()
        numbers = list(self.created_orgs)
        for number, moment in self.created_at.items():
            self.org_rows.set_value(numbers.index(number), "created_at", moment)
        self.contact_rows = PreparedRows(Contact, self.created_contacts, later=["organisation"])
        self.email_rows = PreparedRows(
            ContactEmail,
            (
                ContactEmail(affiliate=affiliate, contact=c, email=email)
                for c in self.created_contacts
                for email in c.email_list
            ),
            later=["contact"],
        )

    def write(self) -> None:
        """Write everything the accepted rows say, in dependency order."""
        # The organisations to update as they are now, inside the transaction.
        updated = [
            r.organisation.existing_id
            for r in self.rows
            if r.org_action == "update" and r.organisation is not None
        ]
        self.existing.update(Organisation.objects.in_bulk(updated))
        self.org_rows.insert()
        self._save_new_tags()
        self.link_rows.insert(with_ids=False)
        self._update_organisations()
        self.contact_rows.insert()
        self.email_rows.insert(with_ids=False)
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

    def _build_organisations(self) -> None:
        contacts: dict[int, list[tuple[str, str]]] = {}
        for row in self.rows:
            if row.contact_fields and row.contact_existing_id is None and not row.merged_into:
                if row.organisation and row.organisation.row is not None:
                    contacts.setdefault(row.organisation.row, []).append(
                        (row.contact_fields["name"], row.contact_fields.get("emails", ""))
                    )
        for row in self.rows:
            if row.org_action != "create":
                continue
            fields = dict(row.org_fields)
            if "created_at" in fields:
                self.created_at[row.number] = fields.pop("created_at")
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

    def _build_tag_links(self) -> None:
        """Build the new organisations' tags: existing ones by name, and new ones unsaved."""
        wanted = {
            name.strip()[:60].casefold(): name.strip()[:60]
            for r in self.rows
            if r.org_action == "create"
            for name in r.org_tags
        }
        found = Tag.objects.filter(affiliate=self.affiliate) if wanted else Tag.objects.none()
        self.tags = {t.name.casefold(): t for t in found if t.name.casefold() in wanted}
        for key, name in wanted.items():
            self.tags.setdefault(key, Tag(affiliate=self.affiliate, name=name))
        through = Organisation.tags.through
        links = [
            through(organisation=self.created_orgs[r.number], tag=self.tags[key])
            for r in self.rows
            if r.org_action == "create"
            for key in dict.fromkeys(n.strip()[:60].casefold() for n in r.org_tags)
        ]
        self.link_rows = PreparedRows(through, links, later=["organisation", "tag"])

    def _save_new_tags(self) -> None:
        """Insert the tags the file adds, unless someone added them since they were looked up."""
        new = {t.name: t for t in self.tags.values() if t.pk is None}
        for tag in Tag.objects.filter(affiliate=self.affiliate, name__in=list(new)):
            new.pop(tag.name).pk = tag.pk
        Tag.objects.bulk_create(new.values())

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
        PreparedRows(through, links).insert(with_ids=False)

    def _build_contacts(self) -> None:
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
