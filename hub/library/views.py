"""Pages of the library: search, a resource, its file and preview, forms, case studies."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.core.context_processors import memberships
from hub.core.forms import apply_errors
from hub.core.models import Affiliate, Membership
from hub.core.permissions import acting_user, affiliate_view, hub_staff_view
from hub.library import drawing, selectors, services
from hub.library.files import CONTENT_TYPES
from hub.library.forms import CaseStudyForm, ResourceForm, SearchForm, StoryForm
from hub.library.models import Kind, Resource
from hub.library.vocabulary import label, language_name
from hub.partnerships.selectors import get_partnership

logger = logging.getLogger(__name__)


def _visible_or_404(request: HttpRequest, pk: int) -> Resource:
    try:
        return selectors.resource_for(request.user, pk)
    except Resource.DoesNotExist:
        raise Http404 from None


def _own_or_404(affiliate: Affiliate, pk: int) -> Resource:
    try:
        return selectors.own_resource(affiliate, pk)
    except Resource.DoesNotExist:
        raise Http404 from None


def _editable_affiliates(request: HttpRequest) -> list[Affiliate]:
    return [m.affiliate for m in memberships(request) if m.can_edit]


def library(request: HttpRequest) -> HttpResponse:
    """Search the library: ranked results with marked snippets and facets to narrow them."""
    form = SearchForm(request.GET or None)
    query, chosen, page = "", {}, 1
    if form.is_valid():
        query = form.cleaned_data["q"] or ""
        chosen = form.chosen()
        page = form.cleaned_data["page"] or 1
    own = [m.affiliate_id for m in memberships(request)]
    results = selectors.search_library(request.user, query, chosen, page, own=own)
    base = {k: v for k, v in {"q": query, **chosen}.items() if v}
    searching = bool(query or base)
    return render(
        request,
        "library/library.html",
        {
            "form": form,
            "results": results,
            "result_items": drawing.result_items(results.hits),
            "facets": drawing.facet_lists(results.facets, base) if results.facets else "",
            "chosen_fields": drawing.chosen_fields(results.facets),
            "query_string": urlencode(base),
            "searching": searching,
            "featured": [] if searching else selectors.featured(request.user),
            "can_add": _editable_affiliates(request),
        },
    )


def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a resource the viewer may see (others answer 404): its file, preview, versions."""
    resource = _visible_or_404(request, pk)
    case_study = None
    if resource.kind == Kind.CASE_STUDY and hasattr(resource, "case_study"):
        case_study = selectors.case_study_view(resource.case_study)
    own = (
        request.user.is_authenticated
        and Membership.objects.filter(
            user=request.user,
            affiliate=resource.affiliate,
            role__in=[Membership.Role.MANAGER, Membership.Role.MEMBER],
        ).exists()
    )
    facets = [
        (_("Topics"), [label("topic", v) for v in resource.topics]),
        (_("Partner types"), [label("partner_type", v) for v in resource.partner_types]),
        (_("Regions"), [label("region", v) for v in resource.regions]),
        (_("Activity kinds"), [label("activity_kind", v) for v in resource.activity_kinds]),
    ]
    return render(
        request,
        "library/resource_detail.html",
        {
            "resource": resource,
            "case": case_study,
            "language": language_name(resource.language),
            "translations": [
                (t, language_name(t.language))
                for t in selectors.translations_of(request.user, resource)
            ],
            "facets": [(name, values) for name, values in facets if values],
            "own": own,
        },
    )


def _send(field: Any, *, filename: str, content_type: str, public: bool) -> FileResponse:
    try:
        stream = field.open("rb")
    except FileNotFoundError:
        logger.error("Library file missing on disk: %s", field.name)
        raise Http404 from None
    response = FileResponse(stream, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def resource_file(request: HttpRequest, pk: int) -> FileResponse:
    """Send the resource's file, as a download, to whoever may see the resource."""
    resource = _visible_or_404(request, pk)
    if not resource.file:
        raise Http404
    response = _send(
        resource.file,
        filename=resource.file_name or f"resource.{resource.file_kind}",
        content_type=CONTENT_TYPES.get(resource.file_kind, "application/octet-stream"),
        public=resource.visibility == "public",
    )
    response["Content-Disposition"] = response["Content-Disposition"].replace(
        "inline", "attachment"
    )
    return response


def resource_preview(request: HttpRequest, pk: int) -> FileResponse:
    """Send the picture of the resource's first page."""
    resource = _visible_or_404(request, pk)
    if not resource.preview:
        raise Http404
    return _send(
        resource.preview,
        filename="preview.png",
        content_type="image/png",
        public=resource.visibility == "public",
    )


@hub_staff_view
@require_POST
def resource_feature(request: HttpRequest, pk: int) -> HttpResponse:
    """Feature a resource in the library, or stop featuring it (hub staff)."""
    resource = _visible_or_404(request, pk)
    try:
        services.set_featured(
            actor=acting_user(request), resource=resource, featured=request.POST.get("on") == "1"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("library:resource_detail", pk=resource.pk)


def _upload(form: ResourceForm) -> tuple[Any, str, int] | None:
    upload = form.cleaned_data.get("file")
    return (upload, upload.name or "", upload.size or 0) if upload else None


@affiliate_view(edit=True)
def resource_create(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Add a resource to the library."""
    form = ResourceForm(request.POST or None, request.FILES or None, affiliate=affiliate)
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.create_resource(
                actor=acting_user(request),
                affiliate=affiliate,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                upload=_upload(form),
                translations=form.cleaned_data["translations"],
                **form.fields_for_service(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The resource is in the library."))
            return redirect("library:resource_detail", pk=resource.pk)
    return render(request, "library/resource_form.html", {"form": form, "resource": None})


@affiliate_view(edit=True)
def resource_edit(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Change one of the affiliate's resources (and a case study's story)."""
    resource = _own_or_404(affiliate, pk)
    is_case = hasattr(resource, "case_study")
    initial = {
        name: getattr(resource, name)
        for name in ("title", "kind", *services.EDITABLE)
        if hasattr(resource, name)
    }
    initial["translations"] = list(resource.translations.all())
    form = ResourceForm(
        request.POST or None,
        request.FILES or None,
        affiliate=affiliate,
        editing=resource,
        initial=initial,
    )
    story_initial = (
        {name: getattr(resource.case_study, name) for name in services.STORY} if is_case else {}
    )
    story = StoryForm(request.POST or None, initial=story_initial, prefix="story")
    if request.method == "POST" and form.is_valid() and (not is_case or story.is_valid()):
        fields = form.fields_for_service()
        try:
            services.update_resource(
                actor=acting_user(request),
                resource=resource,
                title=form.cleaned_data["title"],
                kind=Kind.CASE_STUDY if is_case else form.cleaned_data["kind"],
                upload=_upload(form),
                remove_file=form.cleaned_data["file"] is False,
                translations=form.cleaned_data["translations"],
                story=story.cleaned_data if is_case else None,
                **fields,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("library:resource_detail", pk=resource.pk)
    return render(
        request,
        "library/resource_form.html",
        {"form": form, "resource": resource, "story": story if is_case else None},
    )


@affiliate_view(edit=True)
def resource_delete(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Ask, then delete one of the affiliate's resources."""
    resource = _own_or_404(affiliate, pk)
    if request.method == "POST":
        services.delete_resource(actor=acting_user(request), resource=resource)
        messages.success(request, _("The resource was deleted."))
        return redirect("library:library")
    return render(request, "library/resource_delete.html", {"resource": resource})


@affiliate_view(edit=True)
def case_study_create(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Start a case study from a published partnership."""
    partnership = get_partnership(affiliate, pk)
    form = CaseStudyForm(request.POST or None, initial={"title": partnership.title})
    published = partnership.visibility == partnership.Visibility.PUBLISHED
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            resource = services.create_case_study(
                actor=acting_user(request),
                partnership=partnership,
                title=data["title"],
                summary=data["summary"],
                language=data["language"],
                visibility=data["visibility"],
                author=str(acting_user(request)),
                what_worked=data["what_worked"],
                what_did_not=data["what_did_not"],
                advice=data["advice"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The case study is in the library."))
            return redirect("library:resource_detail", pk=resource.pk)
    return render(
        request,
        "library/case_study_form.html",
        {
            "form": form,
            "partnership": partnership,
            "published": published,
            "back": reverse(
                "partnerships:partnership_detail", kwargs={"slug": affiliate.slug, "pk": pk}
            ),
        },
    )
