"""Find the template a document is generated from: the library's, or the Hub's default."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from hub.core.models import Affiliate
from hub.library.models import Kind, Resource, TemplateKind, Visibility

DEFAULTS = Path(__file__).resolve().parent / "defaults"
# The kinds the Hub ships a default template for; others need a template in the library.
DEFAULT_KINDS = (
    TemplateKind.CONCEPT_NOTE,
    TemplateKind.LETTER_OF_INTENT,
    TemplateKind.AGREEMENT,
    TemplateKind.IMPACT_SUMMARY,
    TemplateKind.GRANT_REPORT_SECTION,
)


@dataclass(frozen=True)
class Source:
    """A template's text, where it comes from, and the library resource if it is one."""

    kind: str
    title: str
    body: str
    language: str
    resource_id: int | None = None


def available(affiliate: Affiliate) -> QuerySet[Resource]:
    """Return the library templates an affiliate may use: its own and those shared with all."""
    return (
        Resource.objects.filter(kind=Kind.TEMPLATE)
        .exclude(body="")
        .filter(Q(affiliate=affiliate) | Q(visibility__in=[Visibility.MOVEMENT, Visibility.PUBLIC]))
        .select_related("affiliate")
        .order_by("template_kind", "title", "id")
    )


def default(kind: str, language: str) -> Source | None:
    """Return the Hub's default template of a kind in the language (or English), or None."""
    if kind not in DEFAULT_KINDS:
        return None
    for code in (language, language.split("-")[0], "en"):
        path = DEFAULTS / code / f"{kind}.txt"
        if code.isalpha() and path.is_file():
            return Source(
                kind=kind,
                title=_("The Hub’s default template"),
                body=path.read_text(encoding="utf-8"),
                language=code,
            )
    return None


def choose(affiliate: Affiliate, kind: str, language: str, resource_id: int | None) -> Source:
    """Return the chosen library template, or the default; refuse one the affiliate can't use."""
    if resource_id:
        resource = available(affiliate).filter(pk=resource_id, template_kind=kind).first()
        if resource is None:
            raise LookupError(_("That template is not in the library for this kind of document."))
        return Source(
            kind=kind,
            title=resource.title,
            body=resource.body,
            language=resource.language,
            resource_id=resource.pk,
        )
    found = default(kind, language)
    if found is None:
        raise LookupError(
            _("The Hub has no default template for this kind; choose one from the library.")
        )
    return found
