"""Where a batch's sheet and files lie on disk (HUB_UPLOADS_DIR/<batch id>/), read in pieces."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from pathlib import Path, PurePosixPath

from django.conf import settings

CHUNK_BYTES = 1024 * 1024


def batch_dir(batch_id: int) -> Path:
    """Return the batch's folder (created on first use)."""
    folder = Path(settings.HUB_UPLOADS_DIR) / str(int(batch_id))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_path(batch_id: int, stored_path: str) -> Path:
    """Return where a stored file lies; refuse a stored path that leaves the batch's folder."""
    root = batch_dir(batch_id).resolve()
    path = (root / stored_path).resolve()
    if root not in path.parents:
        raise ValueError(f"{stored_path!r} is outside the batch's folder")
    return path


def new_stored_path(name: str, *, folder: str = "files") -> str:
    """Return a fresh relative path for a file named ``name`` (its extension kept, lower-case)."""
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()[:10]
    if not suffix[1:].isalnum():
        suffix = ""
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


def move_in(batch_id: int, source: Path, name: str, *, folder: str = "files") -> str:
    """Move a file into the batch's folder and return its stored path."""
    stored = new_stored_path(name, folder=folder)
    target = file_path(batch_id, stored)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(source), target)
    return stored


def copy_in(batch_id: int, source: Path, name: str) -> str:
    """Copy a file (a server folder's, which stays where it is) into the batch's folder."""
    stored = new_stored_path(name)
    target = file_path(batch_id, stored)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return stored


def sha1_and_size(path: Path) -> tuple[str, int]:
    """Return the file's SHA-1 (hex, lower case, as MediaWiki gives it) and size, read in pieces."""
    digest = hashlib.sha1(usedforsecurity=False)
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def remove_batch_files(batch_id: int) -> None:
    """Delete the batch's folder with everything in it."""
    shutil.rmtree(Path(settings.HUB_UPLOADS_DIR) / str(int(batch_id)), ignore_errors=True)


def display_name(name: str) -> str:
    """Return the last part of a path-like name (``photos/a.jpg`` → ``a.jpg``)."""
    return PurePosixPath(name.replace("\\", "/")).name
