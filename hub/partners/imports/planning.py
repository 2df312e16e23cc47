"""Judge every row of a file in order: what it would create, or why it cannot be imported."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hub.core.models import Affiliate
from hub.core.regions import Region, region_for_country
from hub.partners.imports.mapping import (
    CONTACT_DETAIL_FIELDS,
    CONTACT_IDENTITY_FIELDS,
    IGNORE,
    ORG_DETAIL_FIELDS,
    check_mapping,
    field_label,
)
from hub.partners.imports.plan import ContactRef, ImportPlan, OrgRef, RowPlan
from hub.partners.imports.rows import (
    Directory,
    RowValues,
    default_source,
    model_errors,
    person_name,
    row_values,
    split_emails,
)
from hub.partners.imports.values import (
    DateError,
    clean_website,
    legal_basis_index,
    lookup,
    parse_bool,
    parse_date,
    parse_moment,
    partner_type_index,
    region_index,
    resolve_country,
    status_index,
)
from hub.partners.keys import normalise_name, normalise_qid, website_domain
from hub.partners.models import Contact, ImportBatch, Organisation, PartnerType
from hub.partners.spreadsheets import SourceRow, Table
from hub.partners.validators import clean_email_lines, validate_qid

KEY_WORDS = {
    "name": gettext_lazy("name"),
    "website": gettext_lazy("website"),
    "qid": gettext_lazy("Wikidata item"),
}
UPDATE_MODES = (ImportBatch.ExistingRows.FILL, ImportBatch.ExistingRows.OVERWRITE)


def _choice(
    raw: str, index: dict[str, str], choices: Any, message: str, plan: RowPlan
) -> str | None:
    """Return the choice a cell names, or None after adding ``message`` to the row's errors.

    ``message`` takes the cell's ``value`` and the labels of the ``choices`` it could name.
    """
    found = lookup(index, raw)
    if found is None:
        labels = ", ".join(str(label) for _value, label in choices)
        plan.errors.append(message % {"value": raw[:60], "choices": labels})
    return found


class _Planner:
    """Walk the rows in order, remembering what earlier rows create, and judge each one."""

    def __init__(
        self,
        table: Table,
        mapping: Sequence[str],
        affiliate: Affiliate,
        source: str,
        existing_rows: str = ImportBatch.ExistingRows.REJECT,
    ) -> None:
        self.table, self.mapping, self.affiliate = table, list(mapping), affiliate
        self.source = source
        self.skip_existing = existing_rows == ImportBatch.ExistingRows.SKIP
        self.update_existing = existing_rows in UPDATE_MODES
        self.values = [row_values(r, table.headers, self.mapping) for r in table.rows]
        names, domains, qids, emails = set(), set(), set(), set()
        for v in self.values:
            for key in (v.single.get("org_name", ""), person_name(v)):
                if normalise_name(key):
                    names.add(normalise_name(key))
            if website := v.single.get("website"):
                domains.add(website_domain(website))
            if qid := v.single.get("wikidata_qid"):
                qids.add(normalise_qid(qid))
            for cell in v.emails:
                emails.update(split_emails(cell))
        self.directory = Directory(
            affiliate,
            names - {""},
            domains - {""},
            qids - {""},
            emails,
            people={person_name(v) for v in self.values} - {""} if self.update_existing else set(),
        )
        self.row_plans: dict[int, RowPlan] = {}
        self.file_orgs: dict[tuple[str, str], OrgRef] = {}
        self.file_contacts: dict[str, ContactRef] = {}
        self.file_people: dict[tuple[str, OrgRef | None], int] = {}

    def plan(self) -> list[RowPlan]:
        """Return the verdict on every row, in file order."""
        plans = []
        for row, values in zip(self.table.rows, self.values, strict=True):
            plans.append(self._plan_row(row, values))
            self.row_plans[row.number] = plans[-1]
        return plans

    def _plan_row(self, row: SourceRow, v: RowValues) -> RowPlan:
        plan = RowPlan(number=row.number, errors=list(row.errors))
        has_contact = bool(v.emails) or any(v.single.get(k) for k in CONTACT_IDENTITY_FIELDS)
        org_details = [k for k in ORG_DETAIL_FIELDS if v.single.get(k)]
        if v.tags:
            org_details.append("tags")
        if v.other_names:
            org_details.append("org_other_names")
        has_contact_details = bool(v.notes) or any(v.single.get(k) for k in CONTACT_DETAIL_FIELDS)
        if not (has_contact or has_contact_details or org_details or v.single.get("org_name")):
            plan.errors.append(_("Nothing in this row goes into a field the Hub keeps."))
            return plan

        contact = self._contact_fields(v, plan) if has_contact or has_contact_details else None
        org_name = v.single.get("org_name", "")
        person = person_name(v)
        if not org_name and org_details:
            if contact is not None and person:
                # An individual with a website or a country is a partner in their own right:
                # DESIGN's partner types include "individual expert".
                org_name = person
                plan.notes.append(
                    _(
                        "No organisation is named: “%(name)s” will be recorded as an "
                        "individual-expert partner with this row's organisation details."
                    )
                    % {"name": person}
                )
            else:
                plan.errors.append(
                    _("The row has organisation details (%(fields)s) but no organisation name.")
                    % {"fields": ", ".join(field_label(k) for k in org_details)}
                )
        if org_name:
            self._organisation(
                v,
                plan,
                org_name,
                is_person=org_name == person and not v.single.get("org_name"),
                with_contact=contact is not None,
            )
        if contact is not None:
            self._match_contact(plan, contact)
            plan.contact_fields = contact
        return plan

    # -- organisations --

    def _org_fields(
        self, v: RowValues, plan: RowPlan, name: str, is_person: bool
    ) -> dict[str, Any]:
        fields: dict[str, Any] = {"name": name}
        if v.other_names:
            fields["other_names"] = "\n".join(dict.fromkeys(v.other_names))
        if raw := v.single.get("partner_type"):
            partner_type = _choice(
                raw,
                partner_type_index(),
                PartnerType.choices,
                _("“%(value)s” is not a partner type the Hub knows. Use one of: %(choices)s."),
                plan,
            )
            if partner_type is not None:
                fields["partner_type"] = partner_type
        elif is_person:
            fields["partner_type"] = PartnerType.EXPERT
        if raw := v.single.get("status"):
            status = _choice(
                raw,
                status_index(),
                Organisation.Status.choices,
                _("“%(value)s” is not a status the Hub knows. Use one of: %(choices)s."),
                plan,
            )
            if status is not None:
                fields["status"] = status
        if raw := v.single.get("country"):
            code = resolve_country(raw)
            if not code:
                plan.errors.append(
                    _(
                        "“%(value)s” is not a country the Hub knows. Use its English name or its "
                        "two-letter ISO code (for example CI for Côte d'Ivoire)."
                    )
                    % {"value": raw[:60]}
                )
            else:
                fields["country"] = code
        if raw := v.single.get("website"):
            try:
                fields["website"] = clean_website(raw)
            except ValidationError as exc:
                plan.errors += exc.messages
        if raw := v.single.get("wikidata_qid"):
            try:
                validate_qid(raw)
                fields["wikidata_qid"] = normalise_qid(raw)
            except ValidationError as exc:
                plan.errors += exc.messages
        for key in ("city", "description"):
            if raw := v.single.get(key):
                fields[key] = raw
        if raw := v.single.get("region"):
            region = _choice(
                raw,
                region_index(),
                Region.choices,
                _("“%(value)s” is not a region the Hub knows. Use one of: %(choices)s."),
                plan,
            )
            if region is not None:
                fields["region"] = region
                fields["region_overridden"] = region != region_for_country(
                    fields.get("country", "")
                )
        if raw := v.single.get("created"):
            try:
                created = parse_moment(raw)
            except DateError as exc:
                plan.errors.append(str(exc))
            else:
                if created > timezone.now():
                    plan.errors.append(_("The date the organisation was added is in the future."))
                fields["created_at"] = created
        candidate = Organisation(affiliate=self.affiliate, **fields)
        plan.errors += model_errors(
            candidate,
            exclude=["affiliate", "country", "website", "wikidata_qid", "tags", "created_at"],
        )
        for tag in v.tags:
            if len(tag) > 60:
                plan.errors.append(
                    _("The tag “%(tag)s…” is longer than 60 characters.") % {"tag": tag[:40]}
                )
        return fields

    def _organisation(
        self, v: RowValues, plan: RowPlan, name: str, *, is_person: bool, with_contact: bool
    ) -> None:
        fields = self._org_fields(v, plan, name, is_person)
        keys = {
            "name": normalise_name(name),
            "website": website_domain(fields.get("website", "")),
            "qid": fields.get("wikidata_qid", ""),
        }
        found: dict[OrgRef, list[str]] = {}
        existing = {
            "name": self.directory.orgs_by_name,
            "website": self.directory.orgs_by_domain,
            "qid": self.directory.orgs_by_qid,
        }
        for kind, key in keys.items():
            if not key:
                continue
            for ref in existing[kind].get(key, set()):
                found.setdefault(ref, []).append(kind)
            if ref_in_file := self.file_orgs.get((kind, key)):
                found.setdefault(ref_in_file, []).append(kind)
        words = KEY_WORDS
        if len(found) > 1:
            described = "; ".join(
                _("%(where)s by %(keys)s")
                % {"where": ref.where(), "keys": ", ".join(str(words[k]) for k in kinds)}
                for ref, kinds in sorted(found.items(), key=lambda item: item[0].where())
            )
            plan.errors.append(
                _(
                    "This row matches more than one organisation: %(matches)s. Make the row point "
                    "to one of them, or merge the duplicates first."
                )
                % {"matches": described}
            )
            return
        if found:
            ref, kinds = next(iter(found.items()))
            same = ", ".join(str(words[k]) for k in kinds)
            if ref.existing_id is not None and self.update_existing:
                plan.organisation, plan.org_action = ref, "update"
                plan.org_fields, plan.org_tags = fields, list(dict.fromkeys(v.tags))
                return
            if not with_contact:
                if ref.existing_id is not None and self.skip_existing:
                    plan.organisation, plan.org_action = ref, "existing"
                    plan.skipped = True
                    return
                if ref.existing_id is not None:
                    message = _(
                        "“%(name)s” is already in your directory as “%(other)s” (same %(keys)s)."
                    )
                else:
                    message = _(
                        "“%(name)s” is already in this file at row %(row)s as "
                        "“%(other)s” (same %(keys)s)."
                    )
                plan.errors.append(
                    message % {"name": name, "other": ref.name, "row": ref.row, "keys": same}
                )
                return
            plan.organisation = ref
            plan.org_action = "existing" if ref.existing_id is not None else "file"
            if "name" not in kinds:
                plan.notes.append(
                    _("The organisation was matched to %(where)s by its %(keys)s.")
                    % {"where": ref.where(), "keys": same}
                )
            extra = [k for k in ORG_DETAIL_FIELDS if v.single.get(k)]
            if extra and not is_person:
                plan.notes.append(
                    _(
                        "%(where)s already exists; this row's organisation details (%(fields)s) "
                        "are not applied to it."
                    )
                    % {"where": ref.where(), "fields": ", ".join(field_label(k) for k in extra)}
                )
            return
        ref = OrgRef(name=name, row=plan.number)
        plan.organisation, plan.org_action = ref, "create"
        plan.org_fields, plan.org_tags = fields, list(dict.fromkeys(v.tags))
        for kind, key in keys.items():
            if key:
                self.file_orgs.setdefault((kind, key), ref)

    # -- contacts --

    def _contact_fields(self, v: RowValues, plan: RowPlan) -> dict[str, Any] | None:
        s = v.single
        emails: list[str] = []
        for cell in v.emails:
            try:
                emails += [e for e in clean_email_lines(cell) if e not in emails]
            except ValidationError as exc:
                plan.errors += exc.messages
        full, first, last = (
            s.get("contact_name", ""),
            s.get("first_name", ""),
            s.get("last_name", ""),
        )
        if full:
            name = full
        elif first and last:
            name = f"{first} {last}"
        elif (first or last) and (emails or v.emails):
            name = first or last
        elif emails or v.emails:
            name = emails[0] if emails else ""
        else:
            if first or last:
                plan.errors.append(
                    _(
                        "“%(name)s” alone is not enough to identify a contact: add a last name or "
                        "an e-mail address."
                    )
                    % {"name": (first or last)[:80]}
                )
            else:
                plan.errors.append(
                    _(
                        "There is not enough to identify a contact: add a name (first and last) "
                        "or an e-mail address, or leave the contact columns empty."
                    )
                )
            return None
        fields: dict[str, Any] = {"name": name, "emails": "\n".join(emails)}
        for key in ("role", "phone", "preferred_language"):
            if s.get(key):
                fields[key] = s[key]
        if raw := s.get("legal_basis"):
            basis = _choice(
                raw,
                legal_basis_index(),
                Contact.LegalBasis.choices,
                _("“%(value)s” is not a legal basis the Hub knows. Use one of: %(choices)s."),
                plan,
            )
            if basis is not None:
                fields["legal_basis"] = basis
        fields["legal_basis_source"] = s.get("legal_basis_source") or self.source
        plan.default_source = not s.get("legal_basis_source")
        if raw := s.get("legal_basis_date"):
            try:
                fields["legal_basis_date"] = parse_date(raw)
            except DateError as exc:
                plan.errors.append(str(exc))
        if raw := s.get("do_not_contact"):
            flag = parse_bool(raw)
            if flag is None:
                plan.errors.append(
                    _("“%(value)s” in “do not contact” is neither yes nor no.")
                    % {"value": raw[:40]}
                )
            else:
                fields["do_not_contact"] = flag
        if v.notes:
            fields["notes"] = "\n".join(v.notes)
        candidate = Contact(affiliate=self.affiliate, **fields)
        plan.errors += model_errors(candidate, exclude=["affiliate", "organisation", "emails"])
        return fields

    def _match_contact(self, plan: RowPlan, fields: dict[str, Any]) -> None:
        emails = [e for e in str(fields.get("emails", "")).splitlines() if e]
        found: dict[ContactRef, list[str]] = {}
        for email in emails:
            for ref in self.directory.contacts_by_email.get(email, set()):
                found.setdefault(ref, []).append(email)
            if ref_in_file := self.file_contacts.get(email):
                found.setdefault(ref_in_file, []).append(email)
        if len(found) > 1:
            described = "; ".join(
                _("%(emails)s belongs to %(who)s")
                % {"emails": ", ".join(addrs), "who": ref.where()}
                for ref, addrs in sorted(found.items(), key=lambda item: item[0].where())
            )
            plan.errors.append(
                _(
                    "This row's e-mail addresses belong to different contacts: %(matches)s. Split "
                    "the row, or merge the contacts first."
                )
                % {"matches": described}
            )
            return
        if found:
            ref, addrs = next(iter(found.items()))
            same_organisation = plan.organisation is None or ref.organisation == plan.organisation
            if ref.existing_id is not None and self.update_existing and same_organisation:
                plan.contact_existing_id = ref.existing_id
                return
            if ref.row is not None and same_organisation:
                self._merge_contact(plan, ref.row, ref, fields, emails)
                return
            if (
                self.skip_existing
                and ref.existing_id is not None
                and plan.org_action in ("existing", "")
                and ref.organisation == plan.organisation
            ):
                # The same contact at the same organisation: the row is already imported.
                plan.skipped = True
                return
            if plan.organisation is not None and ref.organisation != plan.organisation:
                plan.errors.append(
                    _(
                        "This row is ambiguous: the organisation matches %(org)s, but %(emails)s "
                        "belongs to %(who)s. Fix the row, or merge the records first."
                    )
                    % {
                        "org": plan.organisation.where(),
                        "emails": ", ".join(addrs),
                        "who": ref.where(),
                    }
                )
            else:
                plan.errors.append(
                    _("%(emails)s already belongs to %(who)s: this contact is a duplicate.")
                    % {"emails": ", ".join(addrs), "who": ref.where()}
                )
            return
        if self.update_existing and not emails:
            org_id = plan.organisation.existing_id if plan.organisation else None
            key = (normalise_name(str(fields["name"])), org_id)
            if key[0] and (same_name := self.directory.contacts_by_name.get(key)):
                plan.contact_existing_id = same_name
                return
        ref = ContactRef(name=str(fields["name"]), organisation=plan.organisation, row=plan.number)
        for email in emails:
            self.file_contacts.setdefault(email, ref)
        person_key = (normalise_name(str(fields["name"])), plan.organisation)
        if person_key[0] and (earlier := self.file_people.get(person_key)):
            plan.notes.append(
                _(
                    "The contact in row %(row)s has the same name; check that they are different "
                    "people."
                )
                % {"row": earlier}
            )
        else:
            self.file_people.setdefault(person_key, plan.number)

    def _merge_contact(
        self, plan: RowPlan, row: int, ref: ContactRef, fields: dict[str, Any], emails: list[str]
    ) -> None:
        """Fold a row's contact into the same person's contact in an earlier row."""
        earlier = self.row_plans[row]
        plan.merged_into = row
        plan.notes.append(
            _("The same person as in row %(row)s: their details are merged into one contact.")
            % {"row": row}
        )
        if earlier.contact_fields is None:
            return
        merged = earlier.contact_fields
        known = str(merged.get("emails", "")).splitlines()
        merged["emails"] = "\n".join(dict.fromkeys(known + emails))
        for email in emails:
            self.file_contacts.setdefault(email, ref)
        for key, value in fields.items():
            if key == "notes" and merged.get("notes") and value not in str(merged["notes"]):
                merged["notes"] = f"{merged['notes']}\n{value}"
            elif value not in ("", None) and not merged.get(key):
                merged[key] = value


def plan_import(
    *,
    table: Table,
    mapping: Sequence[str],
    affiliate: Affiliate,
    source: str | None = None,
    skip_existing: bool = False,
    existing_rows: str | None = None,
) -> ImportPlan:
    """Judge every row of a table under a mapping: what it would create, or why it cannot.

    existing_rows says what to do with rows that match records already in the directory
    (reject, skip, fill in or overwrite them); skip_existing is short for "skip".
    """
    problems = check_mapping(table.headers, mapping)
    ignored = [h for h, t in zip(table.headers, mapping, strict=False) if t == IGNORE]
    if problems:
        return ImportPlan(
            rows=[], ignored_columns=ignored, notes=list(table.notes), mapping_problems=problems
        )
    notes = list(table.notes)
    if not table.rows:
        notes.append(_("The file has a header row but no data rows."))
    if existing_rows is None:
        existing_rows = ImportBatch.ExistingRows.SKIP if skip_existing else ""
    planner = _Planner(
        table,
        mapping,
        affiliate,
        source or default_source(table.filename),
        existing_rows or ImportBatch.ExistingRows.REJECT,
    )
    return ImportPlan(
        rows=planner.plan(), ignored_columns=ignored, notes=notes, directory=planner.directory
    )
