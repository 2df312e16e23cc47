"""Cut a snippet around the searched words and mark them, escaping everything else."""

from __future__ import annotations

import html
import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from hub.library.search import fold

SNIPPET_CHARS = 240
# Snippets look at the first part of a long file's text only: enough to show why it matched.
SCAN_CHARS = 200_000
_SUFFIXES = ("ings", "ing", "ies", "es", "ed", "s")
# What html.escape changes.
_SPECIAL = re.compile("[&<>\"']")


def root(word: str) -> str:
    """Return the word without a common ending, so "partnerships" marks "partnership" too."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _pattern(words: list[str]) -> re.Pattern[str] | None:
    roots = sorted({root(w) for w in words if w}, key=len, reverse=True)
    if not roots:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(r) for r in roots) + r")\w*")


def _folded_same_length(text: str) -> tuple[str, str]:
    """Return (text, folded) with one folded character per character of text."""
    text = unicodedata.normalize("NFC", text)
    folded = fold(text)
    if len(folded) == len(text):
        return text, folded
    # Rare letters fold to two (ß, ligatures): fold letter by letter, keeping the first.
    return text, "".join((fold(ch) or " ")[0] for ch in text)


def _mark(text: str, folded: str, pattern: re.Pattern[str]) -> str:
    # html.escape, what django's escape calls, without its check for lazy text on each piece
    # (a common word is marked dozens of times in one snippet), and only if there is
    # something to escape.
    plain = _SPECIAL.search(text) is None
    out: list[str] = []
    at = 0
    for found in pattern.finditer(folded):
        start, end = found.span()
        if plain:
            out.append(f"{text[at:start]}<mark>{text[start:end]}</mark>")
        else:
            out.append(f"{html.escape(text[at:start])}<mark>{html.escape(text[start:end])}</mark>")
        at = end
    out.append(text[at:] if plain else html.escape(text[at:]))
    return "".join(out)


def marked(text: str, words: list[str]) -> SafeString:
    """Return the whole (short) text escaped, with the searched words marked."""
    pattern = _pattern(words)
    if pattern is None or not text:
        return mark_safe(escape(text))  # noqa: S308 - escaped just above
    original, folded = _folded_same_length(text)
    return mark_safe(_mark(original, folded, pattern))  # noqa: S308 - _mark escapes every piece


def snippet(texts: list[str], words: list[str]) -> SafeString:
    """Return a snippet of the first text where a word occurs, escaped, the words marked.

    Without a match (stemming found what the marks do not) the first text's opening is shown.
    """
    return matched_snippet(texts, words) or opening(texts)


def matched_snippet(texts: list[str], words: list[str]) -> SafeString | None:
    """Return a snippet of the first text where a word occurs, or None if none has one."""
    pattern = _pattern(words)
    for text in texts:
        if not text or pattern is None:
            continue
        original, folded = _folded_same_length(text[:SCAN_CHARS])
        found = pattern.search(folded)
        if found is None:
            continue
        start = max(0, found.start() - SNIPPET_CHARS // 3)
        end = min(len(original), start + SNIPPET_CHARS)
        if start > 0:
            space = original.find(" ", start, found.start())
            start = space + 1 if space != -1 else start
        if end < len(original):
            space = original.rfind(" ", found.end(), end)
            end = space if space != -1 else end
        body = _mark(original[start:end], folded[start:end], pattern)
        body = ("… " if start > 0 else "") + body + (" …" if end < len(original) else "")
        return mark_safe(body)  # noqa: S308 - _mark escapes every piece
    return None


def opening(texts: list[str]) -> SafeString:
    """Return the opening of the first text that has any, escaped."""
    first = next((t for t in texts if t), "")
    cut = first[:SNIPPET_CHARS]
    return mark_safe(escape(cut) + (" …" if len(first) > len(cut) else ""))  # noqa: S308
