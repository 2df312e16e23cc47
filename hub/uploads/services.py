"""Every change to a batch upload: create, sheet and mapping, files, template, account, runs.

Each function takes keyword arguments with ``actor=``, runs in one transaction and records an
audit event; work for the worker (checks, fetches, the upload) is enqueued on commit.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks.base import Task

from hub.core import audit, wikimedia_login
from hub.core.models import User
from hub.core.queue import enqueue_on_commit
from hub.partnerships.models import Partnership
from hub.uploads import credentials, storage
from hub.uploads.archives import ArchiveError, extract_zip, safe_name
from hub.uploads.fields import guess_mapping
from hub.uploads.models import COMMONS_API, UploadBatch, UploadFile, UploadRow
from hub.uploads.rows import link_files, rebuild_rows
from hub.uploads.runner import end_batch
from hub.uploads.sheets import SheetError, read_sheet
from hub.uploads.tasks import check_batch, fetch_files, run_upload

EDITABLE = (UploadBatch.Status.DRAFT,)


def _require(batch: UploadBatch, *statuses: str) -> None:
    if batch.status not in statuses:
        raise ValidationError(
            _("This cannot be done while the batch is “%(status)s”.")
            % {"status": batch.get_status_display()}
        )


def _locked(batch: UploadBatch) -> UploadBatch:
    return UploadBatch.objects.select_for_update().get(pk=batch.pk)


@transaction.atomic
def create_batch(
    *,
    actor: User | None,
    partnership: Partnership,
    title: str,
    wiki_url: str = COMMONS_API,
) -> UploadBatch:
    """Start a batch for a partnership, with a hidden tracking category of its own."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Give the batch a name, e.g. the collection's.")})
    batch = UploadBatch.objects.create(
        affiliate=partnership.affiliate,
        partnership=partnership,
        title=title[:200],
        wiki_url=wiki_url,
        created_by=actor,
        edit_summary=_("Batch upload: %(title)s") % {"title": title[:200]},
    )
    batch.tracking_category = f"Uploaded with Partnerships Hub (batch {batch.pk})"
    batch.save(update_fields=["tracking_category"])
    audit.record(
        actor=actor,
        affiliate=batch.affiliate,
        action="uploads.batch_created",
        target=partnership,
        changes={"batch": [None, batch.title]},
    )
    return batch


def attach_sheet(
    *, actor: User | None, batch: UploadBatch, path: Path, original_name: str
) -> UploadBatch:
    """Read a metadata sheet (CSV, XLSX, a Pattypan workbook) into the batch's rows.

    Raise ValidationError with the reader's words when the file cannot be read; the batch
    keeps its earlier sheet then.
    """
    _require(batch, *EDITABLE)
    try:
        sheet = read_sheet(path, original_name=original_name)
    except SheetError as exc:
        raise ValidationError({"sheet": exc.message}) from exc
    if len(sheet.rows) > settings.HUB_UPLOADS_MAX_ROWS:
        raise ValidationError(
            {
                "sheet": _("The sheet has %(n)s rows; a batch takes at most %(max)s. Split it.")
                % {"n": len(sheet.rows), "max": settings.HUB_UPLOADS_MAX_ROWS}
            }
        )
    if not sheet.rows:
        raise ValidationError({"sheet": _("The sheet has no rows below its heading.")})
    with transaction.atomic():
        batch = _locked(batch)
        _require(batch, *EDITABLE)
        batch.sheet_name = storage.display_name(original_name)[:255]
        batch.headers = list(sheet.headers)
        batch.sheet_rows = [list(r) for r in sheet.rows]
        batch.sheet_info = {
            "numbers": list(sheet.numbers),
            "row_errors": {str(i): list(e) for i, e in sheet.row_errors.items()},
            "notes": [str(n) for n in sheet.notes],
        }
        batch.mapping = guess_mapping(sheet.headers)
        if sheet.template_source:
            batch.template = UploadBatch.Template.CUSTOM
            batch.template_source = sheet.template_source
        batch.validated_at = None
        batch.save()
        rebuild_rows(batch)
        audit.record(
            actor=actor,
            affiliate=batch.affiliate,
            action="uploads.sheet_read",
            target=batch.partnership,
            changes={"batch": [None, batch.title], "sheet": [None, batch.sheet_name]},
        )
    _keep_copy(batch, path, original_name)
    return batch


def _keep_copy(batch: UploadBatch, path: Path, original_name: str) -> None:
    """Keep the sheet as it came beside the files (a record of what the partner gave)."""
    try:
        storage.copy_in(batch.pk, path, original_name)
    except OSError:
        pass  # the rows are in the database; the copy is only a record


@transaction.atomic
def set_mapping(*, actor: User | None, batch: UploadBatch, mapping: Mapping[str, str]) -> None:
    """Change what each column of the sheet means, and read the rows again with it."""
    batch = _locked(batch)
    _require(batch, *EDITABLE)
    before = dict(batch.mapping)
    batch.mapping = {h: str(mapping.get(h, "")) for h in batch.headers}
    batch.validated_at = None
    batch.save(update_fields=["mapping", "validated_at", "updated_at"])
    rebuild_rows(batch)
    audit.record(
        actor=actor,
        affiliate=batch.affiliate,
        action="uploads.mapping_changed",
        target=batch.partnership,
        changes=audit.diff(before, batch.mapping),
    )


def add_files(
    *, actor: User | None, batch: UploadBatch, files: Iterable[tuple[str, Path]], copy: bool = False
) -> list[UploadFile]:
    """Keep files given to the batch (a ZIP is unpacked) and match them to the sheet's rows.

    ``files``: (name, path on disk) pairs; each is moved (``copy``: copied) under the batch's
    folder. A file with a name the batch already has replaces it. Raise ValidationError for a
    ZIP that cannot be unpacked safely; files already kept stay.
    """
    _require(batch, *EDITABLE)
    kept: list[UploadFile] = []
    for name, path in files:
        if name.lower().endswith(".zip"):
            with tempfile.TemporaryDirectory(dir=storage.batch_dir(batch.pk)) as unpacked:
                try:
                    entries = extract_zip(
                        path,
                        Path(unpacked) / "files",
                        max_total_bytes=settings.HUB_UPLOADS_MAX_FILE_BYTES,
                        max_files=settings.HUB_UPLOADS_MAX_FILES,
                    )
                except ArchiveError as exc:
                    raise ValidationError({"files": f"{name}: {exc.message}"}) from exc
                for entry in entries:
                    kept.append(_keep_file(batch, entry.name, Path(entry.path), copy=False))
            if not copy:
                path.unlink(missing_ok=True)
            continue
        try:
            kept_name = safe_name(name)
        except ArchiveError:
            kept_name = storage.display_name(name)  # a path that leaves its folder: its name only
        kept.append(_keep_file(batch, kept_name, path, copy=copy))
    with transaction.atomic():
        batch = _locked(batch)
        batch.validated_at = None
        batch.save(update_fields=["validated_at", "updated_at"])
        link_files(batch)
        audit.record(
            actor=actor,
            affiliate=batch.affiliate,
            action="uploads.files_added",
            target=batch.partnership,
            changes={"batch": [None, batch.title], "files": [None, len(kept)]},
        )
    return kept


def _keep_file(batch: UploadBatch, name: str, path: Path, *, copy: bool) -> UploadFile:
    """Store one file and its SHA-1; a file of the same name is replaced."""
    sha1, size = storage.sha1_and_size(path)
    stored = (
        storage.copy_in(batch.pk, path, name) if copy else storage.move_in(batch.pk, path, name)
    )
    with transaction.atomic():
        old = UploadFile.objects.filter(batch=batch, name=name[:500]).first()
        if old is not None:
            storage.file_path(batch.pk, old.stored_path).unlink(missing_ok=True)
        found, _created = UploadFile.objects.update_or_create(
            batch=batch,
            name=name[:500],
            defaults={"stored_path": stored, "size": size, "sha1": sha1, "mime": "", "error": ""},
        )
    return found


@transaction.atomic
def remove_file(*, actor: User | None, batch: UploadBatch, file: UploadFile) -> None:
    """Forget a file the batch does not need (one no row names) and delete it from disk."""
    _require(batch, *EDITABLE)
    storage.file_path(batch.pk, file.stored_path).unlink(missing_ok=True)
    name = file.name
    file.delete()
    audit.record(
        actor=actor,
        affiliate=batch.affiliate,
        action="uploads.file_removed",
        target=batch.partnership,
        changes={"file": [name, None]},
    )


TEMPLATE_FIELDS = (
    "template",
    "template_source",
    "institution_template",
    "licence",
    "categories",
    "tracking_category",
    "edit_summary",
    "strip_exif",
    "structured_data",
)


@transaction.atomic
def set_page_template(*, actor: User | None, batch: UploadBatch, **values: Any) -> UploadBatch:
    """Change the page template and what every page gets (licence, categories, summary)."""
    batch = _locked(batch)
    _require(batch, *EDITABLE)
    unknown = set(values) - set(TEMPLATE_FIELDS)
    if unknown:
        raise TypeError(f"not template settings: {sorted(unknown)}")
    before = audit.snapshot(batch, TEMPLATE_FIELDS)
    for key, value in values.items():
        setattr(batch, key, value)
    batch.validated_at = None
    batch.save()
    audit.record(
        actor=actor,
        affiliate=batch.affiliate,
        action="uploads.template_changed",
        target=batch.partnership,
        changes=audit.diff(before, audit.snapshot(batch, TEMPLATE_FIELDS)),
    )
    return batch


@transaction.atomic
def set_account(
    *, actor: User | None, batch: UploadBatch, kind: str, name: str, secret: str
) -> UploadBatch:
    """Keep the wiki account to upload with, its secret encrypted; never written to the audit."""
    batch = _locked(batch)
    if batch.is_over:
        raise ValidationError(_("The batch has ended; it needs no account any more."))
    if kind not in credentials.ACCOUNT_KINDS:
        raise ValidationError({"kind": _("Choose a kind of account.")})
    if kind == credentials.WIKIMEDIA_LOGIN:
        # Upload as me: the acting person's own Wikimedia log-in; nothing secret is typed.
        account = wikimedia_login.wikimedia_account(actor)
        if account is None:
            raise ValidationError(
                {"kind": _("Link your Wikimedia account on “Your account” first.")}
            )
        name = wikimedia_login.wikimedia_username(account) or str(account.uid)
        sealed = {"user_id": account.user_id}
    elif not name.strip() or not secret.strip():
        raise ValidationError(_("Give both the account's name and its password or token."))
    else:
        sealed = {"secret": secret.strip()}
    batch.account_kind = kind
    batch.account_name = name.strip()[:255]
    batch.account_secret = credentials.seal(sealed)
    batch.error = ""
    batch.save(update_fields=["account_kind", "account_name", "account_secret", "error"])
    audit.record(
        actor=actor,
        affiliate=batch.affiliate,
        action="uploads.account_set",
        target=batch.partnership,
        changes={"account": [None, f"{kind}: {batch.account_name}"]},
    )
    return batch


def _move(
    batch: UploadBatch,
    *,
    actor: User | None,
    status: str,
    action: str,
    task: Task[[int], Any] | None = None,
    **fields: Any,
) -> UploadBatch:
    """Put a locked batch in a new status, audit it, and queue its task on commit."""
    batch.status = status
    for key, value in fields.items():
        setattr(batch, key, value)
    batch.save(update_fields=["status", "updated_at", *fields])
    audit.record(
        actor=actor,
        affiliate=batch.affiliate,
        action=action,
        target=batch.partnership,
        changes={"batch": [None, batch.title]},
    )
    if task is not None:
        enqueue_on_commit(task, batch.pk)
    return batch


@transaction.atomic
def request_check(*, actor: User | None, batch: UploadBatch) -> UploadBatch:
    """Queue the dry run: every row checked, on the wiki too; nothing is sent. Repeatable."""
    batch = _locked(batch)
    _require(batch, *EDITABLE)
    if not batch.rows.exists():
        raise ValidationError(_("Read a metadata sheet first (step 1)."))
    return _move(
        batch,
        actor=actor,
        status=UploadBatch.Status.CHECKING,
        action="uploads.check_requested",
        task=check_batch,
        error="",
    )


@transaction.atomic
def request_fetch(*, actor: User | None, batch: UploadBatch) -> UploadBatch:
    """Queue the fetching of the files the sheet gives as web addresses."""
    batch = _locked(batch)
    _require(batch, *EDITABLE)
    return _move(
        batch,
        actor=actor,
        status=UploadBatch.Status.FETCHING,
        action="uploads.fetch_requested",
        task=fetch_files,
        error="",
    )


@transaction.atomic
def start_upload(*, actor: User | None, batch: UploadBatch) -> UploadBatch:
    """Start sending the ready rows: only after a dry run with no change since, with an account."""
    batch = _locked(batch)
    _require(batch, UploadBatch.Status.DRAFT)
    if batch.validated_at is None:
        raise ValidationError(_("Run the check (step 5) again: something changed since."))
    credentials.account_for(batch)  # raises AccountMissing with what to do
    if not batch.rows.filter(state=UploadRow.State.VALIDATED).exists():
        raise ValidationError(_("No row is ready to upload. Fix the rows marked below."))
    return _move(
        batch,
        actor=actor,
        status=UploadBatch.Status.RUNNING,
        action="uploads.started",
        task=run_upload,
        started_at=batch.started_at or timezone.now(),
        error="",
    )


@transaction.atomic
def pause_batch(*, actor: User | None, batch: UploadBatch) -> UploadBatch:
    """Stop sending after the file being sent now; resume goes on from there."""
    batch = _locked(batch)
    _require(batch, UploadBatch.Status.RUNNING)
    return _move(batch, actor=actor, status=UploadBatch.Status.PAUSED, action="uploads.paused")


@transaction.atomic
def resume_batch(*, actor: User | None, batch: UploadBatch) -> UploadBatch:
    """Go on sending a paused batch from where it stopped."""
    batch = _locked(batch)
    _require(batch, UploadBatch.Status.PAUSED)
    credentials.account_for(batch)
    return _move(
        batch,
        actor=actor,
        status=UploadBatch.Status.RUNNING,
        action="uploads.resumed",
        task=run_upload,
        error="",
        wait_reason="",
        wait_until=None,
    )


def cancel_batch(*, actor: User | None, batch: UploadBatch) -> UploadBatch:
    """End the batch: nothing more is sent, files already on the wiki stay, the account goes."""
    if batch.is_over:
        raise ValidationError(_("The batch has already ended."))
    return end_batch(batch_id=batch.pk, actor=actor, cancelled=True)


@transaction.atomic
def delete_batch(*, actor: User | None, batch: UploadBatch) -> None:
    """Delete a batch that put nothing on the wiki, with its files on disk.

    A batch with files on the wiki stays: it is their record (titles, addresses, the impact).
    """
    batch = _locked(batch)
    if batch.is_active:
        raise ValidationError(_("Pause or cancel the batch first."))
    sent = batch.rows.filter(
        state__in=[
            UploadRow.State.SENDING,
            UploadRow.State.STASHED,
            UploadRow.State.UPLOADED,
            UploadRow.State.DONE,
        ]
    )
    if sent.exists():
        raise ValidationError(
            _("Files of this batch are on the wiki: the batch stays as their record.")
        )
    partnership, title, pk = batch.partnership, batch.title, batch.pk
    batch.delete()
    transaction.on_commit(lambda: storage.remove_batch_files(pk))
    audit.record(
        actor=actor,
        affiliate=partnership.affiliate,
        action="uploads.batch_deleted",
        target=partnership,
        changes={"batch": [title, None]},
    )


@transaction.atomic
def add_demo_batch(
    *,
    actor: User | None,
    partnership: Partnership,
    title: str,
    files: Sequence[tuple[str, str]],
    finished_at: dt.datetime,
) -> UploadBatch:
    """Add a demo affiliate's finished batch, as if its files had gone to Commons.

    ``files``: (title on the wiki, description) pairs. Nothing is sent and nothing is kept on
    disk; the rows say they are demo rows. Only demo affiliates get one.
    """
    if not partnership.affiliate.is_demo:
        raise ValidationError(_("Demo batches go only to demo affiliates."))
    batch = create_batch(actor=actor, partnership=partnership, title=title)
    demo = _("Demo row: made up for the demo, never sent to a wiki.")
    UploadRow.objects.bulk_create(
        UploadRow(
            batch=batch,
            number=number,
            values={"title": name, "description": description},
            title=name,
            state=UploadRow.State.DONE,
            outcome="uploaded",
            message=demo,
        )
        for number, (name, description) in enumerate(files, start=2)
    )
    batch.status = UploadBatch.Status.FINISHED
    batch.sheet_name = f"{title}.csv"
    batch.template = UploadBatch.Template.ARTWORK
    batch.licence = "Public domain (PD-old-100)"
    batch.started_at = finished_at - dt.timedelta(minutes=len(files))
    batch.finished_at = batch.validated_at = finished_at
    batch.save()
    audit.record(
        actor=actor,
        affiliate=batch.affiliate,
        action="uploads.demo_batch",
        target=partnership,
        changes={"batch": [None, batch.title], "files_on_wiki": [None, len(files)]},
    )
    return batch
