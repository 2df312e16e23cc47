"""Restore a backup into an empty database and empty folders, then verify it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from hub.core.backup import default_database, file_folders
from hub.core.restore import RestoreRefused, VerificationFailed, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database and folders, "
        "which must be empty, then check row counts and checksums against its manifest."
    )
    # The checks would open the database the restore is about to fill.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="The backup file (hub-backup-<time>.tar).")

    def handle(self, *args: Any, **options: Any) -> None:
        """Restore, verify and report; refuse with the reason and change nothing."""
        try:
            report = restore_backup(
                Path(options["archive"]), database=default_database(), folders=file_folders()
            )
        except RestoreRefused as error:
            raise CommandError(str(error)) from error
        except VerificationFailed as error:
            raise CommandError(
                _("The backup was restored but does not match its manifest: %(problems)s")
                % {"problems": error}
            ) from error
        if options["verbosity"] > 0:
            for line in report.lines():
                self.stdout.write(line)
