"""Guess how a CSV file's text is encoded and which character separates its columns."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

from charset_normalizer import from_bytes

_DELIMITERS = (",", ";", "\t", "|")
_LATIN_ENCODINGS = ("cp1252", "cp1250", "cp1254", "cp1257", "mac_roman")
# Other scripts, where charset-normalizer's language model tells the code pages apart.
_OTHER_ENCODINGS = [
    "cp1251",
    "cp1256",
    "cp1253",
    "cp1255",
    "koi8_r",
    "cp866",
    "shift_jis",
    "euc_jp",
    "gb18030",
    "big5",
    "euc_kr",
    "cp874",
    "cp1258",
]
_COMMON_LATIN = frozenset(
    "àâäáãåæçèéêëìíîïñòóôöõøœùúûüýÿßąćęłńśźżčďěňřšťůžőűășțşğıÀÂÄÁÃÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÖÕØÙÚÛÜÝ"
    "ĄĆĘŁŃŚŹŻČĎĚŇŘŠŤŮŽŐŰĂȘȚŞĞİ"
)
_HARMLESS_SYMBOLS = frozenset("«»–—‘’“”€°…·•×ºª§©®™\u00a0")


def _script(ch: str) -> str:
    return unicodedata.name(ch, "UNKNOWN").split(" ")[0]


def _plausibility(text: str) -> float:
    """Return how much a decoding looks like real words: letters of one script per word."""
    score = 0.0
    for word in re.findall(r"[^\W\d_]+", text):
        foreign = [ch for ch in word if ord(ch) > 127]
        if not foreign:
            continue
        scripts = {_script(ch) for ch in word}
        if len(scripts) > 1:
            score -= len(foreign)
        elif scripts == {"LATIN"}:
            # Latin-script words carry a few accents; a word made of them is a wrong guess
            # (Cyrillic or Arabic bytes read as Western European).
            if len(word) >= 3 and len(foreign) == len(word):
                score -= len(foreign)
            else:
                score += sum(1.0 if ch in _COMMON_LATIN else 0.2 for ch in foreign)
        else:
            score += len(foreign)
    for ch in text:
        if (
            ord(ch) > 127
            and not ch.isalpha()
            and not ch.isspace()
            and ch not in (_HARMLESS_SYMBOLS)
        ):
            score -= 1
    return score


def guess_encoding(data: bytes) -> tuple[str, str]:
    """Return the most plausible encoding of non-UTF-8 text and the text, or ("", "")."""
    sample = data[:200_000]
    candidates: list[tuple[float, str]] = []
    for encoding in _LATIN_ENCODINGS:
        try:
            candidates.append((_plausibility(sample.decode(encoding)), encoding))
        except UnicodeDecodeError:
            continue
    other = from_bytes(sample, cp_isolation=_OTHER_ENCODINGS).best()
    if other is not None and other.encoding and other.chaos <= 0.2:
        candidates.append((_plausibility(str(other)), other.encoding))
    # max() keeps the first of equal scores: the more common encoding.
    score, encoding = max(candidates, key=lambda c: c[0], default=(0.0, ""))
    if score <= 0:
        return "", ""
    try:
        return encoding.replace("_", "-"), data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return "", ""


def looks_binary(text: str) -> bool:
    sample = text[:200_000]
    if not sample:
        return False
    bad = 0
    for ch in sample:
        if ch in "\t\r\n":
            continue
        category = unicodedata.category(ch)
        if category in {"Cc", "Cs", "Co", "Cn"} or ch == "\ufffd":
            bad += 1
    return bad > max(2, len(sample) // 100)


def sniff_delimiter(text: str) -> str:
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best, best_score = ",", (-1.0, 0)
    for delimiter in _DELIMITERS:
        try:
            rows = [
                r
                for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
                if any(c.strip() for c in r)
            ][:50]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistency = sum(1 for r in rows if len(r) == width) / len(rows)
        score = (round(consistency, 1), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best
