"""Write a generated document's text as an editable DOCX and ODT, and as a PDF.

The text a template renders is plain, with a few marks a volunteer can type: a line starting
with "# " is a heading ("## " a smaller one), "- " an item of a list, and a blank line ends a
paragraph; the lines of a paragraph keep their breaks (an address, a signature). Each writer
escapes the text for its own format, so nothing in it is ever read as markup.
"""

from __future__ import annotations

import io
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


def to_docx(title: str, parts: list[Block]) -> bytes:
    """Return a Word document (.docx) with the title in its properties."""
    from docx import Document

    document = Document()
    document.core_properties.title = title
    for block in parts:
        if block.level > 0:
            document.add_heading(block.text, level=block.level)
            continue
        paragraph = document.add_paragraph(style="List Bullet" if block.level < 0 else None)
        for index, line in enumerate(block.lines):
            run = paragraph.add_run(line)
            if index < len(block.lines) - 1:
                run.add_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _odt_styles(document: Any) -> dict[str, Any]:
    from odf.style import ParagraphProperties, Style, TextProperties

    def style(name: str, size: str, bold: bool = False, margin: str = "0.2cm") -> Any:
        made = Style(name=name, family="paragraph")
        made.addElement(ParagraphProperties(marginbottom=margin))
        made.addElement(TextProperties(fontsize=size, fontweight="bold" if bold else "normal"))
        document.styles.addElement(made)
        return made

    return {
        "h1": style("Heading 1", "16pt", True, "0.3cm"),
        "h2": style("Heading 2", "13pt", True),
        "p": style("Text body", "11pt"),
    }


def to_odt(title: str, parts: list[Block]) -> bytes:
    """Return an OpenDocument text (.odt) with the title in its metadata."""
    from odf import dc, teletype
    from odf.opendocument import OpenDocumentText
    from odf.text import H, LineBreak, List, ListItem, P

    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text=title))
    styles = _odt_styles(document)
    current_list: Any = None
    for block in parts:
        if block.level < 0:
            if current_list is None:
                current_list = List()
                document.text.addElement(current_list)
            item = ListItem()
            paragraph = P(stylename=styles["p"])
            teletype.addTextToElement(paragraph, block.text)
            item.addElement(paragraph)
            current_list.addElement(item)
            continue
        current_list = None
        if block.level > 0:
            heading = H(outlinelevel=block.level, stylename=styles[f"h{block.level}"])
            teletype.addTextToElement(heading, block.text)
            document.text.addElement(heading)
            continue
        paragraph = P(stylename=styles["p"])
        for index, line in enumerate(block.lines):
            if index:
                paragraph.addElement(LineBreak())
            teletype.addTextToElement(paragraph, line)
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
