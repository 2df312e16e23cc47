"""Restore a backup made by ``hub.core.backup`` into an empty database and empty folders, then
verify the result against the backup's manifest.

Nothing in the target changes until the whole archive has been read into a staging folder and
every file matched its checksum, the manifest's schema is one this code knows, and the target
was found empty. An archive that is cut short, altered, of another vendor or of a newer schema
is refused with a message that says which.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

from hub.core import dbdump
from hub.core.backup import CHUNK, FILES_PREFIX, FORMAT, FORMAT_VERSION, MANIFEST, folder_files


class RestoreRefused(Exception):
    """The backup was not restored and nothing was changed; the message says why."""


class VerificationFailed(Exception):
    """The backup was restored but does not match its manifest; the message lists how."""


@dataclass
class RestoreReport:
    """What was restored and checked."""

    created_at: str
    hub_version: str
    tables: int
    rows: int
    files: int
    bytes: int
    seconds: float = 0.0
    # Where the time went: reading and checking the archive, loading it, verifying the result.
    phases: dict[str, float] = field(default_factory=dict)
    pending_migrations: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Return the report in sentences for the operator."""
        lines = [
            _("Restored the backup made %(created)s by Hub %(version)s.")
            % {"created": self.created_at, "version": self.hub_version},
            _(
                "Verified against its manifest: %(tables)d tables with %(rows)d rows, "
                "%(files)d files (%(bytes)d bytes), every checksum matching."
            )
            % {"tables": self.tables, "rows": self.rows, "files": self.files, "bytes": self.bytes},
        ]
        if self.pending_migrations:
            lines.append(
                _(
                    "This version of the Hub has %(count)d migrations the backup has not: "
                    "run `manage.py migrate` before serving."
                )
                % {"count": len(self.pending_migrations)}
            )
        return lines


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and (name == MANIFEST or name.startswith(("database/", FILES_PREFIX)))
    )


def _cut_short(archive: Path, detail: str) -> RestoreRefused:
    return RestoreRefused(
        _(
            "%(archive)s is incomplete or damaged (%(detail)s): it may have been cut short while "
            "it was copied. Nothing was changed; restore from a complete copy."
        )
        % {"archive": archive, "detail": detail}
    )


def read_archive(archive: Path, staging: Path) -> dict[str, Any]:
    """Unpack the archive into staging, hashing every file; return its manifest once every
    file matches it. Refuse an archive cut short, altered or not made by the Hub."""
    seen: dict[str, dict[str, Any]] = {}
    manifest: dict[str, Any] | None = None
    try:
        with tarfile.open(archive, mode="r|") as tar:
            for member in tar:
                if not member.isfile() or not _safe_name(member.name):
                    raise RestoreRefused(
                        _("%(archive)s is not a backup of the Hub (it holds %(name)s).")
                        % {"archive": archive, "name": member.name}
                    )
                source = tar.extractfile(member)
                assert source is not None  # a regular file  # noqa: S101
                if member.name == MANIFEST:
                    manifest = json.loads(source.read())
                    continue
                target = staging / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with target.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                seen[member.name] = {"sha256": digest.hexdigest(), "size": size}
    except FileNotFoundError as error:
        raise RestoreRefused(_("There is no file %(archive)s.") % {"archive": archive}) from error
    except (tarfile.TarError, EOFError, OSError, ValueError) as error:
        raise _cut_short(archive, str(error) or type(error).__name__) from error
    if manifest is None:
        raise _cut_short(archive, _("its manifest is missing"))
    if manifest.get("format") != FORMAT:
        raise RestoreRefused(_("%(archive)s is not a backup of the Hub.") % {"archive": archive})
    if int(manifest.get("format_version", 0)) > FORMAT_VERSION:
        raise RestoreRefused(
            _("%(archive)s was made by a newer version of the Hub (%(version)s): upgrade first.")
            % {"archive": archive, "version": manifest.get("hub_version")}
        )
    expected = manifest["files"]
    missing = sorted(set(expected) - set(seen))
    if missing:
        raise _cut_short(archive, _("%(count)d files missing") % {"count": len(missing)})
    altered = sorted(name for name in seen if seen[name] != expected.get(name))
    if altered:
        raise RestoreRefused(
            _(
                "%(archive)s has been altered since it was made: %(names)s do not match the "
                "checksums of its manifest. Nothing was changed."
            )
            % {"archive": archive, "names": ", ".join(altered[:5])}
        )
    return manifest


def unknown_migrations(manifest: dict[str, Any]) -> list[str]:
    """Return the backup's applied migrations that this code does not have."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, name in manifest["migrations"] if (app, name) not in known]


def pending_migrations(manifest: dict[str, Any]) -> list[str]:
    """Return this code's migrations that the backup had not applied."""
    applied = {(app, name) for app, name in manifest["migrations"]}
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return sorted(f"{app}.{name}" for app, name in known if (app, name) not in applied)


def check_manifest(
    manifest: dict[str, Any], database: dbdump.Database, folders: dict[str, Path]
) -> None:
    """Refuse a backup of another database vendor, of a newer schema, or with files for a
    folder this Hub has not configured."""
    vendor = manifest["database"]["vendor"]
    if vendor != database.vendor:
        raise RestoreRefused(
            _(
                "This is a backup of a %(backup)s database and the Hub is configured for "
                "%(target)s. A backup restores only into the same kind of database (moving "
                "from SQLite to PostgreSQL is not supported by backup and restore)."
            )
            % {"backup": vendor, "target": database.vendor}
        )
    unknown = unknown_migrations(manifest)
    if unknown:
        raise RestoreRefused(
            _(
                "This backup comes from a newer version of the Hub (%(version)s): its database "
                "has %(count)d migrations this version does not know (%(names)s). Install the "
                "version that made it, restore, then upgrade. Nothing was changed."
            )
            % {
                "version": manifest.get("hub_version"),
                "count": len(unknown),
                "names": ", ".join(unknown[:5]),
            }
        )
    unset = sorted(set(manifest["folders"]) - set(folders))
    if unset:
        raise RestoreRefused(
            _("This backup holds files for %(names)s, which this Hub has no folder for.")
            % {"names": ", ".join(unset)}
        )


def check_empty(database: dbdump.Database, folders: dict[str, Path]) -> None:
    """Refuse a target database or folder that holds anything: a restore never overwrites."""
    try:
        empty = dbdump.is_empty(database)
    except dbdump.DatabaseDumpError as error:
        raise RestoreRefused(str(error)) from error
    if not empty:
        raise RestoreRefused(
            _(
                "%(database)s is not empty. A backup is restored only into an empty database, "
                "so that nothing is overwritten: create a new one (or move this one away) and "
                "restore into that."
            )
            % {"database": database.describe(first=True)}
        )
    for key, folder in sorted(folders.items()):
        if folder_files(folder):
            raise RestoreRefused(
                _(
                    "The %(key)s folder %(folder)s is not empty. A backup is restored only into "
                    "empty folders: move its files away, or point the Hub at a new folder."
                )
                % {"key": key, "folder": folder}
            )


def verify(
    manifest: dict[str, Any], database: dbdump.Database, folders: dict[str, Path]
) -> RestoreReport:
    """Compare the restored database's row counts and the restored files' checksums with the
    manifest; raise VerificationFailed listing every difference."""
    problems = []
    found = dbdump.count(database)
    for table, rows in sorted(manifest["tables"].items()):
        if found.tables.get(table) != rows:
            problems.append(
                _("table %(table)s has %(found)s rows, the backup %(rows)d")
                % {"table": table, "found": found.tables.get(table, _("no")), "rows": rows}
            )
    files = total = 0
    for name, expected in sorted(manifest["files"].items()):
        if not name.startswith(FILES_PREFIX):
            continue
        key, _sep, relative = name[len(FILES_PREFIX) :].partition("/")
        path = folders[key] / relative
        if not path.is_file() or _sha256(path) != expected["sha256"]:
            problems.append(_("file %(name)s differs or is missing") % {"name": name})
        files += 1
        total += int(expected["size"])
    if problems:
        raise VerificationFailed("; ".join(problems[:20]))
    return RestoreReport(
        created_at=manifest["created_at"],
        hub_version=manifest["hub_version"],
        tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()),
        files=files,
        bytes=total,
        pending_migrations=pending_migrations(manifest),
    )


def _place_folder(staged: Path, folder: Path) -> None:
    """Move the staged files into the folder, which may be a mount point or a link: keep it."""
    folder.mkdir(parents=True, exist_ok=True)
    for child in staged.iterdir():
        target = folder / child.name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)  # holds no file: check_empty found none
        shutil.move(str(child), str(target))


def restore_backup(
    archive: Path, *, database: dbdump.Database, folders: dict[str, Path]
) -> RestoreReport:
    """Restore the archive into the empty database and folders, then verify it."""
    started = time.perf_counter()
    check_empty(database, folders)
    # Stage beside the files' folders, so that placing them is a rename, not a copy.
    near = next(iter(sorted(folders.values())), Path(tempfile.gettempdir())).parent
    near.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".hub-restore-", dir=near))
    phases: dict[str, float] = {}
    try:
        manifest = read_archive(archive, staging)
        check_manifest(manifest, database, folders)
        check_empty(database, folders)  # again: the archive took a while to read
        phases["read"] = time.perf_counter() - started
        try:
            dbdump.load(staging / manifest["database"]["dump"], database)
        except dbdump.DatabaseDumpError as error:
            raise RestoreRefused(str(error)) from error
        for key in manifest["folders"]:
            staged = staging / FILES_PREFIX / key
            if staged.is_dir():
                _place_folder(staged, folders[key])
            else:
                folders[key].mkdir(parents=True, exist_ok=True)
        phases["load"] = time.perf_counter() - started - phases["read"]
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report = verify(manifest, database, folders)
    report.phases = phases | {"verify": time.perf_counter() - started - sum(phases.values())}
    report.seconds = time.perf_counter() - started
    return report
