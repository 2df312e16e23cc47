"""Back up the Hub into one archive: a consistent dump of the database, the folders of user
files, and last a manifest (applied migrations, rows per table, SHA-256 and size of every
file, the Hub's version, the database vendor, when it was made). ``hub.core.restore`` reads it.

The archive is a plain tar file: ``database/…`` (the dump), ``files/<folder>/…`` (the user
files) and ``manifest.json``. The manifest comes last so that every file is read once, hashed
as it is written; an archive cut short has no manifest and is refused whole.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files.storage import storages
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import dbdump

FORMAT = "partnerships-hub-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES_PREFIX = "files/"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup could not be made; the message says why."""


@dataclass
class BackupResult:
    """What a backup holds, for the operator's report."""

    path: Path
    size: int
    seconds: float
    manifest: dict[str, Any] = field(repr=False)

    @property
    def rows(self) -> int:
        return sum(self.manifest["tables"].values())

    @property
    def files(self) -> int:
        return sum(1 for name in self.manifest["files"] if name.startswith(FILES_PREFIX))


def hub_version() -> str:
    """Return the installed Hub's version."""
    try:
        return metadata.version("partnerships-hub")
    except metadata.PackageNotFoundError:
        return "unknown"


def file_folders() -> dict[str, Path]:
    """Return the folders that hold user files, by the name they carry in a backup: the
    media folder (partnership documents) and, when set, HUB_UPLOADS_DIR (batch uploads)."""
    folders: dict[str, Path] = {}
    location = getattr(storages["default"], "location", "")
    if location:
        folders["media"] = Path(location).resolve()
    uploads = getattr(settings, "HUB_UPLOADS_DIR", "")
    if uploads:
        path = Path(uploads).resolve()
        # Inside the media folder it is backed up with it already.
        if "media" not in folders or not path.is_relative_to(folders["media"]):
            folders["uploads"] = path
    return folders


def default_database() -> dbdump.Database:
    """Return the database the Hub runs on."""
    return dbdump.Database.from_settings(settings.DATABASES["default"])


def folder_files(folder: Path) -> list[tuple[str, Path]]:
    """Return (relative name, path) of every regular file under folder, sorted; symbolic links
    are left out (what they point at is not the Hub's)."""
    if not folder.is_dir():
        return []
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(folder).as_posix(), path))
    return found


class _Hashing(io.RawIOBase):
    """A reader that hashes what passes through it."""

    def __init__(self, inner: BinaryIO) -> None:
        self.inner = inner
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        data = self.inner.read(-1 if size is None else size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _add(tar: tarfile.TarFile, name: str, path: Path, files: dict[str, Any]) -> None:
    info = tarfile.TarInfo(name)
    info.size = path.stat().st_size
    info.mtime = int(path.stat().st_mtime)
    info.mode = 0o600
    with path.open("rb") as raw:
        reader = _Hashing(raw)
        try:
            tar.addfile(info, reader)  # type: ignore[arg-type]
        except OSError as error:
            raise BackupError(
                _("%(name)s changed while it was being backed up: run the backup again.")
                % {"name": path}
            ) from error
    files[name] = {"sha256": reader.digest.hexdigest(), "size": reader.size}


def create_backup(
    dest: Path,
    *,
    database: dbdump.Database | None = None,
    folders: dict[str, Path] | None = None,
) -> BackupResult:
    """Write a backup of the database and the user files to dest (a new file)."""
    started = time.perf_counter()
    database = database or default_database()
    folders = file_folders() if folders is None else folders
    if dest.exists():
        raise BackupError(_("%(path)s exists already: name a new file.") % {"path": dest})
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    created_at = timezone.now()
    with tempfile.TemporaryDirectory(prefix=".hub-backup-", dir=dest.parent) as tmp:
        dump_name = dbdump.DUMP_NAMES[database.vendor]
        dump_path = Path(tmp) / Path(dump_name).name
        try:
            snapshot = dbdump.dump(database, dump_path)
        except dbdump.DatabaseDumpError as error:
            raise BackupError(str(error)) from error
        files: dict[str, Any] = {}
        try:
            with partial.open("wb") as out:
                os.chmod(partial, 0o600)  # personal data: for the operator's eyes only
                with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                    _add(tar, dump_name, dump_path, files)
                    for key, folder in sorted(folders.items()):
                        for relative, path in folder_files(folder):
                            _add(tar, f"{FILES_PREFIX}{key}/{relative}", path, files)
                    manifest = _manifest(created_at, database, snapshot, folders, files)
                    data = json.dumps(manifest, indent=1, sort_keys=True).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mtime, info.mode = len(data), int(created_at.timestamp()), 0o600
                    tar.addfile(info, io.BytesIO(data))
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    os.replace(partial, dest)
    return BackupResult(
        path=dest,
        size=dest.stat().st_size,
        seconds=time.perf_counter() - started,
        manifest=manifest,
    )


def _manifest(
    created_at: dt.datetime,
    database: dbdump.Database,
    snapshot: dbdump.Snapshot,
    folders: dict[str, Path],
    files: dict[str, Any],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": created_at.isoformat(),
        "hub_version": hub_version(),
        "database": {
            "vendor": database.vendor,
            "server_version": snapshot.server_version,
            "dump": dbdump.DUMP_NAMES[database.vendor],
        },
        "migrations": [list(pair) for pair in snapshot.migrations],
        "tables": snapshot.tables,
        "folders": sorted(folders),
        "files": files,
    }


def default_path() -> Path:
    """Return a new file name for a backup under HUB_DATA_DIR/backups/."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"hub-backup-{stamp}.tar"
