"""Fetch the files a batch's sheet gives as web addresses (the partner's server), to disk."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from hub.core import audit
from hub.uploads import storage
from hub.uploads.models import UploadBatch, UploadFile, UploadRow
from hub.uploads.rows import link_files
from hub.wikimedia.downloads import fetch_to_file
from hub.wikimedia.errors import WikiError


def name_from_url(url: str) -> str:
    """Return a file name for a URL: the last part of its path, or ``file``."""
    path = unquote(urlsplit(url).path)
    return storage.display_name(path) or "file"


def run_fetch(*, batch_id: int) -> dict[str, Any]:
    """Fetch every address the rows give that the batch does not have yet; record failures.

    Safe to run again: an address already fetched is skipped, one that failed is tried again.
    """
    batch = UploadBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status != UploadBatch.Status.FETCHING:
        return {"skipped": True}
    have = dict(
        UploadFile.objects.filter(batch=batch)
        .exclude(source_url="")
        .values_list("source_url", "error")
    )
    urls = []
    for values in UploadRow.objects.filter(batch=batch).values_list("values", flat=True):
        url = str(values.get("url", "") or "").strip()
        if url and (url not in have or have[url]) and url not in urls:
            urls.append(url)
    fetched = failed = 0
    for url in urls:
        stored = storage.new_stored_path(name_from_url(url))
        target = storage.file_path(batch.pk, stored)
        target.parent.mkdir(parents=True, exist_ok=True)
        error = ""
        try:
            fetch_to_file(url, target, max_bytes=settings.HUB_UPLOADS_MAX_FILE_BYTES)
        except WikiError as exc:
            error = _("The file could not be fetched from %(url)s: %(reason)s") % {
                "url": url[:200],
                "reason": exc.message,
            }
            target.unlink(missing_ok=True)
            stored = ""
        sha1, size = storage.sha1_and_size(target) if stored else ("", 0)
        with transaction.atomic():
            UploadFile.objects.filter(batch=batch, source_url=url).delete()
            name = name_from_url(url)
            if UploadFile.objects.filter(batch=batch, name=name).exists():
                name = f"{len(have) + fetched + failed + 1}-{name}"
            UploadFile.objects.create(
                batch=batch,
                name=name[:500],
                stored_path=stored,
                size=size,
                sha1=sha1,
                source_url=url[:2000],
                error=error[:500],
            )
        if error:
            failed += 1
        else:
            fetched += 1
    with transaction.atomic():
        locked = UploadBatch.objects.select_for_update().get(pk=batch.pk)
        link_files(locked)
        locked.status = UploadBatch.Status.DRAFT
        locked.validated_at = None
        locked.save(update_fields=["status", "validated_at", "updated_at"])
        audit.record(
            actor=None,
            affiliate=locked.affiliate,
            action="uploads.files_fetched",
            target=locked.partnership,
            changes={"fetched": [None, fetched], "failed": [None, failed]},
        )
    return {"fetched": fetched, "failed": failed}
