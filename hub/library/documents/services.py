"""Generate a document from a partnership's data and keep it, in three formats, as a version."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import override

from hub.core import audit
from hub.core.models import User
from hub.library.documents import context, formats, sandbox
from hub.library.documents.templates import Source
from hub.library.models import TemplateKind
from hub.partnerships import services as partnership_services
from hub.partnerships.models import Document, Partnership

FORMATS = ("odt", "docx", "pdf")
# Where each generated kind sits among the partnership's documents.
DOCUMENT_KINDS = {
    TemplateKind.AGREEMENT: Document.Kind.AGREEMENT,
    TemplateKind.MOU: Document.Kind.AGREEMENT,
    TemplateKind.DATA_LICENCE_AGREEMENT: Document.Kind.AGREEMENT,
    TemplateKind.CONCEPT_NOTE: Document.Kind.CONCEPT_NOTE,
    TemplateKind.IMPACT_SUMMARY: Document.Kind.REPORT,
    TemplateKind.GRANT_REPORT_SECTION: Document.Kind.REPORT,
}


@dataclass(frozen=True)
class Draft:
    """A document's title and text as the template filled them in, before it is kept."""

    title: str
    text: str
    language: str

    @property
    def blocks(self) -> list[formats.Block]:
        return formats.blocks(self.text)


def draft(*, actor: User | None, partnership: Partnership, source: Source, language: str) -> Draft:
    """Fill the template with the partnership's data in the language; raise TemplateRefused."""
    with override(language):
        data = context.build(partnership, author=actor)
        text = sandbox.render(source.body, data)
        title = _("%(kind)s: %(title)s") % {
            "kind": TemplateKind(source.kind).label,
            "title": partnership.title,
        }
    return Draft(title=title, text=text, language=language)


def _file_name(made: Draft, version: int, extension: str) -> str:
    stem = get_valid_filename(made.title.replace(":", " -"))[:150] or "document"
    return f"{stem}_v{version}_{made.language}.{extension}"


@transaction.atomic
def generate_document(
    *, actor: User | None, partnership: Partnership, source: Source, language: str
) -> list[Document]:
    """Keep the filled-in template with the partnership as ODT, DOCX and PDF: one new version.

    Nothing is kept if the template cannot be filled in.
    """
    # One generation at a time per partnership, so two clicks make versions n and n + 1.
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    made = draft(actor=actor, partnership=partnership, source=source, language=language)
    parts = made.blocks
    latest = Document.objects.filter(partnership=partnership, generated_kind=source.kind).aggregate(
        latest=Max("version")
    )["latest"]
    version = (latest or 0) + 1
    files = {
        "odt": formats.to_odt(made.title, parts, language=language),
        "docx": formats.to_docx(made.title, parts, language=language),
        "pdf": formats.to_pdf(made.title, parts, language=language),
    }
    kept = []
    for extension in FORMATS:
        data = files[extension]
        kept.append(
            partnership_services.add_document(
                actor=actor,
                partnership=partnership,
                stream=io.BytesIO(data),
                name=_file_name(made, version, extension),
                size=len(data),
                kind=DOCUMENT_KINDS.get(TemplateKind(source.kind), Document.Kind.OTHER),
                generated_kind=source.kind,
                version=version,
                language=language,
            )
        )
    audit.record(
        actor=actor,
        affiliate=partnership.affiliate,
        action="library.document_generated",
        target=partnership,
        changes={
            "document": ["", made.title],
            "version": [None, version],
            "template": ["", source.title],
        },
    )
    return kept
