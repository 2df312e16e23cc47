"""Back up the database and the user files into one archive with a manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from hub.core.backup import BackupError, create_backup, default_path


class Command(BaseCommand):
    help = (
        "Write a backup: a consistent dump of the database, the media and uploads folders, and "
        "a manifest of row counts and checksums (restore it with `manage.py restore`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            help="The archive to write, or a folder to write it in "
            "(default: HUB_DATA_DIR/backups/hub-backup-<time>.tar).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Make the backup and say where it is and what it holds."""
        dest = default_path()
        if options["output"]:
            dest = Path(options["output"])
            if dest.is_dir():
                dest = dest / default_path().name
        try:
            result = create_backup(dest)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] > 0:
            self.stdout.write(
                _(
                    "Backed up %(tables)d tables (%(rows)d rows) and %(files)d files to "
                    "%(path)s: %(size).1f MB in %(seconds).1f s."
                )
                % {
                    "tables": len(result.manifest["tables"]),
                    "rows": result.rows,
                    "files": result.files,
                    "path": result.path,
                    "size": result.size / 1_000_000,
                    "seconds": result.seconds,
                }
            )
