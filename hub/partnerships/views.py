"""Pages of partnerships: thin views that parse, authorise, call one service or selector, render."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.core.forms import apply_errors
from hub.core.models import Affiliate
from hub.core.permissions import acting_user, affiliate_view
from hub.partners import selectors as partner_selectors
from hub.partnerships import goals, partner_status, selectors, services
from hub.partnerships.forms import (
    AgreementForm,
    DocumentForm,
    MainGoalForm,
    PartnerRowsForm,
    PartnershipFilterForm,
    PartnershipForm,
    StageForm,
)
from hub.partnerships.page import page_context
from hub.partnerships.slots import PARTNERSHIP_PAGE

PAGE_SIZE = 50

logger = logging.getLogger(__name__)


def _page_int(value: Any) -> int:
    text = str(value or "1")[:6]
    return int(text) if text.isdigit() and int(text) > 0 else 1


@affiliate_view()
def partnership_list(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """List, search, filter and sort the affiliate's partnerships, a page at a time."""
    filters = selectors.PartnershipFilters.from_params(request.GET)
    form = PartnershipFilterForm(request.GET or None, affiliate=affiliate)
    page = Paginator(selectors.partnership_list(affiliate, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return render(
        request,
        "partnerships/partnership_list.html",
        {
            "page": page,
            "rows": selectors.with_partner_names(page.object_list),
            "form": form,
            "filters": filters,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
        },
    )


@affiliate_view(edit=True)
def partnership_create(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Start a partnership with one or more partners from the directory, each with a role."""
    data = request.POST if request.method == "POST" else None
    form = PartnershipForm(data, affiliate=affiliate)
    first = request.GET.get("organisation", "")
    initial_rows = [(int(first), "main")] if first.isdigit() else []
    partners = PartnerRowsForm(data, affiliate=affiliate, initial_rows=initial_rows)
    if data is not None and form.is_valid() and partners.is_valid():
        try:
            partnership = services.create_partnership(
                actor=acting_user(request),
                affiliate=affiliate,
                partners=partners.partners,
                **form.service_fields(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Partnership created."))
            return redirect(
                "partnerships:partnership_detail", slug=affiliate.slug, pk=partnership.pk
            )
    return render(
        request,
        "partnerships/partnership_form.html",
        {"form": form, "partners_form": partners, "partnership": None},
    )


@affiliate_view(edit=True)
def partnership_edit(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Change a partnership's description, goals, dates and people."""
    partnership = selectors.get_partnership(affiliate, pk)
    data = request.POST if request.method == "POST" else None
    form = PartnershipForm(data, instance=partnership, affiliate=affiliate)
    if data is not None and form.is_valid():
        try:
            services.update_partnership(
                actor=acting_user(request), partnership=partnership, **form.service_fields()
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("partnerships:partnership_detail", slug=affiliate.slug, pk=pk)
    return render(
        request,
        "partnerships/partnership_form.html",
        {"form": form, "partners_form": None, "partnership": partnership},
    )


@affiliate_view(edit=True)
def partnership_partners(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Choose a partnership's partners and their roles."""
    partnership = selectors.get_partnership(affiliate, pk)
    data = request.POST if request.method == "POST" else None
    current = [(pp.organisation_id, pp.role) for pp in partnership.partners.all()]
    form = PartnerRowsForm(data, affiliate=affiliate, initial_rows=current)
    if data is not None and form.is_valid():
        try:
            services.set_partners(
                actor=acting_user(request), partnership=partnership, partners=form.partners
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Partners saved."))
            return redirect("partnerships:partnership_detail", slug=affiliate.slug, pk=pk)
    return render(
        request,
        "partnerships/partnership_partners.html",
        {"partners_form": form, "partnership": partnership},
    )


# The parts of the partnership page made of its kept reads and nothing else: drawn once per
# change and kind of person, and kept with the reads (hub.partnerships.page). Drawn from a
# context of those reads only, with no request, so that nothing a visit brings (a CSRF token,
# the person, messages) can be kept in them.
_KEPT_PARTS = {
    "activities_money": "partnerships/_page_activities_money.html",
    "timeline": "partnerships/_page_timeline.html",
}


def _draw_kept(kept: dict[str, Any], *, affiliate: Affiliate, can_edit: bool) -> dict[str, str]:
    """Return the page's parts drawn from its kept reads, for a person who may or may not edit."""
    values = {
        **kept,
        "partnership": kept["page"].partnership,
        "affiliate": affiliate,
        "current_affiliate": affiliate,
        "can_edit": can_edit,
    }
    # Each partial file ends with a line break the page does not have in their place; what
    # stays is the template's output, escaped by it.
    return {
        name: mark_safe(get_template(template).render(values).removesuffix("\n"))  # noqa: S308
        for name, template in _KEPT_PARTS.items()
    }


def _render_page(request: HttpRequest, affiliate: Affiliate, pk: int, **forms: Any) -> HttpResponse:
    """Render the partnership page, with any bound form that needs its errors shown.

    A refused change re-renders the page with 200, as the directory's forms do.
    """
    can_edit = request.membership.can_edit  # type: ignore[attr-defined]
    kept = page_context(
        affiliate,
        pk,
        timeline_page=_page_int(request.GET.get("page")),
        draw=partial(_draw_kept, affiliate=affiliate, can_edit=can_edit),
        variant=str(can_edit),
    )
    page = kept["page"]
    sent = forms.get("stage_form")
    stage_form = (
        sent
        if sent and not sent.is_jump
        else StageForm(initial={"exit_notes": page.partnership.exit_notes})
    )
    jump_form = sent if sent and sent.is_jump else StageForm(jump=True)
    forward_guard = next((m.guard for m in page.moves if m.kind == "forward" and m.guard), "")
    context = {
        "page": page,
        "partnership": page.partnership,
        "stage_form": stage_form,
        "jump_form": jump_form,
        # What stops the partnership moving on, said once at the top of the page: the
        # refusal just met, or the guard on the next stage.
        "stage_blocked": (sent.guard if sent else "") or forward_guard,
        "stage_refused": bool(sent and sent.guard),
        "agreement_form": forms.get("agreement_form")
        or AgreementForm(partnership=page.partnership, points=page.checklist),
        "document_form": forms.get("document_form") or DocumentForm(),
        "affiliate": affiliate,
        "can_edit": can_edit,
    }
    # The sections other parts of the app keep on this page (activities, money, tasks, the
    # strategic view) came with the page's reads, kept until a change (hub.partnerships.page);
    # apps higher up (impact) add theirs through the page's slot, read on every visit.
    context.update(kept)
    context["kept_html"] = kept["drawn"][str(can_edit)]
    context["sections"] = PARTNERSHIP_PAGE.sections(page.partnership)
    return render(request, "partnerships/partnership_detail.html", context)


@affiliate_view()
def partnership_detail(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Show a partnership: summary, partners, stage, agreement, documents and timeline."""
    return _render_page(request, affiliate, pk)


@affiliate_view(edit=True)
@require_POST
def partnership_stage(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Move a partnership to another stage, or explain which guard stops it."""
    partnership = selectors.get_partnership(affiliate, pk)
    form = StageForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            change = services.advance_stage(
                actor=acting_user(request),
                partnership=partnership,
                to_stage=data["to_stage"],
                reason=data["reason"],
                override=data["override"],
                exit_notes=data["exit_notes"] or None,
            )
        except ValidationError as error:
            form.refuse(error)
        else:
            messages.success(
                request,
                _("The partnership is now at the stage “%(stage)s”.")
                % {"stage": change.get_to_stage_display()},
            )
            return redirect(
                reverse(
                    "partnerships:partnership_detail", kwargs={"slug": affiliate.slug, "pk": pk}
                )
                + "#stage"
            )
    return _render_page(request, affiliate, pk, stage_form=form)


@affiliate_view(edit=True)
@require_POST
def partnership_agreement(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Save the agreement checklist and the agreement's dates."""
    partnership = selectors.get_partnership(affiliate, pk)
    form = AgreementForm(request.POST, partnership=partnership, points=[])
    if form.is_valid():
        try:
            services.update_agreement(
                actor=acting_user(request),
                partnership=partnership,
                points=form.service_points(),
                signed_on=form.cleaned_data["signed_on"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Agreement checklist saved."))
            return redirect(
                reverse(
                    "partnerships:partnership_detail", kwargs={"slug": affiliate.slug, "pk": pk}
                )
                + "#agreement"
            )
    return _render_page(request, affiliate, pk, agreement_form=form)


@affiliate_view(edit=True)
@require_POST
def document_upload(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Keep an uploaded PDF, DOCX or ODT with the partnership, after checking its content."""
    partnership = selectors.get_partnership(affiliate, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.add_document(
                actor=acting_user(request),
                partnership=partnership,
                stream=upload,
                name=upload.name or "",
                size=upload.size or 0,
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Document uploaded."))
            return redirect(
                reverse(
                    "partnerships:partnership_detail", kwargs={"slug": affiliate.slug, "pk": pk}
                )
                + "#documents"
            )
    return _render_page(request, affiliate, pk, document_form=form)


@affiliate_view()  # type: ignore[arg-type]  # a FileResponse streams; it is no HttpResponse
def document_download(request: HttpRequest, affiliate: Affiliate, pk: int) -> FileResponse:
    """Send a document as a download, to members of its affiliate only."""
    document = selectors.get_document(affiliate, pk)
    try:
        stream = document.file.open("rb")
    except FileNotFoundError:
        # The record outlived its file (a lost disk, a partial restore): nothing to send.
        logger.error("Document %s has no file on disk (%s)", document.pk, document.file.name)
        raise Http404 from None
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@affiliate_view(edit=True)
@require_POST
def document_delete(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Delete a document of a partnership."""
    document = selectors.get_document(affiliate, pk)
    services.delete_document(actor=acting_user(request), document=document)
    messages.success(request, _("Document deleted."))
    return redirect(
        reverse(
            "partnerships:partnership_detail",
            kwargs={"slug": affiliate.slug, "pk": document.partnership_id},
        )
        + "#documents"
    )


@affiliate_view(edit=True)
@require_POST
def document_share(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Show a document to the partner on its portal (shared=1), or stop showing it."""
    document = selectors.get_document(affiliate, pk)
    shared = request.POST.get("shared") == "1"
    services.share_document(actor=acting_user(request), document=document, shared=shared)
    if shared:
        messages.success(request, _("The partner now sees this document on its portal."))
    else:
        messages.success(request, _("The partner no longer sees this document."))
    return redirect(
        reverse(
            "partnerships:partnership_detail",
            kwargs={"slug": affiliate.slug, "pk": document.partnership_id},
        )
        + "#documents"
    )


@affiliate_view(edit=True)
@require_POST
def partnership_archive(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Archive (or with restore=1, bring back) a partnership."""
    partnership = selectors.get_partnership(affiliate, pk)
    if request.POST.get("restore") == "1":
        services.restore_partnership(actor=acting_user(request), partnership=partnership)
        messages.success(request, _("Partnership restored."))
    else:
        services.archive_partnership(actor=acting_user(request), partnership=partnership)
        messages.success(request, _("Partnership archived. It no longer shows in lists."))
    return redirect("partnerships:partnership_detail", slug=affiliate.slug, pk=pk)


@affiliate_view(manage=True)
def main_goals(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """List the affiliate's main goals and add one (managers only)."""
    form = MainGoalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            goals.add_main_goal(
                actor=acting_user(request), affiliate=affiliate, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Goal added."))
            return redirect("partnerships:main_goals", slug=affiliate.slug)
    return render(
        request,
        "partnerships/partnership_main_goals.html",
        {"form": form, "goals": list(selectors.main_goals(affiliate))},
    )


@affiliate_view(manage=True)
@require_POST
def main_goal_edit(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Rename (or with remove=1, remove) one of the affiliate's main goals (managers only)."""
    goal = selectors.get_main_goal(affiliate, pk)
    actor = acting_user(request)
    try:
        if request.POST.get("remove") == "1":
            goals.remove_main_goal(actor=actor, goal=goal)
            messages.success(request, _("Goal removed."))
        else:
            form = MainGoalForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Give the goal a name of at most 120 characters."))
            goals.rename_main_goal(actor=actor, goal=goal, name=form.cleaned_data["name"])
            messages.success(request, _("Goal renamed."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("partnerships:main_goals", slug=affiliate.slug)


@affiliate_view(edit=True)
@require_POST
def organisation_status_follow(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Hand an organisation's status set by hand back to its partnerships."""
    organisation = partner_selectors.get_organisation(affiliate, pk)
    partner_status.resume(actor=acting_user(request), organisation=organisation)
    messages.success(request, _("The status now follows the organisation's partnerships."))
    return redirect("partners:organisation_detail", slug=affiliate.slug, pk=organisation.pk)
