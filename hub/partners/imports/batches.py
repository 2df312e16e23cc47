"""Import batches: a file read in the browser, kept until it is confirmed, applied or failed."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core.models import Affiliate, User
from hub.partners.imports.mapping import FIELD_KEYS, check_mapping, fold, guess_mapping
from hub.partners.imports.plan import ImportCounts, ImportRejected
from hub.partners.imports.rows import default_source
from hub.partners.imports.writing import apply_import
from hub.partners.models import ImportBatch, ImportMapping
from hub.partners.spreadsheets import SourceRow, Table

OPEN = (ImportBatch.Status.PENDING, ImportBatch.Status.QUEUED)


def headers_key(headers: Sequence[str]) -> str:
    """Return a key for a file's column headings, the same whatever their case or accents."""
    return hashlib.sha256("\x1f".join(fold(h) for h in headers).encode()).hexdigest()


def remembered_mapping(affiliate: Affiliate, headers: Sequence[str]) -> list[str] | None:
    """Return the mapping the affiliate chose last for the same headings, if it still fits."""
    kept = ImportMapping.objects.filter(affiliate=affiliate, headers_key=headers_key(headers))
    mapping = kept.values_list("mapping", flat=True).first()
    if mapping is None or len(mapping) != len(headers) or not set(mapping) <= FIELD_KEYS:
        return None
    return [str(m) for m in mapping]


def create_batch(*, actor: User | None, affiliate: Affiliate, table: Table) -> ImportBatch:
    """Keep a read file's rows (not the file) and a mapping until the user confirms.

    The mapping is the one chosen last for a file with the same headings, or else guessed.
    """
    mapping = remembered_mapping(affiliate, table.headers) or guess_mapping(table.headers)
    return ImportBatch.objects.create(
        affiliate=affiliate,
        created_by=actor if actor is not None and actor.pk else None,
        filename=table.filename,
        headers=table.headers,
        rows=[{"n": r.number, "c": r.cells, "e": r.errors} for r in table.rows],
        mapping=mapping,
        notes=table.notes,
    )


def table_for_batch(batch: ImportBatch) -> Table:
    """Return the table kept in an import batch."""
    rows = [
        SourceRow(
            number=int(r["n"]),
            cells=[str(c) for c in r["c"]],
            errors=[str(e) for e in r.get("e", [])],
        )
        for r in batch.rows
    ]
    return Table(
        filename=batch.filename,
        headers=[str(h) for h in batch.headers],
        rows=rows,
        notes=[str(n) for n in batch.notes],
    )


@transaction.atomic
def set_batch_mapping(
    *,
    batch: ImportBatch,
    mapping: Sequence[str],
    existing_rows: str | None = None,
    invalid_rows: str | None = None,
) -> ImportBatch:
    """Store the user's field for every column and what to do with known and invalid rows.

    The mapping is also remembered for the next file with the same headings.
    """
    problems = check_mapping(batch.headers, mapping)
    if problems:
        raise ValidationError(problems)
    batch.mapping = list(mapping)
    if existing_rows is not None:
        batch.existing_rows = ImportBatch.ExistingRows(existing_rows)
    if invalid_rows is not None:
        batch.invalid_rows = ImportBatch.InvalidRows(invalid_rows)
    batch.save(update_fields=["mapping", "existing_rows", "invalid_rows"])
    ImportMapping.objects.update_or_create(
        affiliate_id=batch.affiliate_id,
        headers_key=headers_key(batch.headers),
        defaults={"mapping": list(mapping)},
    )
    return batch


def apply_batch(*, actor: User | None, batch: ImportBatch) -> ImportCounts:
    """Import a pending batch, then forget its rows (they hold personal data).

    All rows or none, unless the batch says to import the valid ones: then the rejected rows
    stay in the batch, with the reason, for the user to download and fix.
    """
    if batch.status not in OPEN:
        raise ValidationError(_("This import has already been confirmed or discarded."))
    table = table_for_batch(batch)

    def record_result(counts: ImportCounts) -> None:
        # In the import's transaction: a batch confirmed twice at once is imported once.
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in OPEN:
            raise ValidationError(_("This import has already been confirmed or discarded."))
        reasons = counts.rejected_reasons
        locked.status = ImportBatch.Status.APPLIED
        locked.applied_at = timezone.now()
        locked.rows = [
            {"n": r.number, "c": r.cells, "e": [reasons[r.number]]}
            for r in table.rows
            if r.number in reasons
        ]
        locked.result = counts.as_result()
        locked.save(update_fields=["status", "applied_at", "rows", "result"])

    return apply_import(
        actor=actor,
        affiliate=batch.affiliate,
        table=table,
        mapping=batch.mapping,
        source=default_source(batch.filename),
        existing_rows=batch.existing_rows,
        keep_valid=batch.invalid_rows == ImportBatch.InvalidRows.VALID,
        batch=batch,
        on_write=record_result,
    )


def run_queued_batch(*, batch_id: int, actor: User | None) -> dict[str, Any]:
    """Apply a queued batch in the background; safe to run twice.

    The whole import is one transaction, so a worker killed half-way leaves nothing behind and
    the re-run starts from scratch. A batch no longer queued (already applied, or sent back)
    is left alone. Rejected rows send the batch back to its preview with the reason; any other
    error marks it failed, so the page says so and the user can discard it.
    """
    batch = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.QUEUED).first()
    if batch is None:
        return {"skipped": True}
    try:
        counts = apply_batch(actor=actor, batch=batch)
    except (ImportRejected, ValidationError):
        ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.QUEUED).update(
            status=ImportBatch.Status.PENDING,
            result={
                "error": str(
                    _(
                        "Some rows can no longer be imported (the directory changed "
                        "since the preview), so nothing was written."
                    )
                )
            },
        )
        return {"rejected": True}
    except Exception:
        fail_batch(batch_id=batch_id)
        raise
    return counts.as_result()


def fail_batch(*, batch_id: int) -> None:
    """Mark a queued batch as failed: nothing was written, and it may be discarded."""
    ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.QUEUED).update(
        status=ImportBatch.Status.FAILED,
        result={
            "error": str(
                _(
                    "The import stopped because of an error on the Hub's side, so nothing was "
                    "written. Discard it and try again; if it fails again, tell the Hub's "
                    "administrators."
                )
            )
        },
    )


def discard_batch(*, batch: ImportBatch) -> None:
    """Delete a pending or failed batch and the rows it kept."""
    ImportBatch.objects.filter(
        pk=batch.pk, status__in=[ImportBatch.Status.PENDING, ImportBatch.Status.FAILED]
    ).delete()


def delete_stale_batches(*, older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Delete batches never confirmed, or failed, within the given time; return how many went.

    Applied batches are kept as a record, but the rejected rows they held are forgotten.
    """
    cutoff = timezone.now() - older_than
    ImportBatch.objects.filter(status=ImportBatch.Status.APPLIED, applied_at__lt=cutoff).update(
        rows=[]
    )
    deleted, _details = ImportBatch.objects.filter(
        Q(status__in=[ImportBatch.Status.PENDING, ImportBatch.Status.FAILED]),
        created_at__lt=cutoff,
    ).delete()
    return deleted


def rejected_rows_headers(batch: ImportBatch) -> list[str]:
    """Return the column headings of the file of an import's rejected rows."""
    return [*(str(h) for h in batch.headers), _("Why this row was not imported")]


def rejected_rows_table(batch: ImportBatch) -> list[list[str]]:
    """Return the rows an import left out, as they were in the file, each with the reason."""
    return [[*(str(c) for c in r["c"]), " ".join(r.get("e", []))] for r in batch.rows]
