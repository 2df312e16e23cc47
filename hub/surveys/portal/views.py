"""Pages of the partner portal (by signed link, no account) and the members' pages about it."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.core.models import Affiliate
from hub.core.permissions import acting_user, affiliate_view, get_for_affiliate_or_404
from hub.partners.models import Contact, Organisation
from hub.partnerships.slots import PARTNER_REPORT
from hub.surveys.mailing import opt_out
from hub.surveys.models import OptOut, PortalLink
from hub.surveys.portal import drawing, selectors, services
from hub.surveys.portal.forms import (
    ContactCorrectionForm,
    OrganisationCorrectionForm,
    PortalLinkForm,
    UpdatesForm,
)
from hub.surveys.portal.tokens import (
    PortalRefused,
    open_portal,
    read_opt_out_token,
)

logger = logging.getLogger(__name__)
R = TypeVar("R", bound=HttpResponseBase)


def _private(response: R) -> R:
    """Keep a partner's page out of search engines, shared caches and other sites' logs."""
    response["X-Robots-Tag"] = "noindex"
    # Not "no-referrer": with it browsers send "Origin: null" on the page's own forms, and
    # Django's CSRF check refuses them. The link never leaves this site all the same.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def _refused(request: HttpRequest, refused: PortalRefused) -> HttpResponse:
    page = render(
        request,
        "surveys/portal/refused.html",
        {"reason": refused.reason},
        status=410 if refused.gone else 404,
    )
    return _private(page)


def _open(request: HttpRequest, token: str) -> PortalLink | HttpResponse:
    """Return the token's portal link, or the page that says why it does not open."""
    try:
        return open_portal(token)
    except PortalRefused as refused:
        return _refused(request, refused)


def portal(request: HttpRequest, token: str) -> HttpResponse:
    """Show the partner its portal: partnerships, figures, documents, activities, people.

    Drawn afresh on every visit (no cached drawing): partners come rarely, mostly after a
    change (an e-mail brought them), so a cache would mostly be missed and written, and its
    key would need every source of change (audit events, answers, impact refreshes) to stay
    current. The page reads a fixed handful of queries of plain values instead.
    """
    link = _open(request, token)
    if isinstance(link, HttpResponse):
        return link
    page = selectors.portal_page(link)
    home = reverse("surveys:portal", kwargs={"token": token})
    drawn = {
        "partnerships": drawing.partnership_cards(page.rows),
        "documents": drawing.document_items(page.documents, home),
        "upcoming": drawing.activity_items(page.upcoming),
        "surveys": drawing.survey_items(page.waiting_surveys),
        "people": drawing.people_items(page.people),
        "contacts": drawing.contact_rows(page.contacts, home),
    }
    context = {"home": home, "page": page, "drawn": drawn, "has_report": bool(PARTNER_REPORT)}
    return _private(render(request, "surveys/portal/portal.html", context))


def portal_report(request: HttpRequest, token: str) -> HttpResponse:
    """Show the partner the impact report of all its partnerships with the affiliate."""
    link = _open(request, token)
    if isinstance(link, HttpResponse):
        return link
    context = {
        "token": token,
        "link": link,
        "sections": PARTNER_REPORT.sections(link.affiliate, link.organisation),
    }
    return _private(render(request, "surveys/portal/report.html", context))


def portal_organisation(request: HttpRequest, token: str) -> HttpResponse:
    """Let the partner correct its organisation's details; they wait for the affiliate."""
    link = _open(request, token)
    if isinstance(link, HttpResponse):
        return link
    form = OrganisationCorrectionForm.for_organisation(link.organisation, request.POST or None)
    if request.method == "POST" and _request_change(request, link, form, None):
        return redirect("surveys:portal", token=token)
    context = {"token": token, "link": link, "form": form, "subject": link.organisation}
    return _private(render(request, "surveys/portal/correct.html", context))


def portal_contact(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    """Let the partner correct one of its contacts' details; they wait for the affiliate."""
    link = _open(request, token)
    if isinstance(link, HttpResponse):
        return link
    contact = selectors.portal_contact(link, pk)
    form = ContactCorrectionForm.for_contact(contact, request.POST or None)
    if request.method == "POST" and _request_change(request, link, form, contact):
        return redirect("surveys:portal", token=token)
    context = {"token": token, "link": link, "form": form, "subject": contact}
    return _private(render(request, "surveys/portal/correct.html", context))


def _request_change(
    request: HttpRequest,
    link: PortalLink,
    form: OrganisationCorrectionForm | ContactCorrectionForm,
    contact: Contact | None,
) -> bool:
    """Record the correction of a valid form; put any refusal on the form, losing nothing."""
    if not form.is_valid():
        return False
    values = {k: v for k, v in form.cleaned_data.items() if k != "note"}
    try:
        services.request_change(
            link=link, values=values, contact=contact, note=form.cleaned_data["note"]
        )
    except ValidationError as refused:
        if hasattr(refused, "error_dict"):
            for field, errors in refused.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, refused.messages)
        return False
    messages.success(
        request,
        _("Thank you. %(affiliate)s will check your correction and apply it.")
        % {"affiliate": link.affiliate.name},
    )
    return True


def portal_document(request: HttpRequest, token: str, pk: int) -> HttpResponseBase:
    """Send the partner a document the affiliate shared with it."""
    link = _open(request, token)
    if isinstance(link, HttpResponse):
        return link
    document = selectors.shared_document(link, pk)
    try:
        stream = document.file.open("rb")
    except FileNotFoundError:
        logger.error("Document %s has no file on disk (%s)", document.pk, document.file.name)
        raise Http404 from None
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return _private(response)


def updates_opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """Stop the partner update e-mails to a contact: asked on a page, done by its button."""
    try:
        affiliate_id, contact_id = read_opt_out_token(token)
    except PortalRefused as refused:
        return _refused(request, refused)
    contact = (
        Contact.objects.select_related("affiliate")
        .filter(pk=contact_id, affiliate_id=affiliate_id)
        .first()
    )
    done = False
    if request.method == "POST":
        # An erased contact has no address left to stop: the mail has stopped already.
        if contact is not None:
            for email in contact.email_list:
                opt_out(contact.affiliate, email, OptOut.Topic.UPDATES)
        done = True
    context = {"token": token, "contact": contact, "done": done}
    return _private(render(request, "surveys/portal/opt_out.html", context))


# Member pages ------------------------------------------------------------------------------


def _organisation(affiliate: Affiliate, pk: int) -> Organisation:
    return get_for_affiliate_or_404(Organisation, affiliate, pk)


def _back(affiliate: Affiliate, organisation: Organisation) -> HttpResponse:
    return redirect(
        reverse(
            "partners:organisation_detail", kwargs={"slug": affiliate.slug, "pk": organisation.pk}
        )
        + "#portal-h"
    )


@affiliate_view(edit=True)
@require_POST
def link_create(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Give the organisation a new portal link (the one before it stops working)."""
    organisation = _organisation(affiliate, pk)
    form = PortalLinkForm(request.POST)
    if form.is_valid():
        services.create_portal_link(
            actor=acting_user(request), organisation=organisation, days=form.cleaned_data["days"]
        )
        messages.success(request, _("A portal link was created. Copy it below for the partner."))
    else:
        messages.error(request, _("A portal link works for 1 to 366 days."))
    return _back(affiliate, organisation)


@affiliate_view(edit=True)
@require_POST
def link_revoke(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Withdraw the organisation's portal link at once."""
    organisation = _organisation(affiliate, pk)
    for link in PortalLink.objects.filter(
        affiliate=affiliate, organisation=organisation, revoked_at=None
    ):
        services.revoke_portal_link(actor=acting_user(request), link=link)
    messages.info(request, _("The portal link was withdrawn; it no longer opens."))
    return _back(affiliate, organisation)


@affiliate_view(edit=True)
@require_POST
def updates_set(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Choose how often the organisation's contacts get the partner update e-mail."""
    organisation = _organisation(affiliate, pk)
    form = UpdatesForm(request.POST)
    if form.is_valid():
        services.set_update_frequency(
            actor=acting_user(request),
            organisation=organisation,
            frequency=form.cleaned_data["frequency"],
        )
        messages.success(request, _("The partner update setting was saved."))
    else:
        messages.error(request, _("Choose never, monthly or quarterly."))
    return _back(affiliate, organisation)


@affiliate_view()
def change_list(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """List the partners' corrections waiting for approval, and the latest decided."""
    context: dict[str, Any] = {
        "pending": selectors.change_requests(affiliate),
        "decided": selectors.change_requests(affiliate, decided=True),
    }
    return render(request, "surveys/portal/change_list.html", context)


@affiliate_view(edit=True)
@require_POST
def change_decide(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Approve (decision=approve) or reject a partner's correction."""
    change = selectors.change_for(affiliate, pk)
    actor = acting_user(request)
    try:
        if request.POST.get("decision") == "approve":
            services.approve_change(actor=actor, change=change)
            messages.success(request, _("The correction was applied."))
        else:
            services.reject_change(actor=actor, change=change)
            messages.info(request, _("The correction was rejected; nothing changed."))
    except ValidationError as refused:
        messages.error(
            request,
            _("The correction could not be applied: %(reason)s")
            % {"reason": " ".join(refused.messages)},
        )
    return redirect("surveys:change_list", slug=affiliate.slug)
