"""What an import would do with every row, and what it wrote."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _


class ImportRejected(Exception):
    """At least one row cannot be imported, so nothing was written."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__(_("Some rows cannot be imported; nothing was written."))
        self.plan = plan


def row_message(number: int, message: str) -> str:
    """Return a message about one row, e.g. "Row 4: … is not a valid e-mail address."."""
    return _("Row %(number)s: %(message)s") % {"number": number, "message": message}


@dataclass(frozen=True)
class OrgRef:
    """An organisation a row points to: one already in the directory, or one an earlier row
    creates."""

    name: str
    existing_id: int | None = None
    row: int | None = None

    def where(self) -> str:
        """Return where this organisation is, in words."""
        if self.existing_id is not None:
            return _("“%(name)s” (in your directory)") % {"name": self.name}
        return _("“%(name)s” (row %(row)s)") % {"name": self.name, "row": self.row}


@dataclass(frozen=True)
class ContactRef:
    """A contact an e-mail address belongs to: in the directory, or created by an earlier row."""

    name: str
    organisation: OrgRef | None
    existing_id: int | None = None
    row: int | None = None

    def where(self) -> str:
        """Return who this contact is and where, in words."""
        if self.existing_id is not None:
            place = _("in your directory")
        else:
            place = _("row %(row)s") % {"row": self.row}
        if "@" in self.name and self.organisation:
            # A contact known only by its address: name the organisation instead.
            return _("a contact at “%(org)s” (%(place)s)") % {
                "org": self.organisation.name,
                "place": place,
            }
        if "@" in self.name:
            return _("a contact (%(place)s)") % {"place": place}
        if self.organisation:
            return _("“%(name)s” at “%(org)s” (%(place)s)") % {
                "name": self.name,
                "org": self.organisation.name,
                "place": place,
            }
        return _("“%(name)s” (%(place)s)") % {"name": self.name, "place": place}


@dataclass
class RowPlan:
    """What one row would do, or why it cannot be imported."""

    number: int
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # "create", "existing", "update" (an existing one, with this row's details) or "file"
    # (created by an earlier row).
    org_action: str = ""
    organisation: OrgRef | None = None
    org_fields: dict[str, Any] = field(default_factory=dict)
    org_tags: list[str] = field(default_factory=list)
    contact_fields: dict[str, Any] | None = None
    # The existing contact this row's contact details update (update modes only).
    contact_existing_id: int | None = None
    # The "source of the data" is the import's own note, not the file's: an update keeps its own.
    default_source: bool = False
    # The earlier row whose contact this row's contact details were merged into.
    merged_into: int | None = None
    # Already in the directory, and the user chose to skip such rows: nothing is written.
    skipped: bool = False

    @property
    def ok(self) -> bool:
        """Return True when the row can be imported."""
        return not self.errors

    @property
    def contact_name(self) -> str:
        """Return the name of the contact this row creates, if any."""
        return str(self.contact_fields["name"]) if self.contact_fields else ""

    @property
    def contact_emails(self) -> str:
        """Return the e-mail addresses of the contact this row creates, comma-separated."""
        if not self.contact_fields:
            return ""
        return ", ".join(str(self.contact_fields.get("emails", "")).splitlines())

    def error_line(self) -> str:
        """Return one line that says why the row cannot be imported."""
        return row_message(self.number, " ".join(self.errors))


@dataclass
class ImportPlan:
    """The verdict on every row, the columns left out, and what would be created."""

    rows: list[RowPlan]
    ignored_columns: list[str]
    notes: list[str]
    mapping_problems: list[str] = field(default_factory=list)
    # The directory records the rows were judged against (a rows.Directory).
    directory: Any = field(default=None, repr=False, compare=False)

    @property
    def rejected(self) -> list[RowPlan]:
        """Return the rows that cannot be imported."""
        return [r for r in self.rows if not r.ok]

    @property
    def accepted(self) -> list[RowPlan]:
        """Return the rows that can be imported and are not skipped."""
        return [r for r in self.rows if r.ok and not r.skipped]

    @property
    def skipped(self) -> list[RowPlan]:
        """Return the rows skipped because they are already in the directory."""
        return [r for r in self.rows if r.ok and r.skipped]

    @property
    def is_valid(self) -> bool:
        """Return True when every row can be imported and there is at least one."""
        return bool(self.rows) and not self.mapping_problems and not self.rejected

    @property
    def new_organisations(self) -> int:
        """Return how many organisations the accepted rows would create."""
        return sum(1 for r in self.accepted if r.org_action == "create")

    @property
    def new_contacts(self) -> int:
        """Return how many contacts the accepted rows would create."""
        return sum(
            1
            for r in self.accepted
            if r.contact_fields is not None and r.contact_existing_id is None
        )

    @property
    def updated_organisations(self) -> int:
        """Return how many existing organisations the accepted rows would update."""
        return len({r.organisation for r in self.accepted if r.org_action == "update"})

    @property
    def updated_contacts(self) -> int:
        """Return how many existing contacts the accepted rows would update."""
        return len({r.contact_existing_id for r in self.accepted if r.contact_existing_id})


@dataclass(frozen=True)
class ImportCounts:
    """What an import wrote."""

    rows: int
    organisations: int
    contacts: int
    skipped: int = 0
    rejected: int = 0
    updated_organisations: int = 0
    updated_contacts: int = 0
    # The rows left out when only the valid rows were imported: number -> why.
    rejected_reasons: dict[int, str] = field(default_factory=dict)

    def as_result(self) -> dict[str, int]:
        """Return the counts to keep on an import batch, leaving out the zeros."""
        result = {"rows": self.rows, "organisations": self.organisations, "contacts": self.contacts}
        for key in ("skipped", "rejected", "updated_organisations", "updated_contacts"):
            if getattr(self, key):
                result[key if key != "skipped" else "skipped_rows"] = getattr(self, key)
        return result
