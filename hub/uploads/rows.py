"""A batch's rows from its sheet and mapping, matched to its files; each row's title and text.

Called inside the services' transactions (and the checks'); nothing here asks a wiki.
"""

from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath

from hub.uploads import storage
from hub.uploads.checks import full_title
from hub.uploads.models import UploadBatch, UploadFile, UploadRow
from hub.uploads.sheets import Sheet, rows_as_values
from hub.uploads.wikitext import BUILT_IN, page_text

FIRST_DATA_ROW = 2  # the heading is row 1, as the person sees it in their spreadsheet


def sheet_of(batch: UploadBatch) -> Sheet:
    """Return the batch's sheet as read (headings and cells), without reading the file again."""
    return Sheet(
        headers=list(batch.headers),
        rows=[list(r) for r in batch.sheet_rows],
        template_source=batch.template_source or None,
    )


def sheet_problems(batch: UploadBatch, index: int) -> list[dict[str, str]]:
    """Return what went wrong reading the sheet's row (a value too long...), as problems."""
    errors = batch.sheet_info.get("row_errors", {}).get(str(index), [])
    return [{"level": "error", "field": "", "message": str(e)} for e in errors]


def rebuild_rows(batch: UploadBatch) -> int:
    """Write the batch's rows afresh from its sheet and mapping; return how many."""
    values = rows_as_values(sheet_of(batch), dict(batch.mapping))
    numbers = batch.sheet_info.get("numbers") or []
    UploadRow.objects.filter(batch=batch).delete()
    UploadRow.objects.bulk_create(
        UploadRow(
            batch=batch,
            number=numbers[index] if index < len(numbers) else index + FIRST_DATA_ROW,
            values=row,
            problems=sheet_problems(batch, index),
        )
        for index, row in enumerate(values)
    )
    link_files(batch)
    return len(values)


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", storage.display_name(name.strip())).casefold()


def link_files(batch: UploadBatch) -> None:
    """Point every row at the file its ``file`` (or ``url``) cell names, where the batch has it.

    A name matches the file's full name in the batch (``photos/a.jpg``) or its last part
    (``a.jpg``), ignoring case. Rows whose file changed are checked again.
    """
    files = list(UploadFile.objects.filter(batch=batch))
    by_full = {_full_key(f.name): f for f in files}
    by_name: dict[str, UploadFile] = {}
    for f in files:
        by_name.setdefault(_key(f.name), f)
    by_url = {f.source_url: f for f in files if f.source_url}
    changed = []
    for row in UploadRow.objects.filter(batch=batch).only("id", "values", "file_id", "state"):
        named = str(row.values.get("file", "") or "").strip()
        url = str(row.values.get("url", "") or "").strip()
        found = None
        if named:
            found = by_full.get(_full_key(named)) or by_name.get(_key(named))
        if found is None and url:
            found = by_url.get(url)
        if (found.pk if found else None) != row.file_id:
            row.file = found
            row.state = UploadRow.State.PENDING
            changed.append(row)
    UploadRow.objects.bulk_update(changed, ["file", "state"], batch_size=500)


def _full_key(name: str) -> str:
    return unicodedata.normalize("NFC", name.strip().replace("\\", "/")).casefold()


def title_for(row: UploadRow, extension: str = "") -> str:
    """Return the file's title on the wiki (no ``File:``), with an extension.

    The ``title`` column wins; else the file's own name. ``extension``: the file's real type
    (sniffed by the check); without it, the file name's. Added when the title has none.
    """
    wanted = str(row.values.get("title", "") or "").strip()
    source = storage.display_name(
        row.file.name if row.file else str(row.values.get("file", "") or row.values.get("url", ""))
    )
    if not wanted:
        wanted = PurePosixPath(source).stem
    extension = extension or PurePosixPath(source).suffix.lower().lstrip(".")
    return full_title(wanted, extension)


def template_source(batch: UploadBatch) -> str:
    """Return the page template's source: the batch's own, or the built-in one it picked."""
    if batch.template == UploadBatch.Template.CUSTOM:
        return batch.template_source or BUILT_IN[UploadBatch.Template.INFORMATION]
    return BUILT_IN[batch.template]


def categories_of(batch: UploadBatch) -> list[str]:
    """Return the categories every file of the batch gets."""
    names = batch.categories.replace("\n", ";").split(";")
    return [" ".join(n.replace("_", " ").split()) for n in names if n.strip()]


def row_text(batch: UploadBatch, row: UploadRow) -> str:
    """Return the row's page text; raise the template language's TemplateError."""
    values = dict(row.values)
    values.setdefault("title", row.title or title_for(row))
    return page_text(
        source=template_source(batch),
        values=values,
        institution_template=batch.institution_template,
        licence=str(row.values.get("licence", "") or batch.licence),
        categories=categories_of(batch),
        tracking_category=batch.tracking_category,
    )
