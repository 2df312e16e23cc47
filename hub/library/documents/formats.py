"""Write a generated document's text as an editable DOCX and ODT, and as a PDF.

The text a template renders is plain, with a few marks a volunteer can type: a line starting
with "# " is a heading ("## " a smaller one), "- " an item of a list, and a blank line ends a
paragraph; the lines of a paragraph keep their breaks (an address, a signature). Each writer
escapes the text for its own format, so nothing in it is ever read as markup.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Block:
    """A heading (level 1 or 2), a paragraph (level 0) or a list item (level -1)."""

    level: int
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def blocks(text: str) -> list[Block]:
    """Split rendered text into headings, paragraphs and list items."""
    found: list[Block] = []
    paragraph: Block | None = None
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        stripped = line.lstrip()
        if not stripped:
            paragraph = None
        elif stripped.startswith(("# ", "## ")):
            level = 2 if stripped.startswith("## ") else 1
            found.append(Block(level, [stripped.split(" ", 1)[1].strip()]))
            paragraph = None
        elif stripped.startswith(("- ", "* ")):
            found.append(Block(-1, [stripped[2:].strip()]))
            paragraph = None
        elif paragraph is None:
            paragraph = Block(0, [line])
            found.append(paragraph)
        else:
            paragraph.lines.append(line)
    return found


def _direction(language: str) -> bool:
    """Say whether a language is written right to left (the document's pages then are)."""
    from django.utils import translation

    from hub.core import pdf

    with translation.override(language):
        return pdf.right_to_left()


def _docx_language(element: Any, language: str, rtl: bool) -> None:
    """Set w:lang on a run's (or the defaults') properties: bidi for a right-to-left language."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    lang = element.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        element.append(lang)
    lang.set(qn("w:bidi" if rtl else "w:val"), language)


def _docx_paragraph(paragraph: Any, rtl: bool) -> None:
    """Set a paragraph's direction (w:bidi: it starts at the right, lists and all)."""
    if not rtl:
        return
    from docx.oxml import OxmlElement

    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(OxmlElement("w:bidi"))


def _docx_runs(paragraph: Any, text: str, rtl: bool) -> Any:
    """Add text as runs; in a right-to-left document its Arabic stretches are w:rtl runs and a
    Latin name between them an ordinary run, so Word lays each out in its own direction."""
    from docx.oxml import OxmlElement

    run = None
    for stretch, is_rtl in _stretches(_rtl_line(text)) if rtl else [(text, False)]:
        run = paragraph.add_run(stretch)
        if is_rtl:
            run._r.get_or_add_rPr().append(OxmlElement("w:rtl"))
    return run


def _stretches(text: str) -> list[tuple[str, bool]]:
    """Split a line of a right-to-left document into left-to-right stretches (a Latin name, a
    date: from its first letter or digit to its last) and right-to-left ones (the rest, with
    the spaces and punctuation around the names): "عقد مع Nordic Museum." ->
    [("عقد مع ", True), ("Nordic Museum", False), (".", True)]."""
    return [(piece, not index % 2) for index, piece in enumerate(_LTR_STRETCH.split(text)) if piece]


def _rtl_line(text: str) -> str:
    """Return a line of a right-to-left document with a left-to-right mark before each
    left-to-right stretch that starts with a digit: without it, readers draw "التاريخ
    2026-03-01" as 01-03-2026 (after an Arabic letter, digits are Arabic numbers, which the
    hyphens split)."""
    return "".join(
        "\u200e" + piece if not rtl and piece[0].isdigit() else piece
        for piece, rtl in _stretches(text)
    )


_LTR_LETTER = "A-Za-z0-9\u00c0-\u024f\u0370-\u052f"
_LTR_STRETCH = re.compile(
    f"([{_LTR_LETTER}](?:[^\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]*[{_LTR_LETTER}])?)"
)


def to_docx(title: str, parts: list[Block], *, language: str = "en") -> bytes:
    """Return a Word document (.docx) with the title and language in its properties.

    In a right-to-left language (Arabic) the section and every paragraph are right to left
    (w:bidi) and the Arabic runs are marked w:rtl; the language is the default of every run."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rtl = _direction(language)
    document = Document()
    document.core_properties.title = title
    document.core_properties.language = language
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _docx_language(rpr, language, rtl)
    if rtl:
        document.sections[0]._sectPr.append(OxmlElement("w:bidi"))
    for block in parts:
        if block.level > 0:
            heading = document.add_heading(level=block.level)
            _docx_paragraph(heading, rtl)
            _docx_runs(heading, block.text, rtl)
            continue
        paragraph = document.add_paragraph(style="List Bullet" if block.level < 0 else None)
        _docx_paragraph(paragraph, rtl)
        for index, line in enumerate(block.lines):
            run = _docx_runs(paragraph, line, rtl)
            if run is not None and index < len(block.lines) - 1:
                run.add_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _odt_styles(document: Any, language: str, rtl: bool) -> dict[str, Any]:
    """Return the paragraph styles; right to left (rl-tb) on the page and in every paragraph
    of a right-to-left language, and the language on the text (complex script for Arabic)."""
    from odf.style import (
        DefaultStyle,
        MasterPage,
        PageLayout,
        PageLayoutProperties,
        ParagraphProperties,
        Style,
        TextProperties,
    )

    mode = "rl-tb" if rtl else "lr-tb"
    words = (
        {"languagecomplex": language, "countrycomplex": "none"}
        if rtl
        else {"language": language, "country": "none"}
    )
    default = DefaultStyle(family="paragraph")
    # Aligned to the right as LibreOffice writes it: "end" (it reads "start" as the left edge).
    align = "end" if rtl else "start"
    default.addElement(ParagraphProperties(writingmode=mode, textalign=align))
    default.addElement(TextProperties(**words))
    document.styles.addElement(default)
    layout = PageLayout(name="HubPage")
    layout.addElement(PageLayoutProperties(writingmode=mode))
    document.automaticstyles.addElement(layout)
    document.masterstyles.addElement(MasterPage(name="Standard", pagelayoutname=layout))

    def style(name: str, size: str, bold: bool = False, margin: str = "0.2cm") -> Any:
        made = Style(name=name, family="paragraph")
        made.addElement(ParagraphProperties(marginbottom=margin, writingmode=mode, textalign=align))
        made.addElement(
            TextProperties(fontsize=size, fontweight="bold" if bold else "normal", **words)
        )
        document.styles.addElement(made)
        return made

    return {
        "h1": style("Heading 1", "16pt", True, "0.3cm"),
        "h2": style("Heading 2", "13pt", True),
        "p": style("Text body", "11pt"),
    }


def to_odt(title: str, parts: list[Block], *, language: str = "en") -> bytes:
    """Return an OpenDocument text (.odt) with the title and language in its metadata."""
    from odf import dc, teletype
    from odf.opendocument import OpenDocumentText
    from odf.text import H, LineBreak, List, ListItem, P

    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text=title))
    document.meta.addElement(dc.Language(text=language))
    rtl = _direction(language)
    styles = _odt_styles(document, language, rtl)
    written: Callable[[str], str] = _rtl_line if rtl else str
    current_list: Any = None
    for block in parts:
        if block.level < 0:
            if current_list is None:
                current_list = List()
                document.text.addElement(current_list)
            item = ListItem()
            paragraph = P(stylename=styles["p"])
            teletype.addTextToElement(paragraph, written(block.text))
            item.addElement(paragraph)
            current_list.addElement(item)
            continue
        current_list = None
        if block.level > 0:
            heading = H(outlinelevel=block.level, stylename=styles[f"h{block.level}"])
            teletype.addTextToElement(heading, written(block.text))
            document.text.addElement(heading)
            continue
        paragraph = P(stylename=styles["p"])
        for index, line in enumerate(block.lines):
            if index:
                paragraph.addElement(LineBreak())
            teletype.addTextToElement(paragraph, written(line))
        document.text.addElement(paragraph)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def to_pdf(title: str, parts: list[Block], *, language: str = "en") -> bytes:
    """Return the document as a PDF, with its title and language in the PDF's metadata.

    The font (hub.core.pdf) has Arabic, Greek, Cyrillic and Latin; in a right-to-left language
    the text is shaped, put in visual order line by line and aligned to the right."""
    from django.utils import translation
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import ListFlowable, ListItem, SimpleDocTemplate

    from hub.core import pdf

    with translation.override(language):
        rtl = pdf.right_to_left()
        regular, bold = pdf.fonts()
        sample = getSampleStyleSheet()
        start = {"alignment": TA_RIGHT} if rtl else {}
        body = ParagraphStyle(
            "HubBody", parent=sample["BodyText"], fontName=regular, fontSize=11, **start
        )
        heads = {
            1: ParagraphStyle("HubH1", parent=sample["Heading1"], fontName=bold, **start),
            2: ParagraphStyle("HubH2", parent=sample["Heading2"], fontName=bold, **start),
        }
        story: list[Any] = []
        items: list[Any] = []

        def close_list() -> None:
            if items:
                story.append(ListFlowable(list(items), bulletType="bullet", bulletFontName=regular))
                items.clear()

        for block in parts:
            text = "\n".join(block.lines)
            if block.level < 0:
                items.append(ListItem(pdf.paragraph(text, body)))
                continue
            close_list()
            story.append(pdf.paragraph(text, heads[block.level] if block.level > 0 else body))
        close_list()
        out = io.BytesIO()
        SimpleDocTemplate(
            out,
            pagesize=A4,
            title=title,
            lang=language,
            leftMargin=2.2 * cm,
            rightMargin=2.2 * cm,
            topMargin=2 * cm,
            bottomMargin=2 * cm,
        ).build(story)
    return out.getvalue()
