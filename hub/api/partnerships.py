"""Partnerships, activities and contributions: list, read, create, update through
hub.partnerships."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
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
from hub.partners.models import Organisation
from hub.partnerships import selectors, services
from hub.partnerships.activities import services as activities
from hub.partnerships.models import Activity, Contribution, Partnership, PartnershipPartner

router = Router()

READ = {304: None, 400: s.Problem, 401: s.Problem, 404: s.Problem, 429: s.Problem}
WRITE = {400: s.Problem, 401: s.Problem, 403: s.Problem, 404: s.Problem, 429: s.Problem}
UPDATE = {**WRITE, 412: s.Problem}


# Partnerships ----------------------------------------------------------------------------


class PartnershipFilters(Schema):
    q: s.Text = Field("", max_length=200, description="Words in the title or a partner's name")
    stage: s.Text = Field("", max_length=20)
    visibility: s.Text = Field("", max_length=10)
    organisation: s.Id | None = Field(None, description="Only those with this partner")
    archived: bool = False


def partnership_out(p: Partnership, partners: list[s.PartnerOut]) -> s.PartnershipOut:
    """Return a partnership as the API shows it, with its partners (from partners_of)."""
    return s.PartnershipOut.model_construct(
        id=p.pk,
        title=p.title,
        summary=p.summary,
        stage=p.stage,
        partners=partners,
        goals=[str(g) for g in p.goals],
        contribution_types=[str(c) for c in p.contribution_types],
        structure=p.structure,
        scope=p.scope,
        initiative=p.initiative,
        start_date=p.start_date,
        end_date=p.end_date,
        outcome_clarity=p.outcome_clarity,
        expected_outcomes=p.expected_outcomes,
        languages=p.languages,
        visibility=p.visibility,
        agreement_signed_on=p.agreement_signed_on,
        agreement_expires_on=p.agreement_expires_on,
        impact_report_every_months=p.impact_report_every_months,
        impact_reported_on=p.impact_reported_on,
        is_strategic=p.is_strategic,
        archived=p.archived_at is not None,
        created_at=p.created_at,
        updated_at=p.updated_at,
    )


def partners_of(partnerships: list[Partnership]) -> dict[int, list[s.PartnerOut]]:
    """Return each partnership's partners, in one query of plain values for all of them."""
    found: dict[int, list[s.PartnerOut]] = {p.pk: [] for p in partnerships}
    rows = (
        PartnershipPartner.objects.filter(partnership_id__in=found)
        .order_by("id")
        .values_list("partnership_id", "organisation_id", "organisation__name", "role")
    )
    for partnership_id, organisation, name, role in rows:
        found[partnership_id].append(
            s.PartnerOut.model_construct(organisation=organisation, name=name, role=role)
        )
    return found


def _shown(partnerships: list[Partnership]) -> list[s.PartnershipOut]:
    partners = partners_of(partnerships)
    return [partnership_out(p, partners[p.pk]) for p in partnerships]


def _partnerships(affiliate: Affiliate) -> QuerySet[Partnership]:
    return Partnership.objects.filter(affiliate=affiliate)


def _organisations(affiliate: Affiliate) -> QuerySet[Organisation]:
    return Organisation.objects.filter(affiliate=affiliate)


@router.get(
    "/partnerships/",
    response={200: s.PartnershipPage, **READ},
    tags=["partnerships"],
    summary=gettext_noop("List partnerships"),
)
def list_partnerships(
    request: HttpRequest, filters: Query[PartnershipFilters], paging: Query[PageQuery]
) -> HttpResponse:
    affiliate = caller(request).affiliate
    chosen = selectors.PartnershipFilters(
        q=filters.q, stage=filters.stage, visibility=filters.visibility, archived=filters.archived
    )
    rows = selectors.partnership_list(affiliate, chosen).defer(None)
    if filters.organisation:
        rows = rows.filter(partners__organisation_id=filters.organisation)
    found, page = cut(request, rows, paging)
    return json_response(
        request, s.PartnershipPage.model_construct(**page, results=_shown(list(found)))
    )


@router.get(
    "/partnerships/{int:pk}/",
    response={200: s.PartnershipOut, **READ},
    tags=["partnerships"],
    summary=gettext_noop("Read a partnership"),
)
def read_partnership(request: HttpRequest, pk: int) -> HttpResponse:
    found = one(_partnerships(caller(request).affiliate), pk)
    return json_response(request, _shown([found])[0])


@router.post(
    "/partnerships/",
    response={201: s.PartnershipOut, **WRITE},
    tags=["partnerships"],
    summary=gettext_noop("Create a partnership"),
)
def create_partnership(request: HttpRequest, payload: s.PartnershipNew) -> HttpResponse:
    who = require_write(request)
    fields = payload.model_dump(exclude_unset=True)
    fields.pop("partners")
    orgs = referenced_all(
        _organisations(who.affiliate),
        [row.organisation for row in payload.partners],
        "partners",
    )
    by_id = {org.pk: org for org in orgs}
    partnership = services.create_partnership(
        actor=who.user,
        affiliate=who.affiliate,
        partners=[(by_id[row.organisation], row.role) for row in payload.partners],
        **fields,
    )
    return json_response(
        request,
        _shown([one(_partnerships(who.affiliate), partnership.pk)])[0],
        status=201,
        location=request.build_absolute_uri(f"{request.path}{partnership.pk}/"),
    )


@router.patch(
    "/partnerships/{int:pk}/",
    response={200: s.PartnershipOut, **UPDATE},
    tags=["partnerships"],
    summary=gettext_noop("Change a partnership"),
)
def update_partnership(request: HttpRequest, pk: int, payload: s.PartnershipChange) -> HttpResponse:
    who = require_write(request)
    with transaction.atomic():
        found = one(_partnerships(who.affiliate).select_for_update(), pk)
        check_if_match(request, _shown([found])[0])
        found.affiliate = who.affiliate
        services.update_partnership(
            actor=who.user, partnership=found, **payload.model_dump(exclude_unset=True)
        )
    return json_response(request, _shown([one(_partnerships(who.affiliate), pk)])[0])


# Activities ------------------------------------------------------------------------------


class ActivityFilters(Schema):
    partnership: s.Id | None = None
    kind: s.Text = Field("", max_length=20)


def activity_out(a: Activity) -> s.ActivityOut:
    """Return an activity as the API shows it."""
    return s.ActivityOut.model_construct(
        id=a.pk,
        partnership=a.partnership_id,
        kind=a.kind,
        title=a.title,
        starts_on=a.starts_on,
        ends_on=a.ends_on,
        place=a.place,
        online=a.online,
        partners=sorted(o.pk for o in a.partners.all()),
        participants=a.participants,
        articles_created=a.articles_created,
        articles_improved=a.articles_improved,
        files_uploaded=a.files_uploaded,
        items_created=a.items_created,
        items_edited=a.items_edited,
        people_trained=a.people_trained,
        notes=a.notes,
    )


def _activities(affiliate: Affiliate) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(partnership__affiliate=affiliate)
        .select_related("partnership")
        .prefetch_related(Prefetch("partners", queryset=Organisation.objects.only("id")))
    )


def _activity_fields(affiliate: Affiliate, payload: s.ActivityChange) -> dict[str, Any]:
    fields = payload.model_dump(exclude_unset=True)
    fields.pop("partnership", None)
    if "partners" in fields:
        fields["partners"] = referenced_all(
            _organisations(affiliate), fields["partners"], "partners"
        )
    return fields


@router.get(
    "/activities/",
    response={200: s.ActivityPage, **READ},
    tags=["activities"],
    summary=gettext_noop("List activities"),
)
def list_activities(
    request: HttpRequest, filters: Query[ActivityFilters], paging: Query[PageQuery]
) -> HttpResponse:
    rows = _activities(caller(request).affiliate)
    if filters.partnership:
        rows = rows.filter(partnership_id=filters.partnership)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    found, page = cut(request, rows.order_by("-starts_on", "-id"), paging)
    return json_response(
        request, s.ActivityPage.model_construct(**page, results=[activity_out(a) for a in found])
    )


@router.get(
    "/activities/{int:pk}/",
    response={200: s.ActivityOut, **READ},
    tags=["activities"],
    summary=gettext_noop("Read an activity"),
)
def read_activity(request: HttpRequest, pk: int) -> HttpResponse:
    return json_response(request, activity_out(one(_activities(caller(request).affiliate), pk)))


@router.post(
    "/activities/",
    response={201: s.ActivityOut, **WRITE},
    tags=["activities"],
    summary=gettext_noop("Add an activity to a partnership"),
)
def create_activity(request: HttpRequest, payload: s.ActivityNew) -> HttpResponse:
    who = require_write(request)
    partnership = referenced(_partnerships(who.affiliate), payload.partnership, "partnership")
    assert partnership is not None  # noqa: S101 - the schema requires it
    partnership.affiliate = who.affiliate
    fields = _activity_fields(who.affiliate, payload)
    activity = activities.create_activity(actor=who.user, partnership=partnership, **fields)
    return json_response(
        request,
        activity_out(one(_activities(who.affiliate), activity.pk)),
        status=201,
        location=request.build_absolute_uri(f"{request.path}{activity.pk}/"),
    )


@router.patch(
    "/activities/{int:pk}/",
    response={200: s.ActivityOut, **UPDATE},
    tags=["activities"],
    summary=gettext_noop("Change an activity"),
)
def update_activity(request: HttpRequest, pk: int, payload: s.ActivityChange) -> HttpResponse:
    who = require_write(request)
    with transaction.atomic():
        found = one(_activities(who.affiliate).select_for_update(of=("self",)), pk)
        check_if_match(request, activity_out(found))
        activities.update_activity(
            actor=who.user, activity=found, **_activity_fields(who.affiliate, payload)
        )
    return json_response(request, activity_out(one(_activities(who.affiliate), pk)))


# Contributions ---------------------------------------------------------------------------


class ContributionFilters(Schema):
    partnership: s.Id | None = None
    organisation: s.Id | None = None
    kind: s.Text = Field("", max_length=10)


def contribution_out(c: Contribution) -> s.ContributionOut:
    """Return a contribution as the API shows it."""
    return s.ContributionOut.model_construct(
        id=c.pk,
        partnership=c.partnership_id,
        organisation=c.organisation_id,
        kind=c.kind,
        in_kind_type=c.in_kind_type,
        received_on=c.received_on,
        description=c.description,
        amount=c.amount,
        currency=c.currency,
    )


def _contributions(affiliate: Affiliate) -> QuerySet[Contribution]:
    return Contribution.objects.filter(partnership__affiliate=affiliate)


def _contribution_fields(affiliate: Affiliate, payload: s.ContributionChange) -> dict[str, Any]:
    fields = payload.model_dump(exclude_unset=True)
    fields.pop("partnership", None)
    if "organisation" in fields:
        fields["organisation"] = referenced(
            _organisations(affiliate), fields["organisation"], "organisation"
        )
    return fields


@router.get(
    "/contributions/",
    response={200: s.ContributionPage, **READ},
    tags=["contributions"],
    summary=gettext_noop("List contributions"),
)
def list_contributions(
    request: HttpRequest, filters: Query[ContributionFilters], paging: Query[PageQuery]
) -> HttpResponse:
    rows = _contributions(caller(request).affiliate)
    if filters.partnership:
        rows = rows.filter(partnership_id=filters.partnership)
    if filters.organisation:
        rows = rows.filter(organisation_id=filters.organisation)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    found, page = cut(request, rows.order_by("-received_on", "-id"), paging)
    return json_response(
        request,
        s.ContributionPage.model_construct(**page, results=[contribution_out(c) for c in found]),
    )


@router.get(
    "/contributions/{int:pk}/",
    response={200: s.ContributionOut, **READ},
    tags=["contributions"],
    summary=gettext_noop("Read a contribution"),
)
def read_contribution(request: HttpRequest, pk: int) -> HttpResponse:
    found = one(_contributions(caller(request).affiliate), pk)
    return json_response(request, contribution_out(found))


@router.post(
    "/contributions/",
    response={201: s.ContributionOut, **WRITE},
    tags=["contributions"],
    summary=gettext_noop("Record a partner's contribution"),
)
def create_contribution(request: HttpRequest, payload: s.ContributionNew) -> HttpResponse:
    who = require_write(request)
    partnership = referenced(_partnerships(who.affiliate), payload.partnership, "partnership")
    assert partnership is not None  # noqa: S101 - the schema requires it
    partnership.affiliate = who.affiliate
    fields = _contribution_fields(who.affiliate, payload)
    found = activities.add_contribution(actor=who.user, partnership=partnership, **fields)
    return json_response(
        request,
        contribution_out(found),
        status=201,
        location=request.build_absolute_uri(f"{request.path}{found.pk}/"),
    )


@router.patch(
    "/contributions/{int:pk}/",
    response={200: s.ContributionOut, **UPDATE},
    tags=["contributions"],
    summary=gettext_noop("Change a contribution"),
)
def update_contribution(
    request: HttpRequest, pk: int, payload: s.ContributionChange
) -> HttpResponse:
    who = require_write(request)
    with transaction.atomic():
        found = one(_contributions(who.affiliate).select_for_update(), pk)
        check_if_match(request, contribution_out(found))
        activities.update_contribution(
            actor=who.user, contribution=found, **_contribution_fields(who.affiliate, payload)
        )
    return json_response(request, contribution_out(one(_contributions(who.affiliate), pk)))
