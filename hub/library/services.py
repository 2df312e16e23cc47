"""Every write to the library: resources, their files, featuring, case studies; audited."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.models import Affiliate, User
from hub.core.queue import enqueue_on_commit
from hub.core.regions import region_for_country
from hub.library import files
from hub.library.documents import sandbox
from hub.library.models import (
    CaseStudy,
    FileStatus,
    Kind,
    Resource,
    ResourceFacet,
    TemplateKind,
    Visibility,
)
from hub.library.tasks import process_file
from hub.library.vocabulary import LANGUAGE_CODES, LIST_FACETS, english_labels, search_config
from hub.partnerships.models import Activity, Partnership, PartnershipPartner

# The fields a person edits; the services check them and keep the search columns in step.
EDITABLE = (
    "kind",
    "template_kind",
    "title",
    "summary",
    "body",
    "language",
    "licence",
    "author",
    "topics",
    "partner_types",
    "regions",
    "activity_kinds",
    "visibility",
)
STORY = ("what_worked", "what_did_not", "advice")
# What a new or removed file changes; the background reading writes the text and preview of
# the file it read, so an edit without a new file leaves these alone.
FILE_FIELDS = (
    "file",
    "file_name",
    "file_kind",
    "file_size",
    "file_status",
    "file_problem",
    "preview",
    "extracted_text",
)


def _check(resource: Resource) -> None:
    if resource.kind not in Kind.values:
        raise ValidationError({"kind": _("Choose a kind of resource.")})
    if resource.kind != Kind.TEMPLATE:
        resource.template_kind = ""
    elif resource.template_kind and resource.template_kind not in TemplateKind.values:
        raise ValidationError({"template_kind": _("Choose a kind of template.")})
    elif resource.body:
        try:  # a template is code: refuse one the sandbox would not run, on the text's field
            sandbox.check(resource.body)
        except sandbox.TemplateRefused as refused:
            raise ValidationError({"body": refused.messages}) from None
    if resource.language not in LANGUAGE_CODES:
        raise ValidationError({"language": _("Choose the language the resource is written in.")})
    if resource.visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Choose who can see the resource.")})
    if not resource.title.strip():
        raise ValidationError({"title": _("Give the resource a title.")})


def _search_text(resource: Resource, case_study: CaseStudy | None) -> str:
    """Return what search reads besides title and file text: the words people look for."""
    parts = [resource.summary, resource.body, resource.author, resource.affiliate.name]
    for facet, attribute in LIST_FACETS.items():
        parts.extend(english_labels(facet, list(getattr(resource, attribute))))
    parts.extend(english_labels("kind", [resource.kind]))
    if resource.template_kind:
        parts.append(str(TemplateKind(resource.template_kind).label))
    if case_study is not None:
        partnership = case_study.partnership
        parts.extend([*(getattr(case_study, name) for name in STORY), partnership.title])
        parts.append(partnership.summary)
        parts.extend(
            PartnershipPartner.objects.filter(partnership=partnership).values_list(
                "organisation__name", flat=True
            )
        )
        parts.extend(
            Activity.objects.filter(partnership=partnership).values_list("title", flat=True)
        )
    return "\n".join(str(p) for p in parts if p)


def reindex(resource: Resource) -> None:
    """Write the resource's search columns and facet rows (the database triggers do the rest)."""
    case_study = CaseStudy.objects.filter(resource=resource).select_related("partnership").first()
    resource.search_text = _search_text(resource, case_study)
    resource.search_config = search_config(resource.language)
    resource.save(update_fields=["search_text", "search_config", "updated_at"])
    wanted = {("kind", resource.kind), ("language", resource.language)}
    for facet, attribute in LIST_FACETS.items():
        wanted.update((facet, str(value)[:40]) for value in getattr(resource, attribute))
    scope = {
        "affiliate_id": resource.affiliate_id,
        "visibility": resource.visibility,
        "case_partnership_id": case_study.partnership_id if case_study else None,
    }
    rows = ResourceFacet.objects.filter(resource=resource)
    have = set(rows.values_list("facet", "value"))
    for facet, value in have - wanted:
        rows.filter(facet=facet, value=value).delete()
    rows.update(**scope)
    ResourceFacet.objects.bulk_create(
        [
            ResourceFacet(resource=resource, facet=f, value=v, **scope)
            for f, v in sorted(wanted - have)
        ]
    )


def _attach_file(resource: Resource, stream: IO[bytes], name: str, size: int) -> str:
    """Store a checked file on the resource (not saved yet); return the stored name."""
    checked = files.check_file(stream, name, size)
    if resource.file:
        old = resource.file.name
        transaction.on_commit(lambda: default_storage.delete(old))
    if resource.preview:
        old_preview = resource.preview.name
        transaction.on_commit(lambda: default_storage.delete(old_preview))
    stream.seek(0)
    resource.file.save(f"{uuid.uuid4().hex}.{checked.kind}", File(stream), save=False)
    resource.file_name = checked.name
    resource.file_kind = checked.kind
    resource.file_size = checked.size
    resource.file_status = FileStatus.PENDING
    resource.file_problem = ""
    resource.preview = ""  # type: ignore[assignment]
    resource.extracted_text = ""
    return str(resource.file.name)


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def _queue_processing(resource: Resource) -> None:
    enqueue_on_commit(process_file, resource.pk)


def _set_translations(resource: Resource, translations: Iterable[Resource] | None) -> None:
    if translations is not None:
        resource.translations.set([t for t in translations if t.pk != resource.pk])


@transaction.atomic
def create_resource(
    *,
    actor: User | None,
    affiliate: Affiliate,
    title: str,
    kind: str,
    upload: tuple[IO[bytes], str, int] | None = None,
    translations: Iterable[Resource] | None = None,
    **fields: Any,
) -> Resource:
    """Add a resource (and its file, checked by its bytes; text and preview follow in a task)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    resource = Resource(affiliate=affiliate, title=title, kind=kind, created_by=actor, **fields)
    _check(resource)
    stored = _attach_file(resource, *upload) if upload else ""
    try:
        resource.save()
        _set_translations(resource, translations)
        reindex(resource)
        audit.record(
            actor=actor, affiliate=affiliate, action="library.resource_created", target=resource
        )
    except Exception:
        if stored:
            default_storage.delete(stored)
        raise
    if stored:
        _queue_processing(resource)
    return resource


@transaction.atomic
def update_resource(
    *,
    actor: User | None,
    resource: Resource,
    upload: tuple[IO[bytes], str, int] | None = None,
    remove_file: bool = False,
    translations: Iterable[Resource] | None = None,
    story: dict[str, str] | None = None,
    **fields: Any,
) -> Resource:
    """Change a resource's description, file or (for a case study) its story."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    before = audit.snapshot(resource, EDITABLE)
    for name, value in fields.items():
        setattr(resource, name, value)
    _check(resource)
    stored = ""
    if upload:
        stored = _attach_file(resource, *upload)
    elif remove_file and resource.file:
        old_names = [resource.file.name, resource.preview.name if resource.preview else ""]
        transaction.on_commit(lambda: _delete_files(old_names))
        resource.file = ""  # type: ignore[assignment]
        resource.preview = ""  # type: ignore[assignment]
        resource.file_name = resource.file_kind = resource.file_problem = ""
        resource.file_size = 0
        resource.file_status = FileStatus.NONE
        resource.extracted_text = ""
    changed_file = bool(upload) or remove_file
    try:
        resource.save(
            update_fields=[*EDITABLE, "updated_at", *(FILE_FIELDS if changed_file else ())]
        )
        if story is not None and hasattr(resource, "case_study"):
            case_study = resource.case_study
            for name in STORY:
                if name in story:
                    setattr(case_study, name, story[name])
            case_study.save()
        _set_translations(resource, translations)
        reindex(resource)
        audit.record(
            actor=actor,
            affiliate=resource.affiliate,
            action="library.resource_updated",
            target=resource,
            changes=audit.diff(before, audit.snapshot(resource, EDITABLE)),
        )
    except Exception:
        if stored:
            default_storage.delete(stored)
        raise
    if stored:
        _queue_processing(resource)
    return resource


@transaction.atomic
def delete_resource(*, actor: User | None, resource: Resource) -> None:
    """Delete a resource and, once that is committed, its file and preview."""
    names = [n for n in (resource.file.name, resource.preview.name) if n]
    audit.record(
        actor=actor,
        affiliate=resource.affiliate,
        action="library.resource_deleted",
        target=resource,
    )
    resource.delete()
    transaction.on_commit(lambda: _delete_files(names))


@transaction.atomic
def set_featured(*, actor: User, resource: Resource, featured: bool) -> Resource:
    """Feature a resource in the library (hub staff only), or stop featuring it."""
    if not actor.is_hub_staff:
        raise ValidationError(_("Only hub staff can feature resources."))
    if featured and resource.visibility == Visibility.AFFILIATE:
        raise ValidationError(
            _("Only a resource the movement or the public can see can be featured.")
        )
    resource.featured = featured
    resource.featured_at = timezone.now() if featured else None
    resource.save(update_fields=["featured", "featured_at"])
    audit.record(
        actor=actor,
        affiliate=resource.affiliate,
        action="library.resource_featured" if featured else "library.resource_unfeatured",
        target=resource,
    )
    return resource


def _partnership_facets(partnership: Partnership) -> dict[str, list[str]]:
    """Return the partner types, regions and activity kinds a partnership's case study carries."""
    partners = PartnershipPartner.objects.filter(partnership=partnership).select_related(
        "organisation"
    )
    types = sorted({p.organisation.partner_type for p in partners if p.organisation.partner_type})
    countries = {str(p.organisation.country) for p in partners if p.organisation.country}
    countries.add(str(partnership.affiliate.country or ""))
    regions = sorted({r for r in (region_for_country(c) for c in countries) if r})
    kinds = sorted(
        set(Activity.objects.filter(partnership=partnership).values_list("kind", flat=True))
    )
    topics = [
        topic
        for topic, on in (
            ("content", partnership.goal_content),
            ("funding", partnership.goal_funding),
            ("advocacy", partnership.goal_advocacy),
            ("training", partnership.gives_knowledge),
            ("capacity", partnership.gives_capacity),
            ("volunteers", partnership.gives_contributors),
        )
        if on
    ]
    return {"partner_types": types, "regions": regions, "activity_kinds": kinds, "topics": topics}


@transaction.atomic
def create_case_study(
    *,
    actor: User | None,
    partnership: Partnership,
    title: str,
    what_worked: str = "",
    what_did_not: str = "",
    advice: str = "",
    **fields: Any,
) -> Resource:
    """Start a case study of a published partnership; its facets default to the partnership's."""
    if partnership.visibility != Partnership.Visibility.PUBLISHED:
        raise ValidationError(
            _(
                "Publish the partnership to the movement first: a case study tells the "
                "movement about a partnership it can see."
            )
        )
    for name, value in _partnership_facets(partnership).items():
        if not fields.get(name):
            fields[name] = value
    fields.setdefault("visibility", Visibility.MOVEMENT)
    resource = create_resource(
        actor=actor, affiliate=partnership.affiliate, title=title, kind=Kind.CASE_STUDY, **fields
    )
    CaseStudy.objects.create(
        resource=resource,
        partnership=partnership,
        what_worked=what_worked,
        what_did_not=what_did_not,
        advice=advice,
    )
    reindex(resource)
    audit.record(
        actor=actor,
        affiliate=partnership.affiliate,
        action="library.case_study_created",
        target=partnership,
        changes={"case_study": ["", resource.title]},
    )
    return resource
