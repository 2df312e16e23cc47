"""Organisations, contacts and interactions: list, read, create, update through hub.partners."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_noop
from ninja import Query, Router, Schema
from pydantic import Field

from hub.api import schemas as s
from hub.api.auth import require_write
from hub.api.conditional import check_if_match, json_response
from hub.api.paging import PageQuery, cut
from hub.api.records import caller, one, referenced, referenced_all
from hub.core.models import Affiliate
from hub.partners import selectors, services
from hub.partners.models import Contact, Interaction, Organisation

router = Router()

READ = {304: None, 400: s.Problem, 401: s.Problem, 404: s.Problem, 429: s.Problem}
WRITE = {400: s.Problem, 401: s.Problem, 403: s.Problem, 404: s.Problem, 429: s.Problem}
UPDATE = {**WRITE, 412: s.Problem}


# Organisations ---------------------------------------------------------------------------


class OrganisationFilters(Schema):
    q: s.Text = Field("", max_length=200, description="Words in the name, other names or city")
    partner_type: s.Text = Field("", max_length=30)
    country: s.Text = Field("", max_length=2)
    region: s.Text = Field("", max_length=10)
    status: s.Text = Field("", max_length=10)
    tag: s.Text = Field("", max_length=60)
    archived: bool = Field(False, description="Archived organisations instead of current ones")


def organisation_out(org: Organisation, tags: list[str] | None = None) -> s.OrganisationOut:
    """Return an organisation as the API shows it."""
    return s.OrganisationOut.model_construct(
        id=org.pk,
        name=org.name,
        other_names=org.other_names_list,
        partner_type=org.partner_type,
        country=str(org.country.code or "") if org.country else "",
        region=org.region,
        city=org.city,
        website=org.website,
        wikidata_qid=org.wikidata_qid,
        description=org.description,
        status=org.status,
        tags=tags if tags is not None else sorted(t.name for t in org.tags.all()),
        archived=org.archived_at is not None,
        created_at=org.created_at,
        updated_at=org.updated_at,
    )


def _organisations(affiliate: Affiliate) -> QuerySet[Organisation]:
    return Organisation.objects.filter(affiliate=affiliate)


def _organisation_fields(payload: s.OrganisationChange) -> dict[str, Any]:
    fields = payload.model_dump(exclude_unset=True)
    if "other_names" in fields:
        fields["other_names"] = "\n".join(n.strip() for n in fields["other_names"] if n.strip())
    if "country" in fields:
        fields["country"] = fields["country"].upper()
    return fields


@router.get(
    "/organisations/",
    response={200: s.OrganisationPage, **READ},
    tags=["organisations"],
    summary=gettext_noop("List organisations"),
)
def list_organisations(
    request: HttpRequest, filters: Query[OrganisationFilters], paging: Query[PageQuery]
) -> HttpResponse:
    affiliate = caller(request).affiliate
    chosen = selectors.OrganisationFilters(
        q=filters.q,
        partner_type=filters.partner_type,
        country=filters.country.upper(),
        region=filters.region,
        status=filters.status,
        tag=filters.tag,
        archived=filters.archived,
    )
    rows, page = cut(request, selectors.organisation_list(affiliate, chosen).defer(None), paging)
    tagged = selectors.with_tag_names(rows)
    results = [organisation_out(org, org.tag_names) for org in tagged]  # type: ignore[attr-defined]
    return json_response(request, s.OrganisationPage.model_construct(**page, results=results))


@router.get(
    "/organisations/{int:pk}/",
    response={200: s.OrganisationOut, **READ},
    tags=["organisations"],
    summary=gettext_noop("Read an organisation"),
)
def read_organisation(request: HttpRequest, pk: int) -> HttpResponse:
    org = one(_organisations(caller(request).affiliate).prefetch_related("tags"), pk)
    return json_response(request, organisation_out(org))


@router.post(
    "/organisations/",
    response={201: s.OrganisationOut, **WRITE},
    tags=["organisations"],
    summary=gettext_noop("Create an organisation"),
)
def create_organisation(request: HttpRequest, payload: s.OrganisationNew) -> HttpResponse:
    who = require_write(request)
    fields = _organisation_fields(payload)
    tags = fields.pop("tags", [])
    org = services.create_organisation(actor=who.user, affiliate=who.affiliate, tags=tags, **fields)
    return json_response(
        request,
        organisation_out(org),
        status=201,
        location=request.build_absolute_uri(f"{request.path}{org.pk}/"),
    )


@router.patch(
    "/organisations/{int:pk}/",
    response={200: s.OrganisationOut, **UPDATE},
    tags=["organisations"],
    summary=gettext_noop("Change an organisation"),
)
def update_organisation(
    request: HttpRequest, pk: int, payload: s.OrganisationChange
) -> HttpResponse:
    who = require_write(request)
    with transaction.atomic():
        org = one(_organisations(who.affiliate).select_for_update(), pk)
        check_if_match(request, organisation_out(org))
        fields = _organisation_fields(payload)
        tags = fields.pop("tags", None)
        services.update_organisation(actor=who.user, organisation=org, tags=tags, **fields)
    return json_response(request, organisation_out(one(_organisations(who.affiliate), pk)))


# Contacts: any member sees them on the pages, so any member's token reads them here --------


class ContactFilters(Schema):
    q: s.Text = Field("", max_length=200, description="Words in the name, e-mail or role")
    organisation: s.Id | None = None
    archived: bool = False


def contact_out(contact: Contact) -> s.ContactOut:
    """Return a contact person as the API shows them."""
    return s.ContactOut.model_construct(
        id=contact.pk,
        organisation=contact.organisation_id,
        name=contact.name,
        role=contact.role,
        emails=contact.email_list,
        phone=contact.phone,
        preferred_language=contact.preferred_language,
        legal_basis=contact.legal_basis,
        legal_basis_source=contact.legal_basis_source,
        legal_basis_date=contact.legal_basis_date,
        do_not_contact=contact.do_not_contact,
        notes=contact.notes,
        archived=contact.archived_at is not None,
        updated_at=contact.updated_at,
    )


def _contacts(affiliate: Affiliate) -> QuerySet[Contact]:
    return Contact.objects.filter(affiliate=affiliate)


def _contact_fields(affiliate: Affiliate, payload: s.ContactChange) -> dict[str, Any]:
    fields = payload.model_dump(exclude_unset=True)
    if "organisation" in fields:
        fields["organisation"] = referenced(
            _organisations(affiliate), fields["organisation"], "organisation"
        )
    if "emails" in fields:
        fields["emails"] = "\n".join(fields["emails"])
    return fields


@router.get(
    "/contacts/",
    response={200: s.ContactPage, **READ},
    tags=["contacts"],
    summary=gettext_noop("List contact people"),
)
def list_contacts(
    request: HttpRequest, filters: Query[ContactFilters], paging: Query[PageQuery]
) -> HttpResponse:
    affiliate = caller(request).affiliate
    rows = selectors.contact_list(affiliate, q=filters.q, archived=filters.archived)
    if filters.organisation:
        rows = rows.filter(organisation_id=filters.organisation)
    found, page = cut(request, rows, paging)
    return json_response(
        request, s.ContactPage.model_construct(**page, results=[contact_out(c) for c in found])
    )


@router.get(
    "/contacts/{int:pk}/",
    response={200: s.ContactOut, **READ},
    tags=["contacts"],
    summary=gettext_noop("Read a contact person"),
)
def read_contact(request: HttpRequest, pk: int) -> HttpResponse:
    return json_response(request, contact_out(one(_contacts(caller(request).affiliate), pk)))


@router.post(
    "/contacts/",
    response={201: s.ContactOut, **WRITE},
    tags=["contacts"],
    summary=gettext_noop("Add a contact person"),
)
def create_contact(request: HttpRequest, payload: s.ContactNew) -> HttpResponse:
    who = require_write(request)
    contact = services.create_contact(
        actor=who.user, affiliate=who.affiliate, **_contact_fields(who.affiliate, payload)
    )
    return json_response(
        request,
        contact_out(contact),
        status=201,
        location=request.build_absolute_uri(f"{request.path}{contact.pk}/"),
    )


@router.patch(
    "/contacts/{int:pk}/",
    response={200: s.ContactOut, **UPDATE},
    tags=["contacts"],
    summary=gettext_noop("Change a contact person"),
)
def update_contact(request: HttpRequest, pk: int, payload: s.ContactChange) -> HttpResponse:
    who = require_write(request)
    with transaction.atomic():
        contact = one(_contacts(who.affiliate).select_for_update(), pk)
        check_if_match(request, contact_out(contact))
        services.update_contact(
            actor=who.user, contact=contact, **_contact_fields(who.affiliate, payload)
        )
    return json_response(request, contact_out(one(_contacts(who.affiliate), pk)))


# Interactions ----------------------------------------------------------------------------


class InteractionFilters(Schema):
    organisation: s.Id | None = None
    follow_up_open: bool | None = Field(None, description="Only those with a follow-up to do")


def interaction_out(interaction: Interaction) -> s.InteractionOut:
    """Return a logged interaction as the API shows it."""
    return s.InteractionOut.model_construct(
        id=interaction.pk,
        organisation=interaction.organisation_id,
        date=interaction.date,
        kind=interaction.kind,
        summary=interaction.summary,
        contacts=sorted(c.pk for c in interaction.contacts.all()),
        follow_up_on=interaction.follow_up_on,
        follow_up_done=interaction.follow_up_done,
        created_at=interaction.created_at,
    )


def _interactions(affiliate: Affiliate) -> QuerySet[Interaction]:
    return Interaction.objects.filter(affiliate=affiliate).prefetch_related("contacts")


@router.get(
    "/interactions/",
    response={200: s.InteractionPage, **READ},
    tags=["interactions"],
    summary=gettext_noop("List interactions"),
)
def list_interactions(
    request: HttpRequest, filters: Query[InteractionFilters], paging: Query[PageQuery]
) -> HttpResponse:
    rows = _interactions(caller(request).affiliate)
    if filters.organisation:
        rows = rows.filter(organisation_id=filters.organisation)
    if filters.follow_up_open is not None:
        open_ = {"follow_up_on__isnull": False, "follow_up_done": False}
        rows = rows.filter(**open_) if filters.follow_up_open else rows.exclude(**open_)
    found, page = cut(request, rows.order_by("-date", "-id"), paging)
    return json_response(
        request,
        s.InteractionPage.model_construct(**page, results=[interaction_out(i) for i in found]),
    )


@router.get(
    "/interactions/{int:pk}/",
    response={200: s.InteractionOut, **READ},
    tags=["interactions"],
    summary=gettext_noop("Read an interaction"),
)
def read_interaction(request: HttpRequest, pk: int) -> HttpResponse:
    found = one(_interactions(caller(request).affiliate), pk)
    return json_response(request, interaction_out(found))


@router.post(
    "/interactions/",
    response={201: s.InteractionOut, **WRITE},
    tags=["interactions"],
    summary=gettext_noop("Log an interaction"),
)
def create_interaction(request: HttpRequest, payload: s.InteractionNew) -> HttpResponse:
    who = require_write(request)
    org = referenced(_organisations(who.affiliate), payload.organisation, "organisation")
    assert org is not None  # noqa: S101 - the schema requires it
    org.affiliate = who.affiliate
    contacts = referenced_all(_contacts(who.affiliate), payload.contacts, "contacts")
    interaction = services.log_interaction(
        actor=who.user,
        organisation=org,
        date=payload.date,
        kind=payload.kind,
        summary=payload.summary,
        contacts=contacts,
        follow_up_on=payload.follow_up_on,
    )
    return json_response(
        request,
        interaction_out(one(_interactions(who.affiliate), interaction.pk)),
        status=201,
        location=request.build_absolute_uri(f"{request.path}{interaction.pk}/"),
    )


@router.patch(
    "/interactions/{int:pk}/",
    response={200: s.InteractionOut, **UPDATE},
    tags=["interactions"],
    summary=gettext_noop("Change an interaction"),
)
def update_interaction(request: HttpRequest, pk: int, payload: s.InteractionChange) -> HttpResponse:
    who = require_write(request)
    with transaction.atomic():
        found = one(_interactions(who.affiliate).select_for_update(of=("self",)), pk)
        check_if_match(request, interaction_out(found))
        fields = payload.model_dump(exclude_unset=True)
        contacts = None
        if "contacts" in fields:
            contacts = referenced_all(_contacts(who.affiliate), fields.pop("contacts"), "contacts")
        services.update_interaction(actor=who.user, interaction=found, contacts=contacts, **fields)
    return json_response(request, interaction_out(one(_interactions(who.affiliate), pk)))
