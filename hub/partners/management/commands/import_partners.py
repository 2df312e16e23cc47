"""Import organisations and contacts from a CSV or XLSX file, all rows or none."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hub.core.models import Affiliate
from hub.partners import imports


class Command(BaseCommand):
    help = (
        "Import organisations and contacts from a CSV or XLSX file into an affiliate's "
        "directory. Every row is checked first; if any row is rejected, nothing is written "
        "and the command exits with status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument(
            "--affiliate",
            help="the affiliate's short name (slug); required "
            "when there is more than one affiliate",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and report, but write nothing"
        )
        parser.add_argument(
            "--skip-existing",
            action="store_true",
            help="skip rows whose organisation (and contact, if any) is already in the "
            "directory instead of rejecting them; new contacts are added to the organisation",
        )
        parser.add_argument(
            "--update",
            choices=["fill", "overwrite"],
            help="update the organisations and contacts already in the directory that rows "
            "match: fill in what is missing, or overwrite with the file's values",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="use FIELD for the column headed COLUMN (repeatable); FIELD "
            "is one of: " + ", ".join(sorted(imports.FIELD_KEYS)),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Read the file, report every rejected row and ignored column, then import or stop."""
        affiliate = self._affiliate(options["affiliate"])
        try:
            table = imports.read_path(options["file"])
        except imports.ImportFileError as exc:
            raise CommandError(exc.message) from None
        mapping = self._mapping(table.headers, options["map"])

        for note in table.notes:
            self.stdout.write(f"Note: {note}")
        columns = ", ".join(
            f"{h} → {imports.field_label(t)}"
            for h, t in zip(table.headers, mapping, strict=True)
            if t != imports.IGNORE
        )
        self.stdout.write(f"Columns imported: {columns or '(none)'}")
        ignored = [h for h, t in zip(table.headers, mapping, strict=True) if t == imports.IGNORE]
        if ignored:
            self.stdout.write(f"Columns ignored (not kept by the Hub): {', '.join(ignored)}")

        skip_existing = bool(options["skip_existing"])
        plan = imports.plan_import(
            table=table,
            mapping=mapping,
            affiliate=affiliate,
            skip_existing=skip_existing,
            existing_rows=options["update"],
        )
        if plan.mapping_problems:
            raise CommandError(" ".join(plan.mapping_problems))
        for row in plan.rows:
            if row.errors:
                self.stdout.write(row.error_line())
            for note in row.notes:
                self.stdout.write(imports.row_message(row.number, note))
        if not plan.is_valid:
            raise CommandError(
                f"{len(plan.rejected)} of {len(plan.rows)} rows rejected; nothing was written.",
                returncode=1,
            )
        if plan.skipped:
            numbers = ", ".join(str(r.number) for r in plan.skipped)
            self.stdout.write(
                f"{len(plan.skipped)} rows already in your directory, skipped: rows {numbers}."
            )
        if not plan.accepted:
            self.stdout.write(self.style.SUCCESS("Nothing new to import; nothing was written."))
            return
        if options["dry_run"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Dry run: all {len(plan.accepted)} rows can be imported "
                    f"({plan.new_organisations} new organisations, "
                    f"{plan.new_contacts} new contacts). "
                    "Nothing was written."
                )
            )
            return
        try:
            counts = imports.apply_import(
                actor=None,
                affiliate=affiliate,
                table=table,
                mapping=mapping,
                skip_existing=skip_existing,
                existing_rows=options["update"],
            )
        except imports.ImportRejected as exc:
            for row in exc.plan.rejected:
                self.stdout.write(row.error_line())
            raise CommandError("Rows were rejected; nothing was written.", returncode=1) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {counts.rows} rows into {affiliate.name}: {counts.organisations} new "
                f"organisations, {counts.contacts} new contacts, {counts.updated_organisations} "
                f"organisations and {counts.updated_contacts} contacts updated."
            )
        )

    def _affiliate(self, slug: str | None) -> Affiliate:
        """Return the affiliate named by --affiliate, or the only one there is."""
        if slug:
            try:
                return Affiliate.objects.get(slug=slug)
            except Affiliate.DoesNotExist:
                raise CommandError(f"There is no affiliate with the short name {slug!r}.") from None
        affiliates = list(Affiliate.objects.all()[:2])
        if not affiliates:
            raise CommandError("There is no affiliate yet; create one first.")
        if len(affiliates) > 1:
            raise CommandError("There is more than one affiliate: say which with --affiliate SLUG.")
        return affiliates[0]

    def _mapping(self, headers: list[str], overrides: list[str]) -> list[str]:
        """Return the guessed mapping with the --map overrides applied."""
        mapping = imports.guess_mapping(headers)
        folded = [imports.fold(h) for h in headers]
        for item in overrides:
            column, sep, target = item.partition("=")
            target = target.strip()
            if not sep or target not in imports.FIELD_KEYS:
                raise CommandError(f"--map {item!r}: write COLUMN=FIELD with a known FIELD.")
            matches = [i for i, h in enumerate(folded) if h == imports.fold(column)]
            if not matches:
                raise CommandError(f"--map {item!r}: the file has no column {column!r}.")
            for index in matches:
                mapping[index] = target
        return mapping
