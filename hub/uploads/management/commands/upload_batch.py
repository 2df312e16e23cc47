"""Give a batch upload its files from a folder on the server, or create a batch from a sheet.

For hub staff with shell access: a collection too large for the browser is copied from a
folder (subfolders kept in the names) instead of sent through a page. The batch then goes on
from its page (template, account, check, upload) or with --check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from hub.partnerships.models import Partnership
from hub.uploads import services
from hub.uploads.models import UploadBatch


class Command(BaseCommand):
    help = (
        "Give batch BATCH_ID the files of a server folder (--folder), or create a batch for a "
        "partnership from a metadata sheet (--partnership ID --sheet PATH [--folder PATH]). "
        "--check queues the dry run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("batch_id", nargs="?", type=int, help="The batch to give files to.")
        parser.add_argument("--folder", type=Path, help="A folder of files (read recursively).")
        parser.add_argument("--partnership", type=int, help="Create a batch for this partnership.")
        parser.add_argument("--sheet", type=Path, help="The new batch's metadata sheet.")
        parser.add_argument("--title", default="", help="The new batch's name.")
        parser.add_argument("--wiki", default="", help="The wiki's API address (default Commons).")
        parser.add_argument("--check", action="store_true", help="Queue the dry run afterwards.")

    def handle(self, *args: Any, **options: Any) -> None:
        """Create or find the batch, copy the folder's files in, and say where to go on."""
        batch = self._batch(options)
        folder: Path | None = options["folder"]
        try:
            if folder is not None:
                if not folder.is_dir():
                    raise CommandError(f"{folder} is not a folder.")
                files = sorted(p for p in folder.rglob("*") if p.is_file())
                kept = services.add_files(
                    actor=None,
                    batch=batch,
                    files=[(p.relative_to(folder).as_posix(), p) for p in files],
                    copy=True,
                )
                self.stdout.write(f"{len(kept)} file(s) kept in batch {batch.pk}.")
            if options["check"]:
                services.request_check(actor=None, batch=batch)
                self.stdout.write("The dry run is queued; the worker runs it.")
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from refused
        path = reverse(
            "uploads:batch_detail", kwargs={"slug": batch.affiliate.slug, "pk": batch.pk}
        )
        self.stdout.write(f"Batch {batch.pk}: {path}")

    def _batch(self, options: dict[str, Any]) -> UploadBatch:
        if options["partnership"] is None:
            if options["batch_id"] is None:
                raise CommandError("Give a batch id, or --partnership ID --sheet PATH.")
            found = UploadBatch.objects.filter(pk=options["batch_id"]).first()
            if found is None:
                raise CommandError(f"There is no batch {options['batch_id']}.")
            return found
        partnership = Partnership.objects.filter(pk=options["partnership"]).first()
        if partnership is None:
            raise CommandError(f"There is no partnership {options['partnership']}.")
        sheet: Path | None = options["sheet"]
        if sheet is None or not sheet.is_file():
            raise CommandError("Give the new batch's metadata sheet: --sheet PATH.")
        extra = {"wiki_url": options["wiki"]} if options["wiki"] else {}
        try:
            batch = services.create_batch(
                actor=None,
                partnership=partnership,
                title=options["title"] or sheet.stem,
                **extra,
            )
            services.attach_sheet(actor=None, batch=batch, path=sheet, original_name=sheet.name)
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from refused
        self.stdout.write(f"Batch {batch.pk} created with {batch.rows.count()} row(s).")
        return batch
