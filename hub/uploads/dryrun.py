"""The dry run: check every row of a batch, on the wiki too, and send nothing. Repeatable.

Each problem lands on its row (``UploadRow.problems``: error or warning, the field, words for a
volunteer); a row with an error is ``blocked``, one with the same bytes already on the wiki is
``skipped`` (its bytes are never sent), the rest are ``validated``. What concerns the batch as a
whole (the wiki not answering, files no row names) goes to ``UploadBatch.notes``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit
from hub.uploads import checks, credentials, storage
from hub.uploads.exif import strip_private_exif
from hub.uploads.fields import split_list
from hub.uploads.models import UploadBatch, UploadFile, UploadRow
from hub.uploads.pattypan import TemplateError
from hub.uploads.rows import categories_of, link_files, row_text, sheet_problems, title_for
from hub.uploads.statements import caption_problems
from hub.wikimedia.errors import WikiError
from hub.wikimedia.mediawiki import MediaWikiClient
from hub.wikimedia.wikidata import WikidataClient

logger = logging.getLogger(__name__)

State = UploadRow.State
BATCH = 50
ITEM_FIELDS = ("depicts", "creator_qid", "collection_qid")


def _problem(level: str, field: str, message: str) -> dict[str, str]:
    return {"level": level, "field": field, "message": str(message)}


def _sniff_files(batch: UploadBatch) -> dict[int, Any]:
    """Strip private EXIF where asked, read each file's real type; return it by file id."""

    found: dict[int, Any] = {}
    for file in UploadFile.objects.filter(batch=batch).exclude(stored_path=""):
        path = storage.file_path(batch.pk, file.stored_path)
        if not path.exists():
            continue
        if batch.strip_exif:
            if strip_private_exif(path):
                file.sha1, file.size = storage.sha1_and_size(path)
        sniffed = checks.sniff(path)
        file.mime = (sniffed.mime or "")[:100]
        file.save(update_fields=["sha1", "size", "mime"])
        found[file.pk] = sniffed
    return found


def _local_problems(batch: UploadBatch, row: UploadRow, index: int, sniffed: Any) -> list[dict]:
    """Return the row's problems that need no wiki: file, title, fields, licence, template.

    Sets ``row.title``: the title given (or the file's own name) with the real extension.
    """

    problems = sheet_problems(batch, index)
    url = str(row.values.get("url", "") or "").strip()
    row.title = title_for(row, sniffed.extension if sniffed else "")[:400]
    values = {**row.values, "title": row.title}
    file_info = None
    if row.file is not None and sniffed is not None:
        path = storage.file_path(batch.pk, row.file.stored_path)
        file_info = checks.FileInfo(path=path, size=row.file.size, sniffed=sniffed)
    elif row.file is not None and row.file.error:
        problems.append(_problem("error", "url", row.file.error))
    elif row.file is None and url:
        problems.append(
            _problem(
                "error",
                "url",
                _("The file at this address is not fetched yet: use “Fetch the files”."),
            )
        )
    problems.extend(
        checks.row_problems(
            values, file_info=file_info, licence_default=batch.licence, template=batch.template
        )
    )
    problems.extend(caption_problems(values))
    if any(p["field"] == "licence" for p in problems):
        return problems  # the page cannot be written without a licence Commons takes
    try:
        row_text(batch, row)
    except TemplateError as exc:
        problems.append(_problem("error", "template", getattr(exc, "message", str(exc))))
    return problems


def _wiki_problems(
    batch: UploadBatch, rows: list[UploadRow], client: MediaWikiClient
) -> dict[int, list[dict]]:
    """Ask the wiki about titles, bytes and categories; return problems by row id."""
    found: dict[int, list[dict]] = defaultdict(list)
    limits = client.upload_limits()
    titled = [r for r in rows if r.title]
    for start in range(0, len(titled), BATCH):
        part = titled[start : start + BATCH]
        answer = client.files_by_title([f"File:{r.title}" for r in part])
        for row in part:
            existing = answer.get(f"File:{row.title}") or answer.get(row.title)
            if existing is None:
                continue
            if row.file is not None and existing.sha1 == row.file.sha1:
                found[row.pk].append(
                    _problem(
                        "skip",
                        "file",
                        _("Already on the wiki under this title: it will not be sent again."),
                    )
                )
            else:
                found[row.pk].append(
                    _problem(
                        "error",
                        "title",
                        _("The title “%(title)s” is already taken on the wiki. Give another.")
                        % {"title": row.title},
                    )
                )
    for row in rows:
        if row.file is None:
            continue
        if row.file.size > limits.max_bytes:
            found[row.pk].append(
                _problem(
                    "error",
                    "file",
                    _("The file is %(size)s MB; the wiki takes at most %(max)s MB.")
                    % {"size": row.file.size // 2**20, "max": limits.max_bytes // 2**20},
                )
            )
        if found[row.pk]:
            continue  # already settled by its title
        others = [t for t in client.titles_with_sha1(row.file.sha1) if t]
        if others:
            name = others[0].split(":", 1)[-1]
            found[row.pk].append(
                _problem(
                    "skip",
                    "file",
                    _(
                        "The same file is already on the wiki as “File:%(name)s”: "
                        "it will be skipped."
                    )
                    % {"name": name},
                )
            )
    wanted: dict[str, list[UploadRow]] = defaultdict(list)
    for row in rows:
        for name in [*categories_of(batch), *split_list(str(row.values.get("categories", "")))]:
            wanted[name.removeprefix("Category:").strip()].append(row)
    names = sorted(wanted)
    existing_categories: set[str] = set()
    for start in range(0, len(names), BATCH):
        existing_categories |= client.existing_categories(names[start : start + BATCH])
    for name in names:
        if name in existing_categories or name == batch.tracking_category:
            continue
        for row in wanted[name]:
            found[row.pk].append(
                _problem(
                    "warning",
                    "categories",
                    _("The category “%(name)s” does not exist on the wiki yet.") % {"name": name},
                )
            )
    return found


def _item_problems(rows: Iterable[UploadRow]) -> tuple[dict[int, list[dict]], str]:
    """Ask Wikidata which items the rows name do not exist; return problems by row and a note."""
    from hub.wikimedia.mediainfo import missing_items

    by_item: dict[str, list[tuple[UploadRow, str]]] = defaultdict(list)
    for row in rows:
        for field in ITEM_FIELDS:
            for qid in split_list(str(row.values.get(field, "") or "")):
                if qid.upper().startswith("Q"):
                    by_item[qid.upper()].append((row, field))
    found: dict[int, list[dict]] = defaultdict(list)
    if not by_item:
        return found, ""
    try:
        client = WikidataClient(f"{settings.HUB_IMPACT_WIKIDATA_URL}/w/api.php")
        missing = missing_items(client, sorted(by_item))
    except WikiError as exc:
        return found, _("Wikidata could not be asked about the items (%(reason)s).") % {
            "reason": exc.message
        }
    for qid in sorted(missing):
        for row, field in by_item[qid]:
            found[row.pk].append(
                _problem("warning", field, _("There is no Wikidata item %(qid)s.") % {"qid": qid})
            )
    return found, ""


def run_check(*, batch_id: int, client: MediaWikiClient | None = None) -> dict[str, Any]:
    """Check every row of a batch being checked, write the verdicts; send nothing."""

    batch = UploadBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status != UploadBatch.Status.CHECKING:
        return {"skipped": True}
    with transaction.atomic():
        link_files(batch)
    sniffed = _sniff_files(batch)
    rows = list(UploadRow.objects.filter(batch=batch).select_related("file").order_by("number"))
    notes: list[dict[str, str]] = [
        _problem("warning", "", n) for n in batch.sheet_info.get("notes", [])
    ]
    problems: dict[int, list[dict]] = {}
    for index, row in enumerate(rows):
        problems[row.pk] = _local_problems(
            batch, row, index, sniffed.get(row.file_id) if row.file_id else None
        )
    by_number = {r.number: r for r in rows}
    for number, found in checks.duplicate_titles(
        {r.number: r.title for r in rows if r.title}
    ).items():
        problems[by_number[number].pk].extend(found)
    for number, found in checks.duplicate_bytes(
        {r.number: r.file.sha1 for r in rows if r.file and r.file.sha1}
    ).items():
        problems[by_number[number].pk].extend(found)
    try:
        client = client or credentials.new_client(batch)
        for pk, found in _wiki_problems(batch, [r for r in rows], client).items():
            problems[pk].extend(found)
    except WikiError as exc:
        notes.append(
            _problem(
                "warning",
                "",
                _(
                    "The wiki could not be asked about titles, duplicates and categories "
                    "(%(reason)s). They are checked again before each file is sent."
                )
                % {"reason": exc.message},
            )
        )
    items, note = _item_problems(rows)
    if note:
        notes.append(_problem("warning", "", note))
    for pk, found in items.items():
        problems[pk].extend(found)
    for row in rows:
        row.problems = problems[row.pk]
        if any(p["level"] == "error" for p in row.problems):
            row.state = State.BLOCKED
        elif any(p["level"] == "skip" for p in row.problems):
            row.state = State.SKIPPED
            row.outcome = "duplicate"
            row.message = next(p["message"] for p in row.problems if p["level"] == "skip")
        else:
            row.state = State.VALIDATED
    return _write_verdicts(batch, rows, notes)


def _write_verdicts(
    batch: UploadBatch, rows: list[UploadRow], notes: list[dict[str, str]]
) -> dict[str, Any]:
    with transaction.atomic():
        locked = UploadBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != UploadBatch.Status.CHECKING:
            return {"skipped": True}
        UploadRow.objects.bulk_update(
            rows, ["title", "problems", "state", "outcome", "message"], batch_size=500
        )
        unnamed = UploadFile.objects.filter(batch=batch, uploadrow__isnull=True)
        for name in unnamed.values_list("name", flat=True)[:200]:
            notes.append(
                _problem(
                    "warning",
                    "",
                    _("No row names the file “%(name)s”: it will not be uploaded.")
                    % {"name": name},
                )
            )
        locked.status = UploadBatch.Status.DRAFT
        locked.notes = notes
        locked.validated_at = timezone.now()
        locked.save(update_fields=["status", "notes", "validated_at", "updated_at"])
        counts = {
            str(state): sum(1 for r in rows if r.state == state)
            for state in (State.VALIDATED, State.BLOCKED, State.SKIPPED)
        }
        audit.record(
            actor=None,
            affiliate=locked.affiliate,
            action="uploads.checked",
            target=locked.partnership,
            changes={"batch": [None, locked.title], **{k: [None, v] for k, v in counts.items()}},
        )
    return {"checked": len(rows), **counts}
