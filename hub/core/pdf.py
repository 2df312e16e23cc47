"""Text in the Hub's PDFs (reportlab) in any language the Hub speaks, Arabic included.

reportlab draws each character's glyph as given, left to right, and knows neither how Arabic
letters join nor the Unicode bidirectional algorithm. So text with right-to-left letters is
shaped (arabic-reshaper: each letter in its joined form) and put in visual order (python-bidi)
before reportlab sees it, line by line once the line breaks are known: reordering a whole
paragraph first would put its last words on its first line. The font is DejaVu Sans (Debian's
fonts-dejavu-core, which `make setup` installs): it has Arabic, Greek, Cyrillic and the Latin
letters of every language the Hub offers; where it is missing, reportlab's Helvetica stands in
(Latin-1 only).

Text without a right-to-left letter goes to reportlab unchanged, so English pages cost nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display
from django.utils import translation
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import StyleSheet1, getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph
from reportlab.platypus.flowables import Flowable

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
REGULAR, BOLD = "HubSans", "HubSans-Bold"

# Hebrew, Arabic, Syriac, Thaana, N'Ko…, and the Arabic presentation forms.
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# A figure with separators (2027-01-15, 1,500.50, 12:30). After an Arabic letter the bidi
# algorithm reads its digits as Arabic numbers, which a "-" does not hold together, and would
# show 15-01-2027: each such figure is isolated left to right, as the pages show them.
_FIGURE = re.compile(r"\d+(?:[-/:.,]\d+)+")
_ISOLATES = re.compile("[\u2066-\u2069]")


def _reorder(line: str, base: str) -> str:
    """Return a logical line (letters already joined) in visual order."""
    isolated = _FIGURE.sub(lambda m: f"\u2066{m.group(0)}\u2069", line)
    return _ISOLATES.sub("", str(get_display(isolated, base_dir=base)))


def fonts() -> tuple[str, str]:
    """Register DejaVu Sans (regular, bold) once and return the names to use in styles."""
    regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        return "Helvetica", "Helvetica-Bold"
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(regular)))
        pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
        pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR)
    return REGULAR, BOLD


def right_to_left() -> bool:
    """Say whether the active language is written right to left (Arabic: the PDF mirrors)."""
    return bool(translation.get_language_bidi())


def has_rtl(text: str) -> bool:
    """Say whether text holds a right-to-left letter, so needs shaping and reordering."""
    return bool(_RTL.search(text))


def visual(text: str, *, rtl: bool | None = None) -> str:
    """Return one line of text as reportlab must draw it: Arabic letters joined, in visual
    order. The line's base direction is the document's (right to left in Arabic)."""
    if not has_rtl(text):
        return text
    return _visual(text, "R" if (right_to_left() if rtl is None else rtl) else "L")


@lru_cache(maxsize=4096)
def _shaped(word: str) -> str:
    """Return a word with its Arabic letters in their joined forms (labels repeat: cached)."""
    return str(arabic_reshaper.reshape(word))


@lru_cache(maxsize=4096)
def _visual(line: str, base: str) -> str:
    return _reorder(" ".join(_shaped(w) for w in line.split(" ")), base)


def styles() -> StyleSheet1:
    """Return reportlab's sample styles in the Hub's font, aligned to the language's start."""
    regular, bold = fonts()
    sheet = getSampleStyleSheet()
    rtl = right_to_left()
    for name in sheet.byName:
        style = sheet[name]
        if not hasattr(style, "fontName"):
            continue
        heavy = "Bold" in style.fontName or name.startswith(("Heading", "Title"))
        style.fontName = bold if heavy else regular
        if rtl and style.alignment == TA_LEFT:
            style.alignment = TA_RIGHT
    return sheet


def paragraph(text: str, style: Any) -> Flowable:
    """Return a flowable for plain text (escaped here): a reportlab Paragraph, or for text
    with right-to-left letters one whose lines are broken first and then reordered."""
    if not has_rtl(text):
        return Paragraph(escape(text).replace("\n", "<br/>"), style)
    return BidiParagraph(text, style, rtl=right_to_left())


class BidiParagraph(Flowable):  # type: ignore[misc]
    """A paragraph whose lines are broken on the logical text, each line then reordered."""

    def __init__(self, text: str, style: Any, *, rtl: bool) -> None:
        super().__init__()
        self.text, self.style, self.rtl = text, style, rtl
        self._inner: Any = None
        self._width = -1.0

    def _lines(self, width: float) -> list[str]:
        """Break the text into lines that fit, each in visual order. Letters join only within
        a word, so each word is shaped and measured once, and a line's width is their sum."""
        font, size = self.style.fontName, self.style.fontSize
        space = pdfmetrics.stringWidth(" ", font, size)
        lines: list[str] = []
        for logical in self.text.split("\n"):
            current: list[str] = []
            used = 0.0
            for word in logical.split(" "):
                shaped = _shaped(word) if has_rtl(word) else word
                needed = pdfmetrics.stringWidth(shaped, font, size)
                if current and used + space + needed > width:
                    lines.append(" ".join(current))
                    current, used = [], 0.0
                used += (space if current else 0.0) + needed
                current.append(shaped)
            lines.append(" ".join(current))
        base = "R" if self.rtl else "L"
        return [_reorder(line, base) for line in lines]

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        width = available_width - self.style.leftIndent - self.style.rightIndent
        if self._inner is not None and self._width == width:  # asked again: same lines
            self.width, self.height = self._inner.wrap(available_width, available_height)
            return self.width, self.height
        self._width = width
        markup = "<br/>".join(escape(line) for line in self._lines(width))
        style = self.style
        if self.rtl and style.alignment == TA_LEFT:
            style = style.clone(style.name + "-rtl", alignment=TA_RIGHT)
        self._inner = Paragraph(markup, style)
        self.width, self.height = self._inner.wrap(available_width, available_height)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Any]:
        self.wrap(available_width, available_height)
        parts: list[Any] = self._inner.split(available_width, available_height)
        return parts

    def getSpaceBefore(self) -> float:  # noqa: N802 (reportlab's name)
        return float(self.style.spaceBefore)

    def getSpaceAfter(self) -> float:  # noqa: N802 (reportlab's name)
        return float(self.style.spaceAfter)

    def draw(self) -> None:
        self._inner.drawOn(self.canv, 0, 0)
