"""Check a batch's rows before anything is sent: titles, files, licences, required fields.

A problem is ``{"level": "error" | "warning", "field": key, "message": words}``: an error
blocks the row, a warning is shown and the row goes on. Nothing here asks a wiki; the checks
that need one (a title or the bytes already there, missing categories) live with the runner.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from hub.partners.keys import is_valid_qid, normalise_qid
from hub.uploads.fields import FIELDS, iso_date, split_list
from hub.uploads.licences import licence_problem
from hub.uploads.sniffing import SVG, Sniffed, kind_for_extension, sniff, svg_problems
from hub.uploads.statements import caption_problems
from hub.wikimedia.errors import InvalidTitle
from hub.wikimedia.titles import category_name, clean_text

__all__ = [
    "MAX_TITLE_BYTES",
    "REQUIRED_FIELDS",
    "FileInfo",
    "Sniffed",
    "duplicate_bytes",
    "duplicate_titles",
    "find_file",
    "full_title",
    "row_problems",
    "sniff",
    "svg_problems",
    "title_key",
    "title_problems",
]

Problem = dict[str, str]
MAX_TITLE_BYTES = 240  # what MediaWiki allows a file name, extension included
_FORBIDDEN_RE = re.compile(r"[#<>\[\]|{}\x00-\x1f\x7f\ufffd]")
_REPLACED_RE = re.compile(r"[:/\\]")  # MediaWiki turns these into "-" in uploaded file names
_BIDI_RE = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CAMERA_NAME_RE = re.compile(
    r"^(img|dsc|dscn|dscf|dcp|pict|p|sam|imag|photo|image|scan|file)[ _\-]?\d+$", re.I
)
# Fields a built-in template cannot do without; each entry is one field or its alternatives.
REQUIRED_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "information": (("source",), ("author",)),
    "artwork": (("source",), ("artist", "author")),
    "photograph": (("source",), ("photographer", "author")),
    "custom": (),
}


def _error(field: str, message: str) -> Problem:
    return {"level": "error", "field": field, "message": message}


def _warning(field: str, message: str) -> Problem:
    return {"level": "warning", "field": field, "message": message}


def _extension(title: str) -> str:
    _stem, dot, extension = title.rpartition(".")
    return extension.lower() if dot and re.fullmatch(r"[A-Za-z0-9]{1,5}", extension) else ""


def full_title(title: str, real_extension: str) -> str:
    """Return a file name with its extension: the sniffed one is added when the name has none.

    "File:" in front is dropped; spaces and Unicode are normalised as MediaWiki does.
    """
    title = clean_text(title.replace("_", " "))
    title = re.sub(r"^(file|image)\s*:\s*", "", title, flags=re.I)
    if title and real_extension and not _extension(title):
        title = f"{title}.{real_extension}"
    return title


def title_problems(
    title: str, *, real_extension: str, sniffed: Sniffed | None = None
) -> list[Problem]:
    """Return what is wrong with a file name before the wiki sees it (none if it will do).

    ``real_extension``: the extension of the file's real type (from :func:`sniff`); a name
    ending in another media extension is refused. Right-to-left text and combining marks are
    fine; direction marks are removed as MediaWiki does.
    """
    problems: list[Problem] = []
    raw = unicodedata.normalize("NFC", title or "")
    if _BIDI_RE.search(raw):
        problems.append(
            _warning(
                "title",
                _("The name contains invisible direction marks; the wiki removes them."),
            )
        )
    name = full_title(raw, real_extension)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    if not stem.strip(" .-"):
        return [_error("title", _("The file has no name on the wiki. Fill in its title."))]
    forbidden = sorted(set(_FORBIDDEN_RE.findall(name)))
    if forbidden:
        shown = " ".join(repr(c)[1:-1] if ord(c) < 32 or ord(c) == 127 else c for c in forbidden)
        problems.append(
            _error(
                "title",
                _(
                    "The name contains characters no wiki page name may have: %(chars)s. Replace "
                    "them, for example with a dash or round brackets."
                )
                % {"chars": shown},
            )
        )
    if _REPLACED_RE.search(name):
        problems.append(
            _warning("title", _("The wiki will replace “:”, “/” and “\\” in the name with “-”."))
        )
    size = len(name.encode("utf-8"))
    if size > MAX_TITLE_BYTES:
        problems.append(
            _error(
                "title",
                _(
                    "The name is too long: %(size)s bytes, and a file name may have at most "
                    "%(max)s (letters outside the Latin alphabet count two to four bytes "
                    "each). Shorten it."
                )
                % {"size": size, "max": MAX_TITLE_BYTES},
            )
        )
    if unicodedata.combining(stem[0]):
        problems.append(_warning("title", _("The name starts with an accent or mark on its own.")))
    extension = _extension(name)
    sniffed = sniffed or kind_for_extension(real_extension)
    if sniffed is not None and not sniffed.commons_ok:
        pass  # the file itself is refused; row_problems says so once
    elif real_extension and extension and extension != real_extension.lower():
        same_type = sniffed is not None and sniffed.accepts_extension(extension)
        if not same_type and (sniffed is None or sniffed.extension):
            problems.append(
                _error(
                    "title",
                    _(
                        "The name ends in “.%(given)s”, but the file is really %(kind)s. Use "
                        "“.%(real)s” (or convert the file)."
                    )
                    % {
                        "given": extension,
                        "kind": sniffed.label if sniffed else f".{real_extension}",
                        "real": real_extension,
                    },
                )
            )
    if _CAMERA_NAME_RE.match(stem.strip()):
        problems.append(
            _warning(
                "title",
                _(
                    "“%(name)s” is the kind of name a camera gives; Commons refuses such names. "
                    "Say what the file shows."
                )
                % {"name": stem.strip()},
            )
        )
    return problems


def title_key(title: str) -> str:
    """Return the form MediaWiki compares titles in: NFC, spaces for "_", first letter upper."""
    title = clean_text((title or "").replace("_", " "))
    if not title:
        return ""
    first = title[0].upper()
    return (first if len(first) == 1 else title[0]) + title[1:]


def _same(rows: Mapping[int, str], message: str, field: str) -> dict[int, list[Problem]]:
    groups: dict[str, list[int]] = {}
    for number, key in rows.items():
        if key:
            groups.setdefault(key, []).append(number)
    problems: dict[int, list[Problem]] = {}
    for numbers in groups.values():
        for number in numbers if len(numbers) > 1 else ():
            others = ", ".join(str(n) for n in numbers if n != number)
            problems.setdefault(number, []).append(_error(field, message % {"rows": others}))
    return problems


def duplicate_titles(rows: Mapping[int, str]) -> dict[int, list[Problem]]:
    """Return, for each row number whose file name another row also uses, a problem naming it.

    ``rows``: row number → full file name. Names fold as the wiki folds them (first letter,
    spaces and underscores).
    """
    return _same(
        {number: title_key(title) for number, title in rows.items()},
        _("Row %(rows)s has the same file name; every file needs its own name."),
        "title",
    )


def duplicate_bytes(rows: Mapping[int, str]) -> dict[int, list[Problem]]:
    """Return, for each row number whose file is byte for byte another row's, a problem.

    ``rows``: row number → the file's SHA-1.
    """
    return _same(
        {number: (sha1 or "").lower() for number, sha1 in rows.items()},
        _("Row %(rows)s has exactly the same file; upload it once."),
        "file",
    )


@dataclass(frozen=True)
class FileInfo:
    """What the Hub knows of a row's file: where it lies, its size and its real type."""

    path: Path
    size: int
    sniffed: Sniffed


def _label(key: str) -> str:
    field = FIELDS.get(key)
    return str(field.label) if field else key


def row_problems(
    values: Mapping[str, str],
    *,
    file_info: FileInfo | None,
    licence_default: str,
    template: str = "custom",
    max_bytes: int | None = None,
) -> list[Problem]:
    """Return a row's problems that need no wiki: its file, title, licence, required fields."""
    problems: list[Problem] = []
    if file_info is None:
        if values.get("file", "").strip():
            problems.append(
                _error(
                    "file",
                    _("No file called “%(name)s” was given to the batch. Add it, or fix the name.")
                    % {"name": values["file"].strip()[:200]},
                )
            )
        elif not values.get("url", "").strip():
            problems.append(_error("file", _("The row names no file and no file address.")))
    else:
        problems += _file_problems(file_info, max_bytes)
    if not values.get("title", "").strip():
        problems.append(_error("title", _("The file has no name on the wiki. Fill in its title.")))
    elif file_info is not None:
        problems += title_problems(
            values["title"], real_extension=file_info.sniffed.extension, sniffed=file_info.sniffed
        )
    else:  # the file is still to come: check what can be checked already
        problems += title_problems(values["title"], real_extension=_extension(values["title"]))
    licence = values.get("licence", "").strip() or licence_default
    message = licence_problem(licence)
    if message:
        problems.append(_error("licence", message))
    for alternatives in REQUIRED_FIELDS.get(template, ()):
        if not any(values.get(key, "").strip() for key in alternatives):
            names = _(" or ").join(f"“{_label(key)}”" for key in alternatives)
            problems.append(
                _error(
                    alternatives[0],
                    _("%(names)s is empty; the page template needs it.") % {"names": names},
                )
            )
    problems += _value_problems(values)
    problems += caption_problems(values)
    return problems


def _file_problems(file_info: FileInfo, max_bytes: int | None) -> list[Problem]:
    problems: list[Problem] = []
    if file_info.size == 0:
        return [_error("file", _("The file is empty."))]
    if not file_info.sniffed.commons_ok:
        problems.append(
            _error(
                "file",
                _(
                    "The file is really %(kind)s, which Commons does not accept (whatever its "
                    "name says). Commons takes images (JPEG, PNG, GIF, TIFF, WebP, SVG), PDF "
                    "and DjVu documents, and Ogg, WebM, FLAC, WAV, MP3 or MIDI media."
                )
                % {"kind": file_info.sniffed.label},
            )
        )
    if max_bytes is not None and file_info.size > max_bytes:
        problems.append(
            _error(
                "file",
                _("The file is %(size)s MB; the wiki accepts at most %(max)s MB.")
                % {"size": _megabytes(file_info.size), "max": _megabytes(max_bytes)},
            )
        )
    if file_info.sniffed == SVG:
        problems += svg_problems(file_info.path)
    return problems


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f}"


def _value_problems(values: Mapping[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    for key in ("creator_qid", "collection_qid", "depicts"):
        for item in split_list(values.get(key, "")):
            if not is_valid_qid(normalise_qid(item)):
                problems.append(
                    _error(
                        key,
                        _(
                            "“%(value)s” is not a Wikidata item id. It looks like Q followed by "
                            "digits, for example Q190804."
                        )
                        % {"value": item[:60]},
                    )
                )
    for name in split_list(values.get("categories", "")):
        try:
            category_name(name)
        except InvalidTitle:
            problems.append(
                _error(
                    "categories",
                    _(
                        "“%(value)s” cannot be a category name: it has characters like # [ ] | "
                        "or is empty."
                    )
                    % {"value": name[:100]},
                )
            )
    date = values.get("date", "").strip()
    if date and iso_date(date) is None:
        problems.append(
            _warning(
                "date",
                _(
                    "“%(value)s” goes onto the page as written, but only a date like 1890, "
                    "1890-05 or 1890-05-03 becomes a structured-data date."
                )
                % {"value": date[:60]},
            )
        )
    return problems


def find_file(reference: str, names: Sequence[str]) -> str | None:
    """Return which of the batch's file names a row's "file" cell means, or None.

    The cell may be the name, a path inside the ZIP, or a path on someone's computer as
    Pattypan writes it ("C:\\photos\\a.jpg"): the exact name wins, then the same path with
    "/" separators, then a file name found once in the batch (case ignored last).
    """
    reference = unicodedata.normalize("NFC", (reference or "").strip())
    if not reference:
        return None
    if reference in names:
        return reference
    path = reference.replace("\\", "/").lstrip("/")
    base = path.rsplit("/", 1)[-1]
    by_path = [n for n in names if n.replace("\\", "/").lstrip("/") == path]
    if len(by_path) == 1:
        return by_path[0]
    for fold in (lambda s: s, str.casefold):
        found = [n for n in names if fold(n.replace("\\", "/").rsplit("/", 1)[-1]) == fold(base)]
        if len(found) == 1:
            return found[0]
    return None
