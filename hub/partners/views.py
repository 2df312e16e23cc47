"""Pages of the partner directory: thin views that parse, authorise, call and render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import HiddenInput
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from hub.core.exports import personal_data_download
from hub.core.forms import apply_errors
from hub.core.models import Affiliate
from hub.core.params import text_param
from hub.core.permissions import acting_user, affiliate_view
from hub.core.security import log_event, recent_password_required
from hub.partners import pickers, selectors, services
from hub.partners.forms import (
    ContactForm,
    InteractionForm,
    MergeForm,
    OrganisationFilterForm,
    OrganisationForm,
)
from hub.partners.models import Contact, Organisation
from hub.partners.slots import ORGANISATION_PAGE
from hub.partners.wikidata import organisation_wikidata

PAGE_SIZE = 50


@affiliate_view()
def my_work(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Show follow-ups due (mine first), recently touched partners and counts."""
    work = selectors.my_work(affiliate, acting_user(request))
    return render(request, "partners/my_work.html", {"work": work, "today": timezone.localdate()})


@affiliate_view()
def follow_up_list(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """List every open follow-up due in the next two weeks (mine first), a page at a time."""
    today = timezone.localdate()
    qs = selectors.follow_ups_due(affiliate, acting_user(request), today=today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "partners/follow_up_list.html", {"page": page, "today": today})


@affiliate_view()
def organisation_list(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """List, search, filter and sort the affiliate's organisations, a page at a time."""
    filters = selectors.OrganisationFilters.from_params(request.GET)
    form = OrganisationFilterForm(request.GET or None, affiliate=affiliate)
    page = Paginator(selectors.organisation_list(affiliate, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return render(
        request,
        "partners/organisation_list.html",
        {
            "page": page,
            "rows": selectors.with_tag_names(page.object_list),
            "form": form,
            "filters": filters,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
        },
    )


@affiliate_view()
@require_GET
def organisation_suggest(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Return the affiliate's organisations matching q as JSON, for the picker's suggestions."""
    q = text_param(request.GET, "q")
    found, more = pickers.matches(pickers.live_organisations(affiliate), q)
    if not found:
        status = _("No organisation in your directory matches “%(query)s”.") % {"query": q}
    else:
        status = ngettext(
            "%(count)s organisation matches “%(query)s”.",
            "%(count)s organisations match “%(query)s”.",
            len(found),
        ) % {"count": len(found), "query": q}
    response = JsonResponse({"results": found, "more": more, "status": status})
    # Names of partners: never kept by a browser's or a proxy's cache.
    response["Cache-Control"] = "no-store"
    return response


def _save_unless_duplicate(
    request: HttpRequest,
    form: OrganisationForm | ContactForm,
    *,
    find: Callable[[dict[str, Any]], list[Any]],
    save: Callable[[], HttpResponse],
    warning: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """Save a valid form, unless it looks like a record already there and nobody confirmed.

    The page then lists the likely duplicates and offers a tick box to save anyway; the box
    stays hidden while there is nothing to confirm.
    """
    duplicates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        duplicates = find(form.cleaned_data)
        if duplicates and not form.cleaned_data["confirm_not_duplicate"]:
            form.add_error(None, warning)
        else:
            try:
                return save()
            except ValidationError as error:
                apply_errors(form, error)
    if not duplicates:
        form.fields["confirm_not_duplicate"].widget = HiddenInput()
    return render(request, template, {**context, "form": form, "duplicates": duplicates})


def _organisation_form_view(
    request: HttpRequest, affiliate: Affiliate, org: Organisation | None
) -> HttpResponse:
    form = OrganisationForm(request.POST or None, instance=org)

    def find(data: dict[str, Any]) -> list[selectors.DuplicateMatch]:
        return selectors.find_duplicate_organisations(
            affiliate,
            name=data["name"],
            website=data["website"],
            wikidata_qid=data["wikidata_qid"],
            exclude_pk=org.pk if org else None,
        )

    def save() -> HttpResponse:
        tags = services.parse_tags(form.cleaned_data["tags"])
        actor = acting_user(request)
        if org is None:
            saved = services.create_organisation(
                actor=actor, affiliate=affiliate, tags=tags, **form.service_fields()
            )
            messages.success(request, _("Organisation created."))
        else:
            saved = services.update_organisation(
                actor=actor, organisation=org, tags=tags, **form.service_fields()
            )
            messages.success(request, _("Changes saved."))
        return redirect("partners:organisation_detail", slug=affiliate.slug, pk=saved.pk)

    return _save_unless_duplicate(
        request,
        form,
        find=find,
        save=save,
        warning=_(
            "This looks like an organisation you already have. "
            "Open it, or tick the box to save anyway."
        ),
        template="partners/organisation_form.html",
        context={"organisation": org},
    )


@affiliate_view(edit=True)
def organisation_create(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Add an organisation, warning first when it looks like one already there."""
    return _organisation_form_view(request, affiliate, None)


@affiliate_view(edit=True)
def organisation_edit(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Change an organisation."""
    return _organisation_form_view(request, affiliate, selectors.get_organisation(affiliate, pk))


@affiliate_view()
def organisation_detail(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Show an organisation, its contacts and its timeline."""
    page = selectors.organisation_page(affiliate, pk)
    return render(
        request,
        "partners/organisation_detail.html",
        {
            "page": page,
            "organisation": page.organisation,
            "interaction_form": InteractionForm(organisation=page.organisation),
            "sections": ORGANISATION_PAGE.sections(affiliate, page.organisation),
            "wikidata": organisation_wikidata(page.organisation),
        },
    )


@affiliate_view(edit=True)
@require_POST
def organisation_archive(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Archive (or with restore=1, bring back) an organisation."""
    org = selectors.get_organisation(affiliate, pk)
    if request.POST.get("restore") == "1":
        services.restore_organisation(actor=acting_user(request), organisation=org)
        messages.success(request, _("Organisation restored."))
    else:
        services.archive_organisation(actor=acting_user(request), organisation=org)
        messages.success(request, _("Organisation archived. It no longer shows in lists."))
    return redirect("partners:organisation_detail", slug=affiliate.slug, pk=org.pk)


@affiliate_view(edit=True)
def organisation_merge(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Show likely duplicates of an organisation and fold the chosen one into it."""
    keep = selectors.get_organisation(affiliate, pk)
    if request.method == "POST":
        form = MergeForm(request.POST, keep=keep)
        if form.is_valid():
            duplicate = form.cleaned_data["duplicate"]
            try:
                services.merge_organisations(
                    actor=acting_user(request),
                    keep=keep,
                    duplicate=duplicate,
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("“%(dup)s” was merged into this organisation.") % {"dup": duplicate.name},
                )
                return redirect("partners:organisation_detail", slug=affiliate.slug, pk=keep.pk)
        else:
            messages.error(request, _("Choose another live organisation of this affiliate."))
    emails = [e for c in keep.contacts.all() for e in c.email_list]
    candidates = selectors.find_duplicate_organisations(
        affiliate,
        name=keep.name,
        website=keep.website,
        wikidata_qid=keep.wikidata_qid,
        emails=emails,
        exclude_pk=keep.pk,
    )
    q = text_param(request.GET, "q")
    found = []
    if q:
        found = list(
            selectors.organisation_list(affiliate, selectors.OrganisationFilters(q=q)).exclude(
                pk=keep.pk
            )[:20]
        )
    return render(
        request,
        "partners/organisation_merge.html",
        {"organisation": keep, "candidates": candidates, "found": found, "q": q},
    )


@affiliate_view()
def contact_list(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """List and search the affiliate's contact people."""
    q = text_param(request.GET, "q")
    qs = selectors.contact_list(
        affiliate,
        q=q,
        sort=request.GET.get("sort", "name"),
        archived=request.GET.get("archived") == "1",
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/contact_list.html",
        {"page": page, "q": q, "query": urlencode({"q": q}) if q else ""},
    )


def _contact_form_view(
    request: HttpRequest, affiliate: Affiliate, contact: Contact | None
) -> HttpResponse:
    initial = {}
    if contact is None and request.GET.get("organisation"):
        initial["organisation"] = request.GET["organisation"]
    form = ContactForm(request.POST or None, instance=contact, affiliate=affiliate, initial=initial)

    def find(data: dict[str, Any]) -> list[Contact]:
        return selectors.find_duplicate_contacts(
            affiliate,
            emails=data["emails"].splitlines(),
            exclude_pk=contact.pk if contact else None,
        )

    def save() -> HttpResponse:
        actor = acting_user(request)
        if contact is None:
            saved = services.create_contact(
                actor=actor, affiliate=affiliate, **form.service_fields()
            )
            messages.success(request, _("Contact added."))
        else:
            saved = services.update_contact(actor=actor, contact=contact, **form.service_fields())
            messages.success(request, _("Changes saved."))
        return redirect("partners:contact_detail", slug=affiliate.slug, pk=saved.pk)

    return _save_unless_duplicate(
        request,
        form,
        find=find,
        save=save,
        warning=_(
            "Someone with this e-mail address is already in your contacts. "
            "Open them, or tick the box to save anyway."
        ),
        template="partners/contact_form.html",
        context={"contact": contact},
    )


@affiliate_view(edit=True)
def contact_create(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Add a contact person."""
    return _contact_form_view(request, affiliate, None)


@affiliate_view(edit=True)
def contact_edit(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Change a contact person."""
    return _contact_form_view(request, affiliate, selectors.get_contact(affiliate, pk))


@affiliate_view()
def contact_detail(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Show a contact person, their interactions and the history of their record."""
    return render(request, "partners/contact_detail.html", selectors.contact_page(affiliate, pk))


@affiliate_view(edit=True)
@require_POST
def contact_archive(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Archive a contact person."""
    contact = selectors.get_contact(affiliate, pk)
    services.archive_contact(actor=acting_user(request), contact=contact)
    messages.success(request, _("Contact archived."))
    return redirect("partners:contact_detail", slug=affiliate.slug, pk=contact.pk)


@affiliate_view(manage=True)
def contact_data(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Download everything held about a person as JSON (managers only: it is personal data)."""
    contact = selectors.get_contact(affiliate, pk)
    log_event("contact.data_exported", request, affiliate=affiliate.slug, contact=contact.pk)
    return personal_data_download(
        selectors.contact_personal_data(contact), f"contact-{contact.pk}.json"
    )


@affiliate_view(manage=True)
@recent_password_required
def contact_erase(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Erase a person's data for good, after a confirmation page (managers only)."""
    contact = selectors.get_contact(affiliate, pk)
    if request.method == "POST" and request.POST.get("confirm") == "erase":
        org = contact.organisation
        services.erase_contact(actor=acting_user(request), contact=contact)
        log_event("contact.erased", request, affiliate=affiliate.slug, contact=pk)
        messages.success(request, _("The person's data was erased."))
        if org:
            return redirect("partners:organisation_detail", slug=affiliate.slug, pk=org.pk)
        return redirect("partners:contact_list", slug=affiliate.slug)
    return render(request, "partners/contact_erase.html", {"contact": contact})


@affiliate_view(edit=True)
def interaction_create(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Log an interaction with an organisation."""
    org = selectors.get_organisation(affiliate, pk)
    form = InteractionForm(request.POST or None, organisation=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.log_interaction(
                actor=acting_user(request),
                organisation=org,
                date=data["date"],
                kind=data["kind"],
                summary=data["summary"],
                contacts=data["contacts"],
                users=data["users"],
                follow_up_on=data["follow_up_on"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Interaction logged."))
            return redirect("partners:organisation_detail", slug=affiliate.slug, pk=org.pk)
    return render(
        request,
        "partners/interaction_form.html",
        {"form": form, "organisation": org, "interaction": None},
    )


@affiliate_view(edit=True)
def interaction_edit(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Change a logged interaction."""
    interaction = selectors.get_interaction(affiliate, pk)
    org = interaction.organisation
    form = InteractionForm(request.POST or None, instance=interaction, organisation=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_interaction(
                actor=acting_user(request),
                interaction=interaction,
                contacts=data["contacts"],
                users=data["users"],
                date=data["date"],
                kind=data["kind"],
                summary=data["summary"],
                follow_up_on=data["follow_up_on"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("partners:organisation_detail", slug=affiliate.slug, pk=org.pk)
    return render(
        request,
        "partners/interaction_form.html",
        {"form": form, "organisation": org, "interaction": interaction},
    )


@affiliate_view(edit=True)
@require_POST
def follow_up_done(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Mark a follow-up as done and go back where the person came from."""
    interaction = selectors.get_interaction(affiliate, pk)
    services.complete_follow_up(actor=acting_user(request), interaction=interaction)
    messages.success(request, _("Follow-up marked as done."))
    target = request.POST.get("next")
    if target == "organisation":
        return redirect(
            "partners:organisation_detail", slug=affiliate.slug, pk=interaction.organisation_id
        )
    if target == "follow_ups":  # back to the page of the list the button was on
        page = request.POST.get("page", "")
        back = reverse("partners:follow_up_list", kwargs={"slug": affiliate.slug})
        return redirect(f"{back}?page={page}" if page.isdigit() else back)
    return redirect("partners:my_work", slug=affiliate.slug)
