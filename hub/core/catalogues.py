"""Read gettext catalogues (.po) without Django: which languages are complete enough to offer.

The settings module imports this to build ``LANGUAGES``, so it imports nothing from Django.
A language is *shipped* when ``locale/<code>/LC_MESSAGES/django.po`` exists, has every entry
translated (no empty ``msgstr``, nothing marked fuzzy) and is compiled (``django.mo`` beside it).
That the catalogue holds every message of the source is checked by tests/test_catalogues.py,
which extracts the messages afresh and compares.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

Name = TypeVar("Name")  # a language's name: a string, or a lazy translation in settings

_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
# printf-style (%s, %d, %(name)s, %%) and str.format-style ({name}, {0}) placeholders.
_PRINTF = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0+-]*\d*(?:\.\d+)?(?P<kind>[sdifrxXeEgGcu%])")
_BRACES = re.compile(r"(?<!\{)\{(?P<name>[A-Za-z_][A-Za-z0-9_]*|\d*)(?:[!:][^{}]*)?\}(?!\})")


@dataclass
class Entry:
    """One message of a catalogue: its source text(s) and its translation(s)."""

    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    python_format: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        """Return what identifies the message: its context and its source text."""
        return (self.msgctxt, self.msgid)

    @property
    def translated(self) -> bool:
        """Say whether every form has a translation and none is a guess awaiting review."""
        return not self.fuzzy and bool(self.msgstr) and all(self.msgstr.values())


def _unquote(line: str) -> str:
    match = _QUOTED.search(line)
    if match is None:
        return ""
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), match.group(1))


def read_po(path: Path) -> list[Entry]:
    """Return the entries of a .po file, without its header and obsolete (#~) entries."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal entry, started, target
        if started and entry.msgid:
            entries.append(entry)
        entry, started, target = Entry(), False, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            if started and target is not None and target[0] == "msgstr":
                finish()
            entry.fuzzy = entry.fuzzy or "fuzzy" in line
            entry.python_format = entry.python_format or "python-format" in line
        elif line.startswith("#"):
            continue
        elif (
            line.startswith(("msgctxt", "msgid ")) and target is not None and target[0] == "msgstr"
        ):
            finish()
            started = True
            target = _start(entry, line)
        elif line.startswith(("msgctxt", "msgid", "msgstr")):
            started = True
            target = _start(entry, line)
        elif line.startswith('"') and target is not None:
            _append(entry, target, _unquote(line))
    finish()
    return entries


def _start(entry: Entry, line: str) -> tuple[str, int]:
    keyword = line.split(None, 1)[0]
    text = _unquote(line)
    if keyword == "msgctxt":
        entry.msgctxt = text
        return ("msgctxt", 0)
    if keyword == "msgid":
        entry.msgid = text
        return ("msgid", 0)
    if keyword == "msgid_plural":
        entry.msgid_plural = text
        return ("msgid_plural", 0)
    index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
    entry.msgstr[index] = text
    return ("msgstr", index)


def _append(entry: Entry, target: tuple[str, int], text: str) -> None:
    kind, index = target
    if kind == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    elif kind == "msgid":
        entry.msgid += text
    elif kind == "msgid_plural":
        entry.msgid_plural += text
    else:
        entry.msgstr[index] = entry.msgstr.get(index, "") + text


def catalogue_path(locale_dir: Path, code: str) -> Path:
    """Return where the Hub's catalogue for a language lives."""
    return locale_dir / code / "LC_MESSAGES" / "django.po"


def po_code(language: str) -> str:
    """Return the folder name gettext uses for a language code (pt-br -> pt_BR)."""
    lang, _, country = language.partition("-")
    if not country:
        return lang
    return f"{lang}_{country.title() if len(country) > 2 else country.upper()}"


# Read at every start, so by pattern rather than entry by entry (1 ms, not 30, a catalogue):
# an empty translation is ``msgstr ""`` with no continuation line; a fuzzy entry is a flag
# line followed (after comments and a context) by any msgid but the header's.
_EMPTY = re.compile(r'^msgstr(?:\[\d+\])? ""\n(?!")', re.M)
_FUZZY = re.compile(
    r'^#,.*\bfuzzy\b.*\n(?:#.*\n)*(?:msgctxt .*\n(?:".*\n)*)?msgid (?!""\nmsgstr)', re.M
)


def is_complete(po: Path) -> bool:
    """Say whether a catalogue is compiled and every one of its entries is translated."""
    if not po.is_file() or not po.with_suffix(".mo").is_file():
        return False
    text = (
        "\n".join(
            line.strip()
            for line in po.read_text(encoding="utf-8").splitlines()
            if not line.startswith("#~")
        )
        + "\n\n"
    )
    return "\nmsgid " in "\n" + text.split('msgid ""\nmsgstr ""', 1)[-1] and not (
        _EMPTY.search(text) or _FUZZY.search(text)
    )


def shipped_languages(
    locale_dir: Path, known: Sequence[tuple[str, Name]], default: str = "en"
) -> list[tuple[str, Name]]:
    """Return the (code, name) pairs to offer: the default, then each complete catalogue."""
    return [
        (code, name)
        for code, name in known
        if code == default or is_complete(catalogue_path(locale_dir, po_code(code)))
    ]


def placeholders(text: str) -> list[str]:
    """Return the placeholders of a message, sorted: %(name)s, %s, %d, {name}, {0}.

    Positional printf placeholders keep their order's meaning, so they are compared as a
    sorted multiset of kinds (French may not reorder %s and %d anyway).
    """
    found = []
    for match in _PRINTF.finditer(text):
        if match.group("kind") == "%":
            continue
        name = match.group("name")
        found.append(f"%({name}){match.group('kind')}" if name is not None else match.group(0))
    found.extend("{" + m.group("name") + "}" for m in _BRACES.finditer(text))
    return sorted(found)


def placeholder_mismatches(entries: list[Entry]) -> list[str]:
    """Return one line per translation whose placeholders differ from its source's."""
    problems = []
    for entry in entries:
        for index, translation in entry.msgstr.items():
            if not translation:
                continue
            source = entry.msgid_plural if (index > 0 and entry.msgid_plural) else entry.msgid
            wanted, got = placeholders(source), placeholders(translation)
            if entry.msgid_plural and set(got) < set(wanted):
                # A plural form may leave out the count ("one file" for %(count)d files),
                # never add a placeholder nor drop a named one other than the count.
                missing = set(wanted) - set(got)
                if all("count" in p or p in {"%d", "%s"} for p in missing):
                    continue
            if wanted != got:
                problems.append(f"{entry.msgid!r} [{index}]: source {wanted}, translation {got}")
    return problems


def missing_messages(source: list[Entry], catalogue: list[Entry]) -> list[str]:
    """Return the source messages a catalogue lacks or leaves untranslated, sorted."""
    done = {e.key for e in catalogue if e.translated}
    return sorted(
        (f"{ctx}|{msgid}" if ctx else msgid) for ctx, msgid in {e.key for e in source} - done
    )


def catalogue_problems(locale_dir: Path, known: Sequence[tuple[str, object]]) -> list[str]:
    """Return why a catalogue in locale_dir will not be offered as its translators expect:
    a language the Hub has no name for, or a .mo missing or older than its .po."""
    codes = {po_code(code) for code, _name in known}
    problems = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/django.po")):
        code = po.parent.parent.name
        mo = po.with_suffix(".mo")
        if code not in codes:
            problems.append(f"{code}: not in HUB_KNOWN_LANGUAGES, so never offered")
        elif not mo.is_file():
            problems.append(f"{code}: not compiled (run make setup), so not offered")
        elif mo.stat().st_mtime < po.stat().st_mtime:
            problems.append(f"{code}: compiled before its last change (run make setup)")
    return problems
