"""A batch upload: a partnership's metadata sheet, its files, and a ledger row per file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.core.models import Affiliate
from hub.partnerships.models import Partnership
from hub.wikimedia.projects import wiki_name

COMMONS_API = "https://commons.wikimedia.org/w/api.php"


class UploadBatch(models.Model):
    """One collection going to a wiki: the sheet, the page template, the account, the progress."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        CHECKING = "checking", _("Being checked")
        FETCHING = "fetching", _("Fetching files")
        RUNNING = "running", _("Uploading")
        PAUSED = "paused", _("Paused")
        CANCELLED = "cancelled", _("Cancelled")
        FINISHED = "finished", _("Finished")

    class Template(models.TextChoices):
        INFORMATION = "information", _("{{Information}}")
        ARTWORK = "artwork", _("{{Artwork}}")
        PHOTOGRAPH = "photograph", _("{{Photograph}}")
        CUSTOM = "custom", _("Our own template (Pattypan or edited)")

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="upload_batches"
    )
    title = models.CharField(_("name of the batch"), max_length=200)
    wiki_url = models.URLField(_("wiki API address"), max_length=300, default=COMMONS_API)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    # The sheet as read: its headers, the column -> field mapping, where it came from.
    sheet_name = models.CharField(_("metadata sheet"), max_length=255, blank=True)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    # The sheet's cells as read (row by row, without the heading), so a new mapping needs no
    # second reading of the file.
    sheet_rows = models.JSONField(default=list, blank=True)
    # The reader's word on it: {"numbers": [row numbers], "row_errors": {index: [...]},
    # "notes": [...]}.
    sheet_info = models.JSONField(default=dict, blank=True)
    # The page text: a built-in template or the batch's own source (Pattypan's FreeMarker subset).
    template = models.CharField(
        _("page template"), max_length=12, choices=Template.choices, default=Template.INFORMATION
    )
    template_source = models.TextField(_("page template source"), blank=True)
    institution_template = models.CharField(_("institution template"), max_length=255, blank=True)
    licence = models.CharField(_("licence for rows that name none"), max_length=40, blank=True)
    categories = models.TextField(_("categories for every file"), blank=True)
    tracking_category = models.CharField(_("tracking category"), max_length=255, blank=True)
    edit_summary = models.CharField(_("edit summary"), max_length=500, blank=True)
    strip_exif = models.BooleanField(_("remove GPS and camera serial numbers"), default=False)
    structured_data = models.BooleanField(
        _("write captions and statements (structured data) after each upload"), default=True
    )
    # The wiki account (bot password or owner-only OAuth consumer), encrypted; deleted at the end.
    account_kind = models.CharField(max_length=20, blank=True)
    account_name = models.CharField(_("wiki account"), max_length=255, blank=True)
    account_secret = models.TextField(blank=True)
    # What the wiki is making us wait for, and until when (ratelimited, Retry-After, maxlag).
    wait_reason = models.CharField(max_length=200, blank=True)
    wait_until = models.DateTimeField(null=True, blank=True)
    # The run sending the batch now, and until when its claim holds (renewed at every step),
    # so a second task for the batch (a quick pause and resume) waits instead of sending too.
    runner = models.CharField(max_length=32, blank=True)
    runner_until = models.DateTimeField(null=True, blank=True)
    # What stopped the whole batch (the account refused, the wiki gone), in a volunteer's words.
    error = models.TextField(blank=True)
    # What the last check found about the batch as a whole (the wiki not answering, files no
    # row names), each {"level": "error"|"warning", "message": ...}.
    notes = models.JSONField(default=list, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["affiliate", "partnership"])]

    def __str__(self) -> str:
        return self.title

    @property
    def wiki_name(self) -> str:
        """Return the wiki the batch goes to, in words ("Wikimedia Commons", "sv.wikipedia.org")."""
        return wiki_name(self.wiki_url)

    @property
    def is_active(self) -> bool:
        """Return whether a task is working on the batch (the page refreshes while it is)."""
        return self.status in (self.Status.CHECKING, self.Status.FETCHING, self.Status.RUNNING)

    @property
    def is_over(self) -> bool:
        """Return whether the batch ended (finished or cancelled): nothing more is sent."""
        return self.status in (self.Status.FINISHED, self.Status.CANCELLED)


class UploadFile(models.Model):
    """A file given to a batch (uploaded, fetched or read from a server folder), kept on disk."""

    batch = models.ForeignKey(UploadBatch, on_delete=models.CASCADE, related_name="files")
    # The name the sheet uses for it (a ZIP entry's path, an uploaded file's name, a URL).
    name = models.CharField(max_length=500)
    # Where it lies, relative to the batch's folder under HUB_UPLOADS_DIR.
    stored_path = models.CharField(max_length=500)
    size = models.BigIntegerField(default=0)
    sha1 = models.CharField(max_length=40, blank=True)
    mime = models.CharField(max_length=100, blank=True)
    # Where it was fetched from (a URL in the sheet), and why it could not be, if so.
    source_url = models.URLField(max_length=2000, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "name"], name="uploads_file_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class UploadRow(models.Model):
    """One row of the sheet and the ledger of its file's way to the wiki.

    validated → sending (or stashed, with the file key) → uploaded (page id, revision) →
    done (structured data written). A worker that dies at any step resumes from the row's state:
    before sending again it asks the wiki whether the bytes are already under the title.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Not checked yet")
        BLOCKED = "blocked", _("Needs fixing")
        VALIDATED = "validated", _("Ready")
        SENDING = "sending", _("Being sent")
        STASHED = "stashed", _("Sent in parts")
        UPLOADED = "uploaded", _("On the wiki")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    batch = models.ForeignKey(UploadBatch, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()  # the row's number in the sheet (2 = first data row)
    values = models.JSONField(default=dict)  # cells by field key, after the mapping
    file = models.ForeignKey(UploadFile, on_delete=models.SET_NULL, null=True, blank=True)
    title = models.CharField(_("file title"), max_length=400, blank=True)  # without "File:"
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # [{"level": "error"|"warning", "field": key, "message": words for a volunteer}, ...]
    problems = models.JSONField(default=list, blank=True)
    filekey = models.CharField(max_length=255, blank=True)
    # How many bytes of a chunked upload the stash holds under ``filekey``.
    stash_offset = models.BigIntegerField(default=0)
    page_id = models.PositiveBigIntegerField(null=True, blank=True)
    revision_id = models.PositiveBigIntegerField(null=True, blank=True)
    file_url = models.URLField(max_length=1000, blank=True)
    # The wiki's answer that ended the row (duplicate, exists, was-deleted, badfilename, ...).
    outcome = models.CharField(max_length=40, blank=True)
    message = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="uploads_row_number_once")
        ]
        indexes = [models.Index(fields=["batch", "state"])]

    def __str__(self) -> str:
        return self.title or f"#{self.number}"

    @property
    def errors(self) -> list[dict[str, str]]:
        """Return the problems that stop the row from being sent."""
        return [p for p in self.problems if p.get("level") == "error"]

    @property
    def warnings(self) -> list[dict[str, str]]:
        """Return the problems worth a look that do not stop the row."""
        return [p for p in self.problems if p.get("level") != "error"]
