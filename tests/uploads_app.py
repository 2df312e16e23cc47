"""What the batch upload app's tests share: images with bytes of their own, sheets, batches."""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path
from typing import Any

from PIL import Image

from hub.uploads import services
from hub.uploads.models import UploadBatch

_seeds = itertools.count(1)
HEADERS = ["File", "Name", "Description", "Author", "Date", "Source", "Licence"]


def png(path: Path, *, size: tuple[int, int] = (24, 16)) -> Path:
    """Write a small PNG whose bytes (and SHA-1) no other call writes in this process."""
    import os

    seed = next(_seeds) * 7919 + os.getpid() * 31 + int.from_bytes(os.urandom(3), "big")
    picture = Image.new("RGB", size, (seed % 256, (seed >> 8) % 256, (seed >> 16) % 256))
    picture.putpixel((0, 0), (seed % 251, (seed >> 4) % 251, (seed >> 12) % 251))
    picture.save(path, "PNG")
    return path


def sheet_csv(path: Path, rows: list[list[str]], headers: list[str] = HEADERS) -> Path:
    """Write a metadata sheet (CSV) with the given rows under the usual headings."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def row(file: str, title: str, **extra: str) -> list[str]:
    """Return a complete row for HEADERS: a photo with its description, author, date, licence."""
    return [
        file,
        title,
        extra.get("description", f"A photograph: {title}"),
        extra.get("author", "Anna Lindqvist"),
        extra.get("date", "1923-05-01"),
        extra.get("source", "Nordic Museum"),
        extra.get("licence", "CC BY-SA 4.0"),
    ]


def batch_with_sheet(
    partnership: Any, actor: Any, tmp_path: Path, rows: list[list[str]], **fields: Any
) -> UploadBatch:
    """Create a batch for the partnership and read a CSV sheet of the rows into it."""
    batch = services.create_batch(actor=actor, partnership=partnership, title="Postcards", **fields)
    sheet = sheet_csv(tmp_path / "sheet.csv", rows)
    return services.attach_sheet(actor=actor, batch=batch, path=sheet, original_name="sheet.csv")


def give_files(batch: UploadBatch, actor: Any, tmp_path: Path, names: list[str]) -> list[Path]:
    """Write a fresh PNG for each name and give them to the batch; return their paths' copies."""
    folder = tmp_path / f"given-{next(_seeds)}"
    folder.mkdir()
    paths = [png(folder / name) for name in names]
    kept = [(p.name, p) for p in paths]
    copies = [Path(str(p) + ".orig") for p in paths]
    for p, c in zip(paths, copies, strict=True):
        c.write_bytes(p.read_bytes())
    services.add_files(actor=actor, batch=batch, files=kept)
    return copies
