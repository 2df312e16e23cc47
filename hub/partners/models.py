"""Organisations, contact people and the interaction log of one affiliate."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from hub.core.models import Affiliate
from hub.core.regions import Region
from hub.partners.validators import validate_qid


class PartnerType(models.TextChoices):
    MUSEUM = "museum", _("Museum")
    ARCHIVE = "archive", _("Archive")
    LIBRARY = "library", _("Library")
    GALLERY = "gallery", _("Gallery")
    UNIVERSITY = "university", _("University / research")
    SCHOOL = "school", _("School")
    GOVERNMENT = "government", _("Government body")
    INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental / international agency")
    EMBASSY = "embassy", _("Embassy")
    NGO = "ngo", _("NGO / association")
    FOUNDATION = "foundation", _("Foundation")
    COMPANY = "company", _("Company")
    MEDIA = "media", _("Media / journalists")
    PROFESSIONAL = "professional", _("Professional group")
    EXPERT = "expert", _("Individual expert")
    AFFILIATE = "affiliate", _("Wikimedia affiliate")
    FISCAL_SPONSOR = "fiscal_sponsor", _("Fiscal sponsor")
    OTHER = "other", _("Other")


GLAM_TYPES = frozenset(
    {PartnerType.MUSEUM, PartnerType.ARCHIVE, PartnerType.LIBRARY, PartnerType.GALLERY}
)


class Tag(models.Model):
    """A label an affiliate puts on its organisations."""

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["affiliate", "name"], name="tag_unique_per_affiliate")
        ]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A partner organisation (or prospect) in one affiliate's directory."""

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")
        FORMER = "former", _("Former")

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(_("name"), max_length=200)
    other_names = models.TextField(
        _("other names"),
        blank=True,
        help_text=_("One per line: acronyms, names in other languages."),
    )
    partner_type = models.CharField(
        _("partner type"), max_length=20, choices=PartnerType.choices, default=PartnerType.OTHER
    )
    country = CountryField(_("country"), blank=True)
    region = models.CharField(_("region"), max_length=10, choices=Region.choices, blank=True)
    region_overridden = models.BooleanField(_("region set by hand"), default=False)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    wikidata_qid = models.CharField(
        _("Wikidata item"),
        max_length=20,
        blank=True,
        validators=[validate_qid],
        help_text=_("The Wikidata id, e.g. Q190804."),
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROSPECT
    )
    # Else the status follows the partnerships (services.follow_partnerships).
    status_overridden = models.BooleanField(_("status set by hand"), default=False)
    tags = models.ManyToManyField(
        Tag, blank=True, related_name="organisations", verbose_name=_("tags")
    )
    fiscal_year_starts = models.PositiveSmallIntegerField(
        _("fiscal year starts (month)"),
        null=True,
        blank=True,
        choices=[(m, m) for m in range(1, 13)],
        help_text=_("When the partner plans its budget; the Hub reminds you ahead of it."),
    )
    budget_notice_months = models.PositiveSmallIntegerField(
        _("remind this many months ahead"), default=3
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Derived by the services: keys for duplicate detection and one text to search.
    normalised_name = models.CharField(max_length=200, blank=True, editable=False)
    website_domain = models.CharField(max_length=200, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    # Set by selectors.with_tag_names for list pages; not a column.
    tag_names: list[str]

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["affiliate", "archived_at", "name"]),
            models.Index(fields=["affiliate", "normalised_name"]),
            models.Index(fields=["affiliate", "website_domain"]),
            models.Index(fields=["affiliate", "wikidata_qid"]),
            models.Index(fields=["affiliate", "-updated_at"]),
            # The list's filters and sorts over live organisations: each index hands back rows
            # already in "name, id" order after its filter, so a page of 50 needs no sort of
            # 100,000 rows. Partial, because PostgreSQL cannot order by an index whose prefix is
            # matched with "archived_at IS NULL".
            models.Index(
                fields=["affiliate", "name", "id"],
                condition=models.Q(archived_at=None),
                name="org_live_name_idx",
            ),
            # The narrowest index of live organisations: counting a list reads it alone.
            models.Index(
                fields=["affiliate"],
                condition=models.Q(archived_at=None),
                name="org_live_count_idx",
            ),
            models.Index(
                fields=["affiliate", "partner_type", "name", "id"],
                condition=models.Q(archived_at=None),
                name="org_live_type_idx",
            ),
            models.Index(
                fields=["affiliate", "country", "name", "id"],
                condition=models.Q(archived_at=None),
                name="org_live_country_idx",
            ),
            models.Index(
                fields=["affiliate", "region", "name", "id"],
                condition=models.Q(archived_at=None),
                name="org_live_region_idx",
            ),
            models.Index(
                fields=["affiliate", "status", "name", "id"],
                condition=models.Q(archived_at=None),
                name="org_live_status_idx",
            ),
            # The public showcase filters the partners of every affiliate's published
            # partnerships by country or region: without these it read every organisation.
            models.Index(fields=["country"], name="org_country_idx"),
            models.Index(fields=["region"], name="org_region_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_glam(self) -> bool:
        return self.partner_type in GLAM_TYPES

    @property
    def other_names_list(self) -> list[str]:
        return [n.strip() for n in self.other_names.splitlines() if n.strip()]


class Contact(models.Model):
    """A person at a partner organisation: personal data with its legal basis."""

    class LegalBasis(models.TextChoices):
        CONSENT = "consent", _("Consent")
        LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")
        CONTRACT = "contract", _("Contract")

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="contacts")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    emails = models.TextField(
        _("e-mail addresses"),
        blank=True,
        help_text=_("One per line; the first is the main address."),
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=20, blank=True)
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=20,
        choices=LegalBasis.choices,
        default=LegalBasis.LEGITIMATE_INTEREST,
    )
    legal_basis_source = models.CharField(
        _("source of the data"),
        max_length=200,
        blank=True,
        help_text=_("Where the data came from, e.g. 'business card at GLAM meeting'."),
    )
    legal_basis_date = models.DateField(_("date of consent or collection"), null=True, blank=True)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Derived by the services: name, e-mails, role and organisation's name, folded, to search.
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["affiliate", "archived_at", "name"]),
            # The list of live contacts in "name, id" order, and its count, from the index alone
            # (partial for the same reason as the organisations' list indexes).
            models.Index(
                fields=["affiliate", "name", "id"],
                condition=models.Q(archived_at=None),
                name="contact_live_name_idx",
            ),
            # An organisation's live people in "name" order (its page, the partner portal):
            # found from the organisation, not by reading every contact of its affiliate.
            models.Index(
                fields=["organisation", "archived_at", "name"], name="contact_org_live_name_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def email_list(self) -> list[str]:
        return [e.strip() for e in self.emails.splitlines() if e.strip()]

    @property
    def main_email(self) -> str:
        emails = self.email_list
        return emails[0] if emails else ""


class ContactEmail(models.Model):
    """One normalised e-mail address of a contact, kept for duplicate detection."""

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="email_keys")
    email = models.CharField(max_length=254)

    class Meta:
        indexes = [models.Index(fields=["affiliate", "email"])]

    def __str__(self) -> str:
        return self.email


class Interaction(models.Model):
    """A meeting, e-mail, call or event with a partner, with an optional follow-up date."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("E-mail")
        CALL = "call", _("Call")
        EVENT = "event", _("Event")
        OTHER = "other", _("Other")

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="interactions")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="interactions",
        verbose_name=_("organisation"),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MEETING)
    summary = models.TextField(_("summary"))
    contacts = models.ManyToManyField(
        Contact, blank=True, related_name="interactions", verbose_name=_("contacts involved")
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="interactions",
        verbose_name=_("people from our side"),
    )
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-date"]),
            models.Index(fields=["affiliate", "follow_up_done", "follow_up_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class ImportBatch(models.Model):
    """A spreadsheet read for import: its rows and column mapping, kept until confirmed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        QUEUED = "queued", _("Importing")
        APPLIED = "applied", _("Imported")
        FAILED = "failed", _("Failed")

    class ExistingRows(models.TextChoices):
        REJECT = "reject", _("Reject them")
        SKIP = "skip", _("Skip them and keep what you have")
        FILL = "fill", _("Fill in what is missing in your directory")
        OVERWRITE = "overwrite", _("Overwrite your directory with the file's values")

    class InvalidRows(models.TextChoices):
        NOTHING = "nothing", _("Import nothing until every row can be imported")
        VALID = "valid", _("Import the valid rows and give me a file of the rejected ones")

    affiliate = models.ForeignKey(
        Affiliate, on_delete=models.CASCADE, related_name="import_batches"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(_("file name"), max_length=200)
    headers: models.JSONField[Any] = models.JSONField(default=list)
    # The parsed cells as text, never the file itself; emptied once the import is applied.
    rows: models.JSONField[Any] = models.JSONField(default=list, blank=True)
    mapping: models.JSONField[Any] = models.JSONField(default=list)
    existing_rows = models.CharField(
        _("rows that match an organisation you already have"),
        max_length=10,
        choices=ExistingRows.choices,
        default=ExistingRows.REJECT,
    )
    invalid_rows = models.CharField(
        _("rows that cannot be imported"),
        max_length=10,
        choices=InvalidRows.choices,
        default=InvalidRows.NOTHING,
    )
    notes: models.JSONField[Any] = models.JSONField(default=list, blank=True)
    # The background task applying the batch, to notice when it failed for good.
    task_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    result: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["affiliate", "status", "created_at"])]

    def __str__(self) -> str:
        return self.filename


class ImportMapping(models.Model):
    """The column choices an affiliate made last for a file with the same headings."""

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    # The folded headings, joined: the same columns in the same order, whatever their case.
    headers_key = models.CharField(max_length=64)
    mapping: models.JSONField[Any] = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["affiliate", "headers_key"], name="import_mapping_unique_headers"
            )
        ]

    def __str__(self) -> str:
        return self.headers_key


class ReconciliationKey(models.Model):
    """A person's secret address for the directory's reconciliation service (OpenRefine).

    The key in the address opens one affiliate's directory for reading, as its holder; only its
    hash is kept. Revoking it, or the holder leaving the affiliate, closes the address.
    """

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reconciliation_keys"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"


class WikidataCandidate(models.Model):
    """A Wikidata item that may be the organisation, scored; a coordinator accepts or rejects it.

    An accepted one keeps the facts it brought back, each with the statement it came from.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("To review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="wikidata_candidates"
    )
    qid = models.CharField(max_length=20)
    label = models.CharField(max_length=300, blank=True)
    description = models.CharField(max_length=500, blank=True)
    score = models.FloatField(default=0)
    # Why it scored so: [{"id": "name", "value": 0.93}, {"id": "country", "value": true}, ...]
    reasons = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    facts = models.JSONField(default=list, blank=True)
    facts_fetched_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "qid"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "qid"], name="wikidata_candidate_once_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.qid} ({self.label})" if self.label else self.qid


class WikidataRun(models.Model):
    """A batch look-up of Wikidata candidates over a directory, in chunks a worker can resume."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Stopped")

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # The last organisation id whose candidates are saved: a resumed run goes on after it.
    cursor = models.PositiveBigIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)
    # Tries in a row that Wikidata did not answer; after HUB_TASK_MAX_ATTEMPTS the run stops.
    failures = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.affiliate} {self.created_at:%Y-%m-%d} ({self.done}/{self.total})"
